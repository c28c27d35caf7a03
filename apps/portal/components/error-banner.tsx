import { ApiError } from '@/lib/api';

/** A visible error with the API's message (never a blank page). */
export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const text =
    error instanceof ApiError
      ? `${error.message} (${error.code}, HTTP ${error.status})`
      : String((error as Error).message ?? error);
  return (
    <div className="banner" role="alert" data-testid="error-banner">
      {text}
    </div>
  );
}

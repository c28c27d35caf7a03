'use client';

import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError } from '@/lib/api';

export interface AuthField {
  name: string;
  label: string;
  /** An input type; 'checkbox' holds 'true' or 'false'. */
  type?: string;
  autoComplete?: string;
  required?: boolean;
  value?: string;
}

/** A small form for the account pages: labelled fields, the API's reasons beside them. */
export function AuthForm({
  fields,
  submitLabel,
  onSubmit,
  children,
}: {
  fields: AuthField[];
  submitLabel: string;
  onSubmit: (values: Record<string, string>) => Promise<void>;
  children?: ReactNode;
}) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, f.value ?? ''])),
  );
  const [error, setError] = useState<ApiError | Error | null>(null);
  const [busy, setBusy] = useState(false);
  // Ids of this form's fields: a page with two forms may have a field name in both.
  const formId = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (e) {
      setError(e as Error);
    } finally {
      setBusy(false);
    }
  };
  const fieldError = (name: string) =>
    error instanceof ApiError ? error.forField(name) : undefined;
  return (
    <form className="auth-form panel" onSubmit={submit}>
      {fields.map((f) =>
        f.type === 'checkbox' ? (
          <label key={f.name} className="checkbox">
            <input
              type="checkbox"
              name={f.name}
              checked={values[f.name] === 'true'}
              onChange={(e) => setValues({ ...values, [f.name]: String(e.target.checked) })}
            />
            {f.label}
          </label>
        ) : (
          <div key={f.name}>
            <label htmlFor={`${formId}-${f.name}`}>{f.label}</label>
            <input
              id={`${formId}-${f.name}`}
              name={f.name}
              type={f.type ?? 'text'}
              autoComplete={f.autoComplete}
              required={f.required ?? true}
              value={values[f.name]}
              onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
            />
            {fieldError(f.name) ? (
              <div className="field-error" data-testid={`error-${f.name}`}>
                {fieldError(f.name)}
              </div>
            ) : null}
          </div>
        ),
      )}
      {error && !(error instanceof ApiError && error.errors.length) ? (
        <div className="banner" role="alert" data-testid="form-error">
          {error.message}
        </div>
      ) : null}
      <div>
        <button type="submit" className="primary" disabled={busy}>
          {submitLabel}
        </button>
      </div>
      {children}
    </form>
  );
}

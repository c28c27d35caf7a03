// Connection strings are sealed like every secret at rest: with SEXTANT_SECRET_KEY (libs/config).
export { openSecret, sealSecret, SecretError } from '@sextant/config';

/** A connection string safe to show: the password replaced by `***`. */
export function connectionHint(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  parsed.searchParams.delete('password');
  return parsed.toString().slice(0, 300);
}

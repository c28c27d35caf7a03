import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefixes of Sextant's secrets, so that a leaked one is recognised (and grep-able). */
export const secretPrefixes = {
  session: 'sxs_',
  apiToken: 'sxp_',
  emailLink: 'sxe_',
  invitation: 'sxi_',
} as const;

/** A new random secret: shown or sent once, kept only as its sha256. */
export function newSecret(prefix: string): { secret: string; hash: string; prefix: string } {
  const secret = `${prefix}${randomBytes(32).toString('base64url')}`;
  return { secret, hash: sha256(secret), prefix: secret.slice(0, 10) };
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The CSRF token of a session: derived from its secret, so nothing more is stored. */
export function csrfTokenOf(sessionSecret: string): string {
  return createHash('sha256').update(`csrf\u0000${sessionSecret}`).digest('base64url');
}

/** Compares two strings in constant time. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

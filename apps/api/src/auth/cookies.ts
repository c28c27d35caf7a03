import { parse, serialize } from 'cookie';

export const sessionCookie = 'sextant_session';
export const csrfCookie = 'sextant_csrf';
export const csrfHeader = 'x-csrf-token';

/** Cookies of a request header, by name. */
export function readCookies(header: string | undefined): Record<string, string | undefined> {
  return header ? parse(header) : {};
}

/**
 * The Set-Cookie values that open a session: the secret in an httpOnly cookie, and the CSRF
 * token in one that the portal's script reads and sends back as the x-csrf-token header.
 */
export function sessionCookies(
  secret: string,
  csrf: string,
  maxAgeSeconds: number,
  secure: boolean,
): string[] {
  const common = { path: '/', sameSite: 'lax' as const, secure, maxAge: maxAgeSeconds };
  return [
    serialize(sessionCookie, secret, { ...common, httpOnly: true }),
    serialize(csrfCookie, csrf, { ...common, httpOnly: false }),
  ];
}

/** The Set-Cookie values that end a session in the browser. */
export function clearedCookies(secure: boolean): string[] {
  const common = { path: '/', sameSite: 'lax' as const, secure, maxAge: 0 };
  return [
    serialize(sessionCookie, '', { ...common, httpOnly: true }),
    serialize(csrfCookie, '', { ...common, httpOnly: false }),
  ];
}

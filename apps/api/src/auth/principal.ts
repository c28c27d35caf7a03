import type { Grant, Subject } from '@sextant/policy';

/** Who makes a request, as the guard found out. */
export type Principal =
  | { kind: 'anonymous' }
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      platformAdmin: boolean;
      grants: Grant[];
      /** How the request proved it: a portal session (cookie) or a personal API token. */
      via: 'session' | 'api-token';
      /** The session or token id. */
      credentialId: string;
      /** For sessions: the CSRF token unsafe requests must send. */
      csrfToken: string | null;
    };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export const anonymous: Principal = { kind: 'anonymous' };

/** The policy's view of a principal. */
export function subjectOf(principal: Principal): Subject {
  return principal.kind === 'anonymous'
    ? { kind: 'anonymous' }
    : {
        kind: 'user',
        userId: principal.userId,
        platformAdmin: principal.platformAdmin,
        grants: principal.grants,
      };
}

/** Where a request came from, for the audit log. */
export interface RequestOrigin {
  ip: string | null;
  userAgent: string | null;
}

import { Inject, Injectable } from '@nestjs/common';
import type { AuthConfig } from '@sextant/config';
import { DomainError } from '@sextant/domain';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { API_CONFIG, ApiConfig } from '../api-config';
import { AuditService } from '../audit/audit.service';
import { AuthRepository, type CredentialRow, type UserRow } from './auth.repository';
import { readCookies, sessionCookie, sessionCookies } from './cookies';
import { anonymous, type Principal, type RequestOrigin, type UserPrincipal } from './principal';
import { csrfTokenOf, newSecret, secretPrefixes, sha256 } from './secrets';

/** A new session's cookie values: the secret, its CSRF token and how long it lasts. */
export interface NewSession {
  id: string;
  secret: string;
  csrfToken: string;
  maxAgeSeconds: number;
}

/** The principal of a verified session or API token. */
export function toPrincipal(
  row: CredentialRow,
  via: UserPrincipal['via'],
  csrfToken: string | null,
): UserPrincipal {
  return {
    kind: 'user',
    userId: row.userId,
    email: row.email,
    name: row.name,
    platformAdmin: row.platformAdmin,
    grants: row.grants,
    via,
    credentialId: row.credentialId,
    csrfToken,
  };
}

/**
 * Who is calling: the principal of a request from its API token or session cookie (verified
 * credentials are trusted for AUTH_CACHE_SECONDS without a query); and sessions, opened at
 * sign-in, ended at sign-out or when the password changes.
 */
@Injectable()
export class SessionsService {
  private readonly config: AuthConfig;
  private readonly httpsUrls: boolean;
  private readonly cache = new Map<string, { principal: UserPrincipal; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repository: AuthRepository,
    private readonly audit: AuditService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.config = config.auth;
    this.httpsUrls = [config.portalUrl, config.publicUrl].some((u) => u.startsWith('https:'));
  }

  /**
   * The principal of a request: a personal API token (Authorization: Bearer), else a session
   * cookie, else anonymous. A bad API token is a 401 rather than anonymous; a stale cookie is
   * anonymous (so that signing in again works).
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const header = request.headers.authorization;
    if (typeof header === 'string' && header.length > 0) {
      const match = /^(?:Bearer|Token)\s+(\S{1,300})$/i.exec(header.trim());
      if (!match)
        throw new DomainError('Unauthenticated', 'Authorization: expected "Bearer <API token>"');
      const principal = await this.cached(sha256(match[1]), 'api-token', null);
      if (!principal)
        throw new DomainError('Unauthenticated', 'unknown, expired or revoked API token');
      return principal;
    }
    const secret = readCookies(request.headers.cookie)[sessionCookie];
    if (!secret || secret.length > 300) return anonymous;
    return (await this.cached(sha256(secret), 'session', csrfTokenOf(secret))) ?? anonymous;
  }

  private async cached(
    hash: string,
    via: UserPrincipal['via'],
    csrfToken: string | null,
  ): Promise<UserPrincipal | null> {
    const now = Date.now();
    const hit = this.cache.get(hash);
    if (hit && hit.until > now) return hit.principal;
    const row =
      via === 'session'
        ? await this.repository.bySessionHash(hash)
        : await this.repository.byApiTokenHash(hash);
    if (!row) {
      this.cache.delete(hash);
      return null;
    }
    const principal = toPrincipal(row, via, csrfToken);
    if (this.config.cacheSeconds > 0) {
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(hash, { principal, until: now + this.config.cacheSeconds * 1000 });
    }
    this.touch(principal);
    return principal;
  }

  /** Forgets every cached credential: after a revocation or a change of roles. */
  forgetCredentials(): void {
    this.cache.clear();
  }

  // Records when a credential was last used, at most once a minute each.
  private touch(principal: UserPrincipal): void {
    const now = Date.now();
    if (now - (this.touched.get(principal.credentialId) ?? 0) < 60_000) return;
    this.touched.set(principal.credentialId, now);
    const update =
      principal.via === 'session'
        ? this.repository.touchSession(principal.credentialId)
        : this.repository.touchApiToken(principal.credentialId);
    update.catch(() => undefined);
  }

  /** A new session for a user whose password was just checked (AUTH_SESSION_HOURS long). */
  async open(user: UserRow, origin: RequestOrigin): Promise<NewSession> {
    const { secret, hash } = newSecret(secretPrefixes.session);
    const maxAgeSeconds = this.config.sessionHours * 3600;
    const id = await this.repository.createSession({
      userId: user.id,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + maxAgeSeconds * 1000),
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 300) ?? null,
    });
    return { id, secret, csrfToken: csrfTokenOf(secret), maxAgeSeconds };
  }

  async signOut(principal: Principal, origin: RequestOrigin): Promise<void> {
    if (principal.kind !== 'user' || principal.via !== 'session') return;
    await this.repository.revokeSession(principal.credentialId);
    this.forgetCredentials();
    await this.audit.record(principal, origin, {
      action: 'auth.sign-out',
      outcome: 'success',
      subjectUserId: principal.userId,
      targetType: 'session',
      targetId: principal.credentialId,
    });
  }

  /** Ends every session of a user but `keep`; the ids of those ended. */
  async revokeAllOf(userId: string, keep: string | null): Promise<string[]> {
    const revoked = await this.repository.revokeSessionsOf(userId, keep);
    this.forgetCredentials();
    return revoked;
  }

  /**
   * Whether session cookies are sent only over HTTPS: as configured, else when the portal or
   * the API is reached over https (X-Forwarded-Proto is not believed past the trusted hops).
   */
  secureCookies(request: FastifyRequest): boolean {
    return this.config.secureCookies ?? (this.httpsUrls || request.protocol === 'https');
  }

  /** Sets the cookies of a new session (sign-in, an accepted invitation) on the reply. */
  setCookies(reply: FastifyReply, session: Omit<NewSession, 'id'>): void {
    reply.header(
      'set-cookie',
      sessionCookies(
        session.secret,
        session.csrfToken,
        session.maxAgeSeconds,
        this.secureCookies(reply.request),
      ),
    );
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import type { AuthConfig } from '@sextant/config';
import { DomainError } from '@sextant/domain';
import type { FastifyRequest } from 'fastify';
import { API_CONFIG, ApiConfig } from '../api-config';
import { AuditService } from '../audit/audit.service';
import {
  AuthRepository,
  type ApiTokenRow,
  type CredentialRow,
  type UserRow,
} from './auth.repository';
import { readCookies, sessionCookie } from './cookies';
import { Mailer } from './mailer';
import { hashPassword, passwordProblem, verifyDecoy, verifyPassword } from './passwords';
import { anonymous, type Principal, type RequestOrigin, type UserPrincipal } from './principal';
import { csrfTokenOf, newSecret, secretPrefixes, sha256 } from './secrets';

const hour = 3_600_000;
const day = 24 * hour;

export interface SignedIn {
  user: UserRow;
  session: { secret: string; csrfToken: string; maxAgeSeconds: number };
}

/** Normalises an email address (case-insensitive everywhere). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Accounts and credentials: registration, email verification, sign-in with throttling and
 * lockout, sessions, password reset, personal API tokens; and finding the principal of a
 * request (verified credentials are trusted for AUTH_CACHE_SECONDS without a query).
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger('Auth');
  private readonly config: AuthConfig;
  readonly mailer: Mailer;
  private readonly portalUrl: string;
  private readonly httpsUrls: boolean;
  private readonly cache = new Map<string, { principal: UserPrincipal; until: number }>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly repository: AuthRepository,
    private readonly audit: AuditService,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.config = config.auth;
    this.portalUrl = config.portalUrl;
    this.httpsUrls = [config.portalUrl, config.publicUrl].some((u) => u.startsWith('https:'));
    this.mailer = new Mailer(config.mail.smtpUrl, config.mail.from);
  }

  // Who is calling

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

  // Registration and email

  /**
   * Public registration. It answers the same whether or not the address has an account (the
   * password is hashed either way, so it takes as long): the new account, or null when the
   * address was taken, whose owner is then told by email that someone tried.
   */
  async register(
    input: { email: string; name: string; password: string },
    origin: RequestOrigin,
  ): Promise<UserRow | null> {
    const email = normaliseEmail(input.email);
    const problem = passwordProblem(input.password);
    if (problem) throw new DomainError('WeakPassword', `password: ${problem.reason}`, [problem]);
    await this.throttleEmail(email, origin);
    const user = await this.createAccount({ ...input, email }, origin);
    if (user) return user;
    const owner = await this.repository.userByEmail(email);
    await this.audit.record(null, origin, {
      action: 'auth.register',
      outcome: 'failure',
      actorLabel: email,
      subjectUserId: owner?.id ?? null,
      details: { reason: 'email taken' },
    });
    if (owner)
      await this.mailer.send({
        to: owner.email,
        subject: 'Someone tried to create a Sextant account with your address',
        text: `Hello ${owner.name},\n\nsomeone tried to create a new Sextant account with this address, which already has one. Nothing has changed on your account.\n\nIf it was you: sign in at ${this.portalUrl}/sign-in, or choose a new password at ${this.portalUrl}/forgot-password.\nIf it was not you, ignore this email.\n`,
      });
    return null;
  }

  /**
   * Creates an account (invitations: verified, as the link came to the address); null when the
   * address is taken. The password is hashed before the address is looked at.
   */
  async createAccount(
    input: { email: string; name: string; password: string },
    origin: RequestOrigin,
    options: { verified?: boolean } = {},
  ): Promise<UserRow | null> {
    const email = normaliseEmail(input.email);
    const problem = passwordProblem(input.password);
    if (problem) throw new DomainError('WeakPassword', `password: ${problem.reason}`, [problem]);
    const verified = options.verified || !this.config.requireVerifiedEmail;
    const user = await this.repository.createUser({
      email,
      name: input.name.trim(),
      passwordHash: await hashPassword(input.password),
      verified,
    });
    if (!user) return null;
    await this.audit.record(null, origin, {
      action: 'auth.register',
      outcome: 'success',
      actorLabel: email,
      subjectUserId: user.id,
      targetType: 'user',
      targetId: user.id,
    });
    if (!verified) await this.sendVerification(user);
    return user;
  }

  /**
   * Account emails are limited per address they go to and per client asking (AUTH_EMAIL_LIMIT,
   * AUTH_EMAIL_IP_LIMIT within AUTH_LOCKOUT_MINUTES), whether or not an account has the
   * address, so the limit tells nothing about accounts.
   */
  private async throttleEmail(email: string, origin: RequestOrigin): Promise<void> {
    const keys = [`mail:${email}`, ...(origin.ip ? [`mail-ip:${origin.ip}`] : [])];
    const locked = await this.repository.lockedUntil(keys);
    if (locked) {
      const seconds = secondsUntil(locked);
      throw new DomainError(
        'TooManyRequests',
        `too many account emails asked for: try again in ${Math.ceil(seconds / 60)} minute(s)`,
        [],
        seconds,
      );
    }
    await Promise.all([
      this.repository.recordFailure(keys[0], this.config.emailLimit, this.config.lockoutMinutes),
      keys[1]
        ? this.repository.recordFailure(
            keys[1],
            this.config.emailIpLimit,
            this.config.lockoutMinutes,
          )
        : null,
    ]);
  }

  private async sendVerification(user: UserRow): Promise<void> {
    const { secret, hash } = newSecret(secretPrefixes.emailLink);
    await this.repository.createEmailToken(
      user.id,
      'verify_email',
      hash,
      new Date(Date.now() + 2 * day),
    );
    await this.mailer.send({
      to: user.email,
      subject: 'Confirm your email address for Sextant',
      text: `Hello ${user.name},\n\nconfirm your address by opening this link (valid for 2 days):\n${this.portalUrl}/verify-email?token=${secret}\n`,
    });
  }

  async resendVerification(emailText: string, origin: RequestOrigin): Promise<void> {
    const email = normaliseEmail(emailText);
    await this.throttleEmail(email, origin);
    const user = await this.repository.userByEmail(email);
    if (user && !user.emailVerifiedAt) await this.sendVerification(user);
  }

  async verifyEmail(token: string, origin: RequestOrigin): Promise<void> {
    const userId = await this.repository.consumeEmailToken(sha256(token), 'verify_email');
    if (!userId) throw invalidLink();
    await this.repository.markVerified(userId);
    await this.audit.record(null, origin, {
      action: 'auth.verify-email',
      outcome: 'success',
      subjectUserId: userId,
      targetType: 'user',
      targetId: userId,
    });
  }

  // Signing in and out

  async signIn(
    input: { email: string; password: string },
    origin: RequestOrigin,
  ): Promise<SignedIn> {
    const email = normaliseEmail(input.email);
    const keys = [`email:${email}`, ...(origin.ip ? [`ip:${origin.ip}`] : [])];
    const locked = await this.repository.lockedUntil(keys);
    const user = await this.repository.userByEmail(email);
    if (locked) {
      await this.audit.record(null, origin, {
        action: 'auth.sign-in',
        outcome: 'failure',
        actorLabel: email,
        subjectUserId: user?.id ?? null,
        details: { reason: 'locked' },
      });
      throw lockedError(locked);
    }
    const ok = user
      ? await verifyPassword(user.passwordHash, input.password)
      : await verifyDecoy(input.password);
    if (!user || !ok) {
      const [emailLock, ipLock] = await Promise.all([
        this.repository.recordFailure(
          keys[0],
          this.config.lockoutThreshold,
          this.config.lockoutMinutes,
        ),
        keys[1]
          ? this.repository.recordFailure(
              keys[1],
              this.config.ipThreshold,
              this.config.lockoutMinutes,
            )
          : Promise.resolve(null),
      ]);
      await this.audit.record(null, origin, {
        action: 'auth.sign-in',
        outcome: 'failure',
        actorLabel: email,
        subjectUserId: user?.id ?? null,
        details: { reason: 'wrong email or password' },
      });
      const lock = emailLock ?? ipLock;
      if (lock) {
        await this.audit.record(null, origin, {
          action: 'auth.lockout',
          outcome: 'success',
          actorLabel: email,
          subjectUserId: user?.id ?? null,
          details: { key: emailLock ? 'email' : 'ip', until: lock.toISOString() },
        });
        throw lockedError(lock);
      }
      throw new DomainError('InvalidCredentials', 'wrong email or password');
    }
    if (!user.emailVerifiedAt && this.config.requireVerifiedEmail) {
      throw new DomainError(
        'EmailNotVerified',
        'confirm your email address first: open the link we sent (or ask for it again)',
      );
    }
    await this.repository.clearFailures(keys[0]);
    const { secret, hash } = newSecret(secretPrefixes.session);
    const maxAgeSeconds = this.config.sessionHours * 3600;
    const sessionId = await this.repository.createSession({
      userId: user.id,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + maxAgeSeconds * 1000),
      ip: origin.ip,
      userAgent: origin.userAgent?.slice(0, 300) ?? null,
    });
    await this.repository.signedIn(user.id);
    await this.audit.record(
      {
        ...toPrincipal(
          {
            credentialId: sessionId,
            userId: user.id,
            email: user.email,
            name: user.name,
            platformAdmin: user.platformAdmin,
            grants: [],
          },
          'session',
          null,
        ),
      },
      origin,
      {
        action: 'auth.sign-in',
        outcome: 'success',
        subjectUserId: user.id,
        targetType: 'session',
        targetId: sessionId,
      },
    );
    return { user, session: { secret, csrfToken: csrfTokenOf(secret), maxAgeSeconds } };
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

  /**
   * Whether session cookies are sent only over HTTPS: as configured, else when the portal or
   * the API is reached over https (X-Forwarded-Proto is not believed past the trusted hops).
   */
  secureCookies(request: FastifyRequest): boolean {
    return this.config.secureCookies ?? (this.httpsUrls || request.protocol === 'https');
  }

  // Passwords

  async requestPasswordReset(emailText: string, origin: RequestOrigin): Promise<void> {
    const email = normaliseEmail(emailText);
    await this.throttleEmail(email, origin);
    const user = await this.repository.userByEmail(email);
    await this.audit.record(null, origin, {
      action: 'auth.password-reset-request',
      outcome: user ? 'success' : 'failure',
      actorLabel: email,
      subjectUserId: user?.id ?? null,
    });
    if (!user) return;
    const { secret, hash } = newSecret(secretPrefixes.emailLink);
    await this.repository.createEmailToken(
      user.id,
      'reset_password',
      hash,
      new Date(Date.now() + hour),
    );
    await this.mailer.send({
      to: user.email,
      subject: 'Reset your Sextant password',
      text: `Hello ${user.name},\n\nchoose a new password by opening this link (valid for 1 hour):\n${this.portalUrl}/reset-password?token=${secret}\n\nIf you did not ask for this, ignore this email.\n`,
    });
  }

  /** A new password by the emailed link: ends every session, and the API tokens if asked. */
  async resetPassword(
    token: string,
    password: string,
    origin: RequestOrigin,
    revokeApiTokens = true,
  ): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new DomainError('WeakPassword', `password: ${problem.reason}`, [problem]);
    const userId = await this.repository.consumeEmailToken(sha256(token), 'reset_password');
    if (!userId) throw invalidLink();
    const user = (await this.repository.userById(userId))!;
    await this.repository.setPassword(userId, await hashPassword(password));
    // Opening the link proves the address too.
    await this.repository.markVerified(userId);
    const revoked = await this.revokeCredentials(userId, null, revokeApiTokens);
    await this.repository.clearFailures(`email:${user.email}`);
    await this.audit.record(null, origin, {
      action: 'auth.password-reset',
      outcome: 'success',
      actorLabel: user.email,
      subjectUserId: userId,
      details: revoked,
    });
  }

  /**
   * A new password, the current one given: ends the user's other sessions, and their API
   * tokens too unless asked not to (the credential making the change stays).
   */
  async changePassword(
    principal: UserPrincipal,
    current: string,
    next: string,
    origin: RequestOrigin,
    revokeApiTokens = true,
  ): Promise<void> {
    const user = (await this.repository.userById(principal.userId))!;
    if (!(await verifyPassword(user.passwordHash, current))) {
      throw new DomainError('InvalidCredentials', 'currentPassword: wrong password', [
        { field: 'currentPassword', reason: 'wrong password' },
      ]);
    }
    const problem = passwordProblem(next, 'newPassword');
    if (problem) throw new DomainError('WeakPassword', `newPassword: ${problem.reason}`, [problem]);
    await this.repository.setPassword(user.id, await hashPassword(next));
    const revoked = await this.revokeCredentials(user.id, principal.credentialId, revokeApiTokens);
    await this.audit.record(principal, origin, {
      action: 'auth.password-change',
      outcome: 'success',
      subjectUserId: user.id,
      details: revoked,
    });
  }

  // Whoever held the old password may hold a session or a token made with it.
  private async revokeCredentials(
    userId: string,
    keep: string | null,
    apiTokens: boolean,
  ): Promise<{ sessionsRevoked: number; apiTokensRevoked: number }> {
    const sessions = await this.repository.revokeSessionsOf(userId, keep);
    const tokens = apiTokens ? await this.repository.revokeApiTokensOf(userId, keep) : [];
    this.forgetCredentials();
    return { sessionsRevoked: sessions.length, apiTokensRevoked: tokens.length };
  }

  async user(userId: string): Promise<UserRow> {
    const user = await this.repository.userById(userId);
    if (!user) throw new DomainError('Unauthenticated', 'the account no longer exists');
    return user;
  }

  memberships(userId: string) {
    return this.repository.memberships(userId);
  }

  async rename(principal: UserPrincipal, name: string): Promise<UserRow> {
    await this.repository.setName(principal.userId, name.trim());
    this.forgetCredentials();
    return this.user(principal.userId);
  }

  // Personal API tokens

  async createApiToken(
    principal: UserPrincipal,
    input: { name: string; expiresInDays?: number },
    origin: RequestOrigin,
  ): Promise<ApiTokenRow & { token: string }> {
    const days = input.expiresInDays ?? this.config.apiTokenDays;
    const { secret, hash, prefix } = newSecret(secretPrefixes.apiToken);
    const row = await this.repository.createApiToken({
      userId: principal.userId,
      name: input.name,
      prefix,
      tokenHash: hash,
      expiresAt: new Date(Date.now() + days * day),
    });
    await this.audit.record(principal, origin, {
      action: 'api-token.create',
      outcome: 'success',
      subjectUserId: principal.userId,
      targetType: 'api-token',
      targetId: row.id,
      details: { name: input.name, prefix, expiresAt: row.expiresAt.toISOString() },
    });
    return { ...row, token: secret };
  }

  apiTokens(principal: UserPrincipal): Promise<ApiTokenRow[]> {
    return this.repository.apiTokensOf(principal.userId);
  }

  async revokeApiToken(
    principal: UserPrincipal,
    id: string,
    origin: RequestOrigin,
  ): Promise<ApiTokenRow> {
    const token = await this.repository.apiToken(principal.userId, id);
    if (!token) throw new DomainError('ApiTokenNotFound', `you have no API token with id ${id}`);
    const { tokenHash, ...existing } = token;
    if (existing.revokedAt) return existing;
    const row = await this.repository.revokeApiToken(id);
    this.cache.delete(tokenHash);
    this.forgetCredentials();
    await this.audit.record(principal, origin, {
      action: 'api-token.revoke',
      outcome: 'success',
      subjectUserId: principal.userId,
      targetType: 'api-token',
      targetId: id,
      details: { name: row.name, prefix: row.prefix },
    });
    return row;
  }

  /** Logged at start: where account emails go. */
  describeMail(): void {
    if (this.mailer.logsMail)
      this.logger.warn(
        'SMTP_URL is not set: account emails (verification, reset, invitations) are written to this log',
      );
  }
}

function toPrincipal(
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

function invalidLink(): DomainError {
  return new DomainError(
    'InvalidLink',
    'token: the link is unknown, used or expired; ask for a new one',
    [{ field: 'token', reason: 'unknown, used or expired' }],
  );
}

function secondsUntil(until: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - Date.now()) / 1000));
}

function lockedError(until: Date): DomainError {
  const seconds = secondsUntil(until);
  return new DomainError(
    'SignInLocked',
    `too many failed sign-ins: try again in ${Math.ceil(seconds / 60)} minute(s), or reset the password`,
    [],
    seconds,
  );
}

import { Inject, Injectable } from '@nestjs/common';
import type { AuthConfig } from '@sextant/config';
import { DomainError } from '@sextant/domain';
import { API_CONFIG, ApiConfig } from '../api-config';
import { AuditService } from '../audit/audit.service';
import { ApiTokensService } from './api-tokens.service';
import { AuthRepository, type MembershipView, type UserRow } from './auth.repository';
import type { MeModel } from './dto/auth.inputs';
import { Mailer } from './mailer';
import { hashPassword, passwordProblem, verifyDecoy, verifyPassword } from './passwords';
import type { RequestOrigin, UserPrincipal } from './principal';
import { newSecret, secretPrefixes, sha256 } from './secrets';
import { SessionsService, toPrincipal, type NewSession } from './sessions.service';

const hour = 3_600_000;
const day = 24 * hour;

export interface SignedIn {
  user: UserRow;
  session: NewSession;
}

/** Normalises an email address (case-insensitive everywhere). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Accounts and their passwords: registration (with the organisation its owner names), email
 * verification, sign-in with throttling and lockout, password reset and change.
 */
@Injectable()
export class CredentialsService {
  private readonly config: AuthConfig;
  private readonly portalUrl: string;

  constructor(
    private readonly repository: AuthRepository,
    private readonly sessions: SessionsService,
    private readonly apiTokens: ApiTokensService,
    private readonly audit: AuditService,
    private readonly mailer: Mailer,
    @Inject(API_CONFIG) config: ApiConfig,
  ) {
    this.config = config.auth;
    this.portalUrl = config.portalUrl;
  }

  // Registration and email

  /**
   * Public registration. It answers the same whether or not the address has an account (the
   * password is hashed either way, so it takes as long): the new account, or null when the
   * address was taken, whose owner is then told by email that someone tried.
   */
  async register(
    input: { email: string; name: string; password: string; organisation?: string },
    origin: RequestOrigin,
  ): Promise<UserRow | null> {
    const email = normaliseEmail(input.email);
    const problem = passwordProblem(input.password);
    if (problem) throw new DomainError('WeakPassword', `password: ${problem.reason}`, [problem]);
    await this.throttleEmail(email, origin);
    const user = await this.createAccount({ ...input, email }, origin);
    if (user) {
      if (input.organisation) await this.createOrganisation(user, input.organisation, origin);
      return user;
    }
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

  /** An organisation made by its first owner (at sign-up). */
  private async createOrganisation(
    user: UserRow,
    name: string,
    origin: RequestOrigin,
  ): Promise<void> {
    const organisation = await this.repository.createOrganisation(name, user.id);
    await this.audit.record(null, origin, {
      action: 'organisation.create',
      outcome: 'success',
      actorLabel: user.email,
      subjectUserId: user.id,
      nodeId: organisation.id,
      targetType: 'node',
      targetId: organisation.id,
      details: { name },
    });
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
    const session = await this.sessions.open(user, origin);
    await this.repository.signedIn(user.id);
    await this.audit.record(
      {
        ...toPrincipal(
          {
            credentialId: session.id,
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
        targetId: session.id,
      },
    );
    return { user, session };
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
    const sessions = await this.sessions.revokeAllOf(userId, keep);
    const tokens = apiTokens ? await this.apiTokens.revokeAllOf(userId, keep) : [];
    return { sessionsRevoked: sessions.length, apiTokensRevoked: tokens.length };
  }

  async user(userId: string): Promise<UserRow> {
    const user = await this.repository.userById(userId);
    if (!user) throw new DomainError('Unauthenticated', 'the account no longer exists');
    return user;
  }

  memberships(userId: string): Promise<MembershipView[]> {
    return this.repository.memberships(userId);
  }

  /** The signed-in user as the API shows them. */
  async me(userId: string, csrfToken: string | null): Promise<MeModel> {
    const user = await this.user(userId);
    return {
      id: user.id,
      email: user.email,
      name: user.name,
      platformAdmin: user.platformAdmin,
      emailVerified: user.emailVerifiedAt !== null,
      memberships: await this.memberships(userId),
      csrfToken,
    };
  }

  /** The account with this address (normalised), if any. */
  userByEmail(email: string): Promise<UserRow | null> {
    return this.repository.userByEmail(normaliseEmail(email));
  }

  /** Marks the account's address as proven (an invitation link came to it). */
  markVerified(userId: string): Promise<void> {
    return this.repository.markVerified(userId);
  }

  async rename(principal: UserPrincipal, name: string): Promise<UserRow> {
    await this.repository.setName(principal.userId, name.trim());
    this.sessions.forgetCredentials();
    return this.user(principal.userId);
  }
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

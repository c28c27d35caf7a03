import { Injectable } from '@nestjs/common';
import type { Grant, Role } from '@sextant/policy';
import { uuidv7 } from '@sextant/ingest';
import { PrismaService } from '../prisma/prisma.service';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string;
  emailVerifiedAt: Date | null;
  platformAdmin: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
}

/** A user found by a credential, with every role they hold. */
export interface CredentialRow {
  credentialId: string;
  userId: string;
  email: string;
  name: string;
  platformAdmin: boolean;
  grants: Grant[];
}

export interface ApiTokenRow {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface MembershipView {
  id: string;
  nodeId: string;
  role: Role;
  nodeName: string;
  nodeReference: string;
  nodeKind: string;
}

export interface SessionRow {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  ip: string | null;
  userAgent: string | null;
}

const userColumns = `id, email, name, password_hash AS "passwordHash",
  email_verified_at AS "emailVerifiedAt", platform_admin AS "platformAdmin",
  last_sign_in_at AS "lastSignInAt", created_at AS "createdAt"`;

const grantsOf = (
  user: string,
) => `coalesce((SELECT json_agg(json_build_object('nodeId', m.node_id, 'role', m.role))
     FROM membership m WHERE m.user_id = ${user}), '[]'::json) AS grants`;

/**
 * The most roles listed for one user (Me.memberships). Accounts hold a handful; one that held
 * more would see its first ones by node reference.
 */
export const maxMemberships = 1_000;
/** The most personal API tokens listed for one user: the newest. */
export const maxApiTokens = 500;

const tokenColumns = `id, name, prefix, created_at AS "createdAt", expires_at AS "expiresAt",
  last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** Organisation references registration never takes (the platform operator's). */
const reservedOrganisations = new Set(['sextant']);

/** Every query of accounts (and the organisation made at sign-up), sessions, API tokens, email links and sign-in throttling. */
@Injectable()
export class AuthRepository {
  constructor(private readonly prisma: PrismaService) {}

  private get pool() {
    return this.prisma.pool;
  }

  async userByEmail(email: string): Promise<UserRow | null> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${userColumns} FROM app_user WHERE email = $1`,
      [email],
    );
    return rows[0] ?? null;
  }

  async userById(id: string): Promise<UserRow | null> {
    const { rows } = await this.pool.query<UserRow>(
      `SELECT ${userColumns} FROM app_user WHERE id = $1::uuid`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Creates a user; null when the email is taken. */
  async createUser(data: {
    email: string;
    name: string;
    passwordHash: string;
    verified: boolean;
    platformAdmin?: boolean;
  }): Promise<UserRow | null> {
    const { rows } = await this.pool.query<UserRow>(
      `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, platform_admin, updated_at)
       VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6, now())
       ON CONFLICT (email) DO NOTHING
       RETURNING ${userColumns}`,
      [
        uuidv7(),
        data.email,
        data.name,
        data.passwordHash,
        data.verified,
        data.platformAdmin ?? false,
      ],
    );
    return rows[0] ?? null;
  }

  async markVerified(userId: string): Promise<void> {
    await this.pool.query(
      `UPDATE app_user SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now()
        WHERE id = $1`,
      [userId],
    );
  }

  async setPassword(userId: string, passwordHash: string): Promise<void> {
    await this.pool.query(
      'UPDATE app_user SET password_hash = $2, updated_at = now() WHERE id = $1',
      [userId, passwordHash],
    );
  }

  async setName(userId: string, name: string): Promise<void> {
    await this.pool.query('UPDATE app_user SET name = $2, updated_at = now() WHERE id = $1', [
      userId,
      name,
    ]);
  }

  async signedIn(userId: string): Promise<void> {
    await this.pool.query('UPDATE app_user SET last_sign_in_at = now() WHERE id = $1', [userId]);
  }

  async grants(userId: string): Promise<Grant[]> {
    const { rows } = await this.pool.query<{ nodeId: string; role: Role }>(
      'SELECT node_id AS "nodeId", role::text AS role FROM membership WHERE user_id = $1',
      [userId],
    );
    return rows;
  }

  /** The user's roles with the names of the nodes they are held on. */
  async memberships(userId: string): Promise<MembershipView[]> {
    const { rows } = await this.pool.query<MembershipView>(
      `SELECT m.id, m.node_id AS "nodeId", m.role::text AS role, n.name AS "nodeName",
              n.reference AS "nodeReference", n.kind::text AS "nodeKind"
         FROM membership m JOIN node n ON n.id = m.node_id
        WHERE m.user_id = $1 ORDER BY n.reference LIMIT $2`,
      [userId, maxMemberships],
    );
    return rows;
  }

  /**
   * A new root node of kind organisation, its reference (unique among roots) from the name,
   * and its first owner.
   */
  async createOrganisation(
    name: string,
    ownerId: string,
  ): Promise<{ id: string; reference: string }> {
    const base =
      name
        .toLowerCase()
        .normalize('NFKD')
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '')
        .slice(0, 60) || 'org';
    for (let attempt = 0; ; attempt++) {
      // The platform operator's own organisation is never handed out.
      const reference =
        attempt === 0 && !reservedOrganisations.has(base)
          ? base
          : `${base}-${Math.random().toString(36).slice(2, 8)}`;
      const { rows } = await this.pool.query<{ id: string }>(
        `INSERT INTO node (id, kind, name, reference, updated_at) VALUES ($1, 'organisation', $2, $3, now())
         ON CONFLICT (reference_scope, reference) DO NOTHING RETURNING id`,
        [uuidv7(), name, reference],
      );
      if (!rows[0]) continue;
      await this.pool.query(
        `INSERT INTO membership (id, user_id, node_id, role, updated_at)
         VALUES ($1, $2, $3, 'owner', now())`,
        [uuidv7(), ownerId, rows[0].id],
      );
      return { id: rows[0].id, reference };
    }
  }
  // Sessions

  async createSession(data: {
    userId: string;
    tokenHash: string;
    expiresAt: Date;
    ip: string | null;
    userAgent: string | null;
  }): Promise<string> {
    const id = uuidv7();
    await this.pool.query(
      `INSERT INTO user_session (id, user_id, token_hash, expires_at, ip, user_agent)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [id, data.userId, data.tokenHash, data.expiresAt, data.ip, data.userAgent],
    );
    return id;
  }

  async bySessionHash(tokenHash: string): Promise<CredentialRow | null> {
    const { rows } = await this.pool.query<CredentialRow>(
      `SELECT s.id AS "credentialId", u.id AS "userId", u.email, u.name,
              u.platform_admin AS "platformAdmin", ${grantsOf('u.id')}
         FROM user_session s JOIN app_user u ON u.id = s.user_id
        WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now()`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async revokeSession(id: string): Promise<void> {
    await this.pool.query(
      'UPDATE user_session SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL',
      [id],
    );
  }

  /** Ends every session of a user but `except` (after a password change); returns their ids. */
  async revokeSessionsOf(userId: string, except: string | null = null): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE user_session SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2::uuid RETURNING id`,
      [userId, except],
    );
    return rows.map((r) => r.id);
  }

  async sessionsOf(userId: string): Promise<SessionRow[]> {
    const { rows } = await this.pool.query<SessionRow>(
      `SELECT id, created_at AS "createdAt", expires_at AS "expiresAt", last_seen_at AS "lastSeenAt",
              ip, user_agent AS "userAgent"
         FROM user_session
        WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > now()
        ORDER BY created_at DESC LIMIT 100`,
      [userId],
    );
    return rows;
  }

  async touchSession(id: string): Promise<void> {
    await this.pool.query('UPDATE user_session SET last_seen_at = now() WHERE id = $1', [id]);
  }

  // Personal API tokens

  async createApiToken(data: {
    userId: string;
    name: string;
    prefix: string;
    tokenHash: string;
    expiresAt: Date;
  }): Promise<ApiTokenRow> {
    const { rows } = await this.pool.query<ApiTokenRow>(
      `INSERT INTO api_token (id, user_id, name, prefix, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${tokenColumns}`,
      [uuidv7(), data.userId, data.name, data.prefix, data.tokenHash, data.expiresAt],
    );
    return rows[0];
  }

  async byApiTokenHash(tokenHash: string): Promise<CredentialRow | null> {
    const { rows } = await this.pool.query<CredentialRow>(
      `SELECT t.id AS "credentialId", u.id AS "userId", u.email, u.name,
              u.platform_admin AS "platformAdmin", ${grantsOf('u.id')}
         FROM api_token t JOIN app_user u ON u.id = t.user_id
        WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  async apiTokensOf(userId: string): Promise<ApiTokenRow[]> {
    const { rows } = await this.pool.query<ApiTokenRow>(
      `SELECT ${tokenColumns} FROM api_token WHERE user_id = $1 ORDER BY created_at DESC LIMIT $2`,
      [userId, maxApiTokens],
    );
    return rows;
  }

  async apiToken(
    userId: string,
    id: string,
  ): Promise<(ApiTokenRow & { tokenHash: string }) | null> {
    const { rows } = await this.pool.query<ApiTokenRow & { tokenHash: string }>(
      `SELECT ${tokenColumns}, token_hash AS "tokenHash" FROM api_token WHERE user_id = $1 AND id = $2::uuid`,
      [userId, id],
    );
    return rows[0] ?? null;
  }

  async revokeApiToken(id: string): Promise<ApiTokenRow> {
    const { rows } = await this.pool.query<ApiTokenRow>(
      `UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING ${tokenColumns}`,
      [id],
    );
    return rows[0];
  }

  /** Revokes every API token of a user but `except`; returns their ids. */
  async revokeApiTokensOf(userId: string, except: string | null = null): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE api_token SET revoked_at = now()
        WHERE user_id = $1 AND revoked_at IS NULL AND id IS DISTINCT FROM $2::uuid RETURNING id`,
      [userId, except],
    );
    return rows.map((r) => r.id);
  }

  async touchApiToken(id: string): Promise<void> {
    await this.pool.query('UPDATE api_token SET last_used_at = now() WHERE id = $1', [id]);
  }

  // One-time email links

  async createEmailToken(
    userId: string,
    purpose: 'verify_email' | 'reset_password',
    tokenHash: string,
    expiresAt: Date,
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO email_token (id, user_id, purpose, token_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5)`,
      [uuidv7(), userId, purpose, tokenHash, expiresAt],
    );
  }

  /** Uses a link once; the user's id, or null when unknown, used or expired. */
  async consumeEmailToken(
    tokenHash: string,
    purpose: 'verify_email' | 'reset_password',
  ): Promise<string | null> {
    const { rows } = await this.pool.query<{ userId: string }>(
      `UPDATE email_token SET used_at = now()
        WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
        RETURNING user_id AS "userId"`,
      [tokenHash, purpose],
    );
    return rows[0]?.userId ?? null;
  }

  // Sign-in throttling (shared by every API process)

  /** The latest lock among the keys still in force, or null. */
  async lockedUntil(keys: string[]): Promise<Date | null> {
    const { rows } = await this.pool.query<{ until: Date | null }>(
      `SELECT max(locked_until) AS until FROM login_throttle
        WHERE key = ANY($1::text[]) AND locked_until > now()`,
      [keys],
    );
    return rows[0]?.until ?? null;
  }

  /**
   * Counts a failure of a key within a window of `minutes`; at `threshold` failures the key is
   * locked for `minutes` and its count starts again. Returns the lock, if one was set.
   */
  async recordFailure(key: string, threshold: number, minutes: number): Promise<Date | null> {
    const { rows } = await this.pool.query<{ lockedUntil: Date | null }>(
      `INSERT INTO login_throttle AS t (key, failures, window_started_at)
       VALUES ($1, 1, now())
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN t.window_started_at < now() - make_interval(mins => $3) THEN 1
                         ELSE t.failures + 1 END,
         window_started_at = CASE WHEN t.window_started_at < now() - make_interval(mins => $3)
                                  THEN now() ELSE t.window_started_at END
       RETURNING CASE WHEN failures >= $2 THEN now() + make_interval(mins => $3) END AS "lockedUntil"`,
      [key, threshold, minutes],
    );
    const lockedUntil = rows[0]?.lockedUntil ?? null;
    if (lockedUntil)
      await this.pool.query(
        `UPDATE login_throttle SET locked_until = $2, failures = 0, window_started_at = now()
          WHERE key = $1`,
        [key, lockedUntil],
      );
    return lockedUntil;
  }

  async clearFailures(key: string): Promise<void> {
    await this.pool.query(
      'DELETE FROM login_throttle WHERE key = $1 AND (locked_until IS NULL OR locked_until <= now())',
      [key],
    );
  }
}

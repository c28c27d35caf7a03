import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@sextant/ingest';
import type { Role } from '@sextant/policy';
import { PrismaService } from '../prisma/prisma.service';
import { scopeSql } from '../access/scope';

export interface MemberRow {
  id: string;
  userId: string;
  email: string;
  name: string;
  nodeId: string;
  nodeName: string;
  nodeReference: string;
  role: Role;
  createdAt: Date;
}

export interface InvitationRow {
  id: string;
  nodeId: string;
  nodeName: string;
  email: string;
  role: Role;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  acceptedAt: Date | null;
  revokedAt: Date | null;
}

const memberColumns = `m.id, m.user_id AS "userId", u.email, u.name, m.node_id AS "nodeId",
  n.name AS "nodeName", n.reference AS "nodeReference", m.role::text AS role, m.created_at AS "createdAt"`;
const invitationColumns = `i.id, i.node_id AS "nodeId", n.name AS "nodeName", i.email, i.role::text AS role,
  i.invited_by AS "invitedBy", i.created_at AS "createdAt", i.expires_at AS "expiresAt",
  i.accepted_at AS "acceptedAt", i.revoked_at AS "revokedAt"`;

/** The most roles listed under one node (by node reference, then email). */
export const maxMembers = 2_000;
/** The most pending invitations listed under one node: the newest. */
export const maxInvitations = 1_000;

/** Queries of memberships (roles on nodes) and invitations. */
@Injectable()
export class MembersRepository {
  constructor(private readonly prisma: PrismaService) {}

  private get pool() {
    return this.prisma.pool;
  }

  /** Roles held on the node and on every node below it. */
  async membersUnder(nodeId: string): Promise<MemberRow[]> {
    const { rows } = await this.pool.query<MemberRow>(
      `SELECT ${memberColumns} FROM membership m
         JOIN app_user u ON u.id = m.user_id JOIN node n ON n.id = m.node_id
        WHERE ${scopeSql('m.node_id', 1)}
        ORDER BY n.reference, u.email LIMIT $2`,
      [[nodeId], maxMembers],
    );
    return rows;
  }

  async member(id: string): Promise<MemberRow | null> {
    const { rows } = await this.pool.query<MemberRow>(
      `SELECT ${memberColumns} FROM membership m
         JOIN app_user u ON u.id = m.user_id JOIN node n ON n.id = m.node_id WHERE m.id = $1::uuid`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Owners of the node itself. */
  async ownersOf(nodeId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM membership WHERE node_id = $1 AND role = 'owner'`,
      [nodeId],
    );
    return rows[0].n;
  }

  /** Grants a role on a node (replacing the user's role there). */
  async grant(
    userId: string,
    nodeId: string,
    role: Role,
    grantedBy: string | null,
  ): Promise<string> {
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO membership (id, user_id, node_id, role, granted_by, updated_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (user_id, node_id) DO UPDATE SET role = excluded.role,
         granted_by = excluded.granted_by, updated_at = now()
       RETURNING id`,
      [uuidv7(), userId, nodeId, role, grantedBy],
    );
    return rows[0].id;
  }

  async setRole(id: string, role: Role): Promise<void> {
    await this.pool.query('UPDATE membership SET role = $2, updated_at = now() WHERE id = $1', [
      id,
      role,
    ]);
  }

  async remove(id: string): Promise<void> {
    await this.pool.query('DELETE FROM membership WHERE id = $1', [id]);
  }

  async createInvitation(data: {
    nodeId: string;
    email: string;
    role: Role;
    tokenHash: string;
    invitedBy: string;
    expiresAt: Date;
  }): Promise<string> {
    const id = uuidv7();
    await this.pool.query(
      `INSERT INTO invitation (id, node_id, email, role, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [id, data.nodeId, data.email, data.role, data.tokenHash, data.invitedBy, data.expiresAt],
    );
    return id;
  }

  async invitation(id: string): Promise<InvitationRow | null> {
    const { rows } = await this.pool.query<InvitationRow>(
      `SELECT ${invitationColumns} FROM invitation i JOIN node n ON n.id = i.node_id WHERE i.id = $1::uuid`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A pending invitation by its link's hash (not accepted, revoked or expired). */
  async pendingByHash(tokenHash: string): Promise<InvitationRow | null> {
    const { rows } = await this.pool.query<InvitationRow>(
      `SELECT ${invitationColumns} FROM invitation i JOIN node n ON n.id = i.node_id
        WHERE i.token_hash = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()`,
      [tokenHash],
    );
    return rows[0] ?? null;
  }

  /** Pending invitations to the node and the nodes under it. */
  async pendingUnder(nodeId: string): Promise<InvitationRow[]> {
    const { rows } = await this.pool.query<InvitationRow>(
      `SELECT ${invitationColumns} FROM invitation i JOIN node n ON n.id = i.node_id
        WHERE ${scopeSql('i.node_id', 1)} AND i.accepted_at IS NULL AND i.revoked_at IS NULL
          AND i.expires_at > now()
        ORDER BY i.created_at DESC LIMIT $2`,
      [[nodeId], maxInvitations],
    );
    return rows;
  }

  /** Marks an invitation accepted, once; false when it was taken meanwhile. */
  async accept(id: string, userId: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE invitation SET accepted_at = now(), accepted_by = $2
        WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()`,
      [id, userId],
    );
    return result.rowCount === 1;
  }

  async revokeInvitation(id: string): Promise<void> {
    await this.pool.query(
      'UPDATE invitation SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1',
      [id],
    );
  }
}

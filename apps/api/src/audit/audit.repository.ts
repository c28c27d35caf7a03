import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@sextant/ingest';
import { PrismaService } from '../prisma/prisma.service';
import { scopeSql, type Scope } from '../access/scope';

export interface AuditRecord {
  action: string;
  outcome: 'success' | 'failure';
  actorUserId: string | null;
  actorLabel: string;
  subjectUserId?: string | null;
  nodeId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  sourceIp?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditRow extends Required<Omit<AuditRecord, 'details'>> {
  id: string;
  at: Date;
  details: Record<string, unknown>;
}

export interface AuditFilter {
  nodeId?: string;
  action?: string;
  actorUserId?: string;
  outcome?: string;
  from?: Date;
  to?: Date;
  after?: { at: Date; id: string };
}

const columns = `id, at, action, outcome, actor_user_id AS "actorUserId", actor_label AS "actorLabel",
  subject_user_id AS "subjectUserId", node_id AS "nodeId", target_type AS "targetType",
  target_id AS "targetId", source_ip AS "sourceIp", user_agent AS "userAgent", details`;

/** The audit log's queries: appending (never changing) and listing with filters. */
@Injectable()
export class AuditRepository {
  constructor(private readonly prisma: PrismaService) {}

  async append(record: AuditRecord): Promise<void> {
    await this.prisma.pool.query(
      `INSERT INTO audit_event (id, action, outcome, actor_user_id, actor_label, subject_user_id,
         node_id, target_type, target_id, source_ip, user_agent, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        uuidv7(),
        record.action,
        record.outcome,
        record.actorUserId,
        record.actorLabel.slice(0, 300),
        record.subjectUserId ?? null,
        record.nodeId ?? null,
        record.targetType ?? null,
        record.targetId ?? null,
        record.sourceIp?.slice(0, 100) ?? null,
        record.userAgent?.slice(0, 300) ?? null,
        JSON.stringify(record.details ?? {}),
      ],
    );
  }

  /**
   * Newest first. In a scope: events about nodes in it, and events about accounts (sign-ins)
   * of people who hold a role in it; always the caller's own.
   */
  async list(filter: AuditFilter, scope: Scope, self: string, limit: number): Promise<AuditRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (!scope.all) {
      params.push(scope.roots, self);
      const roots = params.length - 1;
      where.push(`(${scopeSql('node_id', roots)}
        OR (node_id IS NULL AND subject_user_id IN (
              SELECT m.user_id FROM membership m WHERE ${scopeSql('m.node_id', roots)}))
        OR subject_user_id = $${roots + 1}::uuid OR actor_user_id = $${roots + 1}::uuid)`);
    }
    if (filter.nodeId) add(scopeSql('node_id', 0).replace('$0', '?'), [filter.nodeId]);
    if (filter.action) add("action LIKE ? || '%'", filter.action.replace(/[%_\\]/g, '\\$&'));
    if (filter.actorUserId) add('actor_user_id = ?::uuid', filter.actorUserId);
    if (filter.outcome) add('outcome = ?', filter.outcome);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    if (filter.after) {
      params.push(filter.after.at, filter.after.id);
      where.push(`(at, id) < ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(limit);
    const { rows } = await this.prisma.pool.query<AuditRow>(
      `SELECT ${columns} FROM audit_event ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    return rows;
  }
}

import { Injectable } from '@nestjs/common';
import type { MovementModel as Movement, Prisma } from '@sextant/db';
import { scopeCte, type Scope } from '../access/scope';
import { PrismaService } from '../prisma/prisma.service';
import type { MovementModel, MovementSummaryRow } from './movement.model';

export interface MovementFilter {
  resourceId?: string;
  nodeId?: string;
  nodeRole: 'source' | 'destination' | 'either';
  pathId?: string;
  origin?: string;
  from?: Date;
  to?: Date;
  after?: { start: Date; id: string };
  /** Movements with a source or destination in the scope. */
  scope?: Scope;
}

const movementColumns = `id, resource_id AS "resourceId", source_id AS "sourceId",
  destination_id AS "destinationId", item_id AS "itemId", path_id AS "pathId",
  corrects_id AS "correctsId", quantity::text AS quantity, start, stop, unit_price::text AS "unitPrice", origin::text AS origin,
  external_id AS "externalId", created_at AS "createdAt"`;

@Injectable()
export class MovementsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Newest first, keyset after `filter.after`. The hottest read of the API: plain SQL. */
  async list(filter: MovementFilter, limit: number): Promise<MovementModel[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replaceAll('?', `$${params.length}`));
    };
    let scope = '';
    if (filter.scope && !filter.scope.all) {
      params.push(filter.scope.roots);
      scope = scopeCte(params.length);
      where.push(
        '(source_id IN (SELECT id FROM scope) OR destination_id IN (SELECT id FROM scope))',
      );
    }
    if (filter.resourceId) add('resource_id = ?::uuid', filter.resourceId);
    if (filter.nodeId) {
      if (filter.nodeRole === 'source') add('source_id = ?::uuid', filter.nodeId);
      else if (filter.nodeRole === 'destination') add('destination_id = ?::uuid', filter.nodeId);
      else add('(source_id = ?::uuid OR destination_id = ?::uuid)', filter.nodeId);
    }
    if (filter.pathId) add('path_id = ?::uuid', filter.pathId);
    if (filter.origin) add('origin = ?::"MovementOrigin"', filter.origin);
    if (filter.from) add('start >= ?', filter.from);
    if (filter.to) add('start < ?', filter.to);
    if (filter.after) {
      params.push(filter.after.start, filter.after.id);
      where.push(`(start, id) < ($${params.length - 1}, $${params.length}::uuid)`);
    }
    params.push(limit);
    const sql = `${scope} SELECT ${movementColumns} FROM movement
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY start DESC, id DESC LIMIT $${params.length}`;
    const { rows } = await this.prisma.pool.query<MovementModel>(sql, params);
    return rows;
  }

  findById(id: string): Promise<Movement | null> {
    return this.prisma.client.movement.findUnique({ where: { id } });
  }

  findByExternalId(origin: Movement['origin'], externalId: string): Promise<Movement | null> {
    return this.prisma.client.movement.findUnique({
      where: { origin_externalId: { origin, externalId } },
    });
  }

  create(data: Prisma.MovementUncheckedCreateInput): Promise<Movement> {
    return this.prisma.client.movement.create({ data });
  }

  /** Which of the referenced rows exist, in one round trip. */
  async existing(refs: {
    resourceId: string;
    nodeIds: string[];
    itemId?: string;
    pathId?: string;
  }) {
    const { rows } = await this.prisma.pool.query<{ kind: string; id: string }>(
      `SELECT 'resource' AS kind, id::text FROM resource WHERE id = $1::uuid
       UNION ALL SELECT 'node', id::text FROM node WHERE id = ANY($2::uuid[])
       UNION ALL SELECT 'item', id::text FROM item WHERE id = $3::uuid
       UNION ALL SELECT 'path', id::text FROM path WHERE id = $4::uuid`,
      [refs.resourceId, refs.nodeIds, refs.itemId ?? null, refs.pathId ?? null],
    );
    return new Set(rows.map((r) => `${r.kind}:${r.id}`));
  }

  nodeExists(id: string): Promise<boolean> {
    return this.prisma.client.node.count({ where: { id } }).then((n) => n > 0);
  }

  /**
   * Quantities per resource and UTC day of the movements that enter, leave or stay inside the
   * subtree of `nodeId` (each movement counted once).
   */
  async summary(
    nodeId: string,
    from: Date,
    to: Date,
    limit: number,
  ): Promise<MovementSummaryRow[]> {
    const { rows } = await this.prisma.pool.query<MovementSummaryRow>(
      `WITH RECURSIVE tree AS (
         SELECT id FROM node WHERE id = $1::uuid
         UNION ALL SELECT n.id FROM node n JOIN tree t ON n.parent_id = t.id
       )
       SELECT m.resource_id AS "resourceId", r.reference AS "resourceReference", r.unit,
              to_char(date_trunc('day', m.start AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day,
              sum(m.quantity)::text AS quantity,
              sum(m.quantity * coalesce(m.unit_price, r.unit_price))::text AS amount,
              count(*)::int AS movements
         FROM movement m JOIN resource r ON r.id = m.resource_id
        WHERE m.start >= $2 AND m.start < $3
          AND (m.source_id IN (SELECT id FROM tree) OR m.destination_id IN (SELECT id FROM tree))
        GROUP BY 1, 2, 3, 4
        ORDER BY 4, 2 LIMIT $4`,
      [nodeId, from, to, limit],
    );
    return rows;
  }
}

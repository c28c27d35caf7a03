import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';
import { targetKind } from './targets';

/** The queries behind policy decisions: targets' nodes, lineages and scopes. */
@Injectable()
export class AccessRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The nodes a row hangs on, and its variant (see TargetKind); null when it does not exist. */
  async nodesOf(
    kind: string,
    id: string,
  ): Promise<{ nodes: (string | null)[]; variant: string | null } | null> {
    const { rows } = await this.prisma.pool.query<{ node: string | null; variant?: string }>(
      targetKind(kind).sql,
      [id],
    );
    if (!rows.length) return null;
    return { nodes: rows.map((r) => r.node), variant: rows[0].variant ?? null };
  }

  /** For each existing node: its ancestors' ids and its own, root first. */
  async lineages(nodeIds: string[]): Promise<Map<string, string[]>> {
    if (nodeIds.length === 0) return new Map();
    const { rows } = await this.prisma.pool.query<{ start: string; lineage: string[] }>(
      `WITH RECURSIVE up AS (
         SELECT n.id AS start, n.id, n.parent_id, 0 AS depth FROM node n WHERE n.id = ANY($1::uuid[])
         UNION ALL
         SELECT up.start, p.id, p.parent_id, up.depth + 1 FROM node p JOIN up ON p.id = up.parent_id
          WHERE up.depth < 1000
       )
       SELECT start, array_agg(id ORDER BY depth DESC)::text[] AS lineage FROM up GROUP BY start`,
      [nodeIds],
    );
    return new Map(rows.map((r) => [r.start, r.lineage]));
  }

  /** Every node in the subtrees of `roots`. */
  async subtreeIds(roots: string[]): Promise<string[]> {
    if (roots.length === 0) return [];
    const { rows } = await this.prisma.pool.query<{ id: string }>(
      `WITH RECURSIVE down AS (
         SELECT id FROM node WHERE id = ANY($1::uuid[])
         UNION SELECT n.id FROM node n JOIN down d ON n.parent_id = d.id
       )
       SELECT id FROM down`,
      [roots],
    );
    return rows.map((r) => r.id);
  }
}

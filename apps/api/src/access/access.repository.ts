import { Injectable } from '@nestjs/common';
import type DataLoader from 'dataloader';
import { batched } from '../common/batch';
import { isUuid } from '../common/id.pipe';
import { PrismaService } from '../prisma/prisma.service';
import { shaped, targetKind } from './targets';

interface TargetRow {
  nodes: (string | null)[];
  variant: string | null;
}

/** The queries behind policy decisions: targets' nodes, lineages and scopes. */
@Injectable()
export class AccessRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** Per target kind: the rows' nodes, every id asked in one tick read in one query. */
  private readonly targets = new Map<string, DataLoader<string, TargetRow | null, string>>();

  /** Per node: its ancestors' ids and its own, root first; one query per tick. */
  private readonly lineage = batched<string, string[] | null>(
    async (ids) => {
      const { rows } = await this.prisma.pool.query<{ start: string; lineage: string[] }>(
        `WITH RECURSIVE up AS (
         SELECT n.id AS start, n.id, n.parent_id, 0 AS depth FROM node n WHERE n.id = ANY($1::uuid[])
         UNION ALL
         SELECT up.start, p.id, p.parent_id, up.depth + 1 FROM node p JOIN up ON p.id = up.parent_id
          WHERE up.depth < 1000
       )
       SELECT start, array_agg(id ORDER BY depth DESC)::text[] AS lineage FROM up GROUP BY start`,
        [ids],
      );
      return new Map(rows.map((r) => [r.start, r.lineage]));
    },
    null,
    { accepts: isUuid },
  );

  /** The nodes a row hangs on, and its variant (see TargetKind); null when it does not exist. */
  nodesOf(kind: string, id: string): Promise<TargetRow | null> {
    let loader = this.targets.get(kind);
    if (!loader) {
      // The kind's query for one id ($1), run for each id of the batch.
      const sql = `SELECT k.key, t.* FROM unnest($1::text[]) AS k(key)
        CROSS JOIN LATERAL (${targetKind(kind).sql.replaceAll('$1', 'k.key')}) t`;
      loader = batched<string, TargetRow | null>(
        async (ids) => {
          const { rows } = await this.prisma.pool.query<{
            key: string;
            node: string | null;
            variant?: string;
          }>(sql, [ids]);
          const found = new Map<string, TargetRow>();
          for (const row of rows) {
            const target = found.get(row.key) ?? { nodes: [], variant: row.variant ?? null };
            target.nodes.push(row.node);
            found.set(row.key, target);
          }
          return found;
        },
        null,
        { accepts: (key) => shaped(targetKind(kind), key) },
      );
      this.targets.set(kind, loader);
    }
    return loader.load(id);
  }

  /** For each existing node: its ancestors' ids and its own, root first. */
  async lineages(nodeIds: string[]): Promise<Map<string, string[]>> {
    const ids = [...new Set(nodeIds)];
    const lineages = await Promise.all(ids.map((id) => this.lineage.load(id.toLowerCase())));
    return new Map(
      ids.flatMap((id, i) => (lineages[i] ? [[id, lineages[i]] as [string, string[]]] : [])),
    );
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

import { Injectable } from '@nestjs/common';
import type { Prisma } from '@sextant/db';
import { moveTopics } from '@sextant/ingest';
import { append, batched, groupBy } from '../common/batch';
import { isUuid } from '../common/id.pipe';
import { PrismaService } from '../prisma/prisma.service';
import type { NodeModel, SubtreeNodeModel } from './node.model';

type NodeRow = NodeModel;

/** An MQTT path whose topics moved to another namespace with a node's change. */
export interface MovedTopics {
  id: string;
  name: string;
  sourceId: string;
  from: string;
  to: string;
}

interface MqttPathNamespace {
  id: string;
  name: string;
  sourceId: string;
  settings: Record<string, unknown>;
  namespace: string | null;
}

// The MQTT paths from the subtree of $1, with the reference of each one's organisation (the
// nearest organisation at or above its source): the namespace of its topics.
const mqttPathsUnderSql = `
  WITH RECURSIVE down AS (
    SELECT id FROM node WHERE id = $1::uuid
    UNION SELECT n.id FROM node n JOIN down d ON n.parent_id = d.id
  ), up AS (
    SELECT p.id AS path_id, n.parent_id, n.kind, n.reference, 0 AS depth
      FROM path p JOIN node n ON n.id = p.source_id
     WHERE p.protocol = 'mqtt' AND p.source_id IN (SELECT id FROM down)
    UNION ALL
    SELECT up.path_id, n.parent_id, n.kind, n.reference, up.depth + 1
      FROM up JOIN node n ON n.id = up.parent_id
     WHERE up.kind <> 'organisation' AND up.depth < 1000
  )
  SELECT p.id::text, p.name, p.source_id::text AS "sourceId", p.settings,
         up.reference AS namespace
    FROM path p LEFT JOIN up ON up.path_id = p.id AND up.kind = 'organisation'
   WHERE p.protocol = 'mqtt' AND p.source_id IN (SELECT id FROM down)`;

// Raw rows come back with column names; map them to the model's shape.
const nodeColumns = `id, parent_id AS "parentId", kind::text AS kind, name, reference, metadata,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A node and how many of its relatives (children or ancestors) to read. */
interface Relatives {
  id: string;
  limit: number;
}
const relativesKey = (key: Relatives) => `${key.id} ${key.limit}`;

@Injectable()
export class NodesRepository {
  constructor(private readonly prisma: PrismaService) {}

  // GraphQL asks for one node's parent, children or ancestors at a time: the ids asked in one
  // tick are read in one query each (see batched). Keys are lower case, as Postgres prints a UUID.
  private readonly byId = batched<string, NodeRow | null>(
    async (ids) => {
      const { rows } = await this.prisma.pool.query<NodeRow>(
        `SELECT ${nodeColumns} FROM node WHERE id = ANY($1::uuid[])`,
        [ids],
      );
      return new Map(rows.map((r) => [r.id, r]));
    },
    null,
    { accepts: isUuid },
  );

  private readonly childrenOf = batched<Relatives, NodeRow[]>(
    async (keys) => {
      const found = new Map<string, NodeRow[]>();
      for (const [limit, group] of groupBy(keys, (k) => k.limit)) {
        const { rows } = await this.prisma.pool.query<NodeRow & { rank: number }>(
          `SELECT * FROM (
             SELECT ${nodeColumns},
                    row_number() OVER (PARTITION BY parent_id ORDER BY name, id) AS rank
               FROM node WHERE parent_id = ANY($1::uuid[])
           ) c WHERE rank <= $2 ORDER BY "parentId", rank`,
          [group.map((k) => k.id), limit],
        );
        for (const { rank: _rank, ...row } of rows) {
          const key = relativesKey({ id: row.parentId!, limit });
          append(found, key, row);
        }
      }
      return found;
    },
    [],
    { keyOf: relativesKey, accepts: (key) => isUuid(key.id) },
  );

  private readonly ancestorsOf = batched<Relatives, NodeRow[]>(
    async (keys) => {
      const found = new Map<string, NodeRow[]>();
      for (const [limit, group] of groupBy(keys, (k) => k.limit)) {
        const { rows } = await this.prisma.pool.query<NodeRow & { start: string }>(
          `WITH RECURSIVE up AS (
             SELECT c.id AS start, n.*, 0 AS depth
               FROM node c JOIN node n ON n.id = c.parent_id WHERE c.id = ANY($1::uuid[])
             UNION ALL
             SELECT up.start, p.*, up.depth + 1 FROM node p JOIN up ON p.id = up.parent_id
              WHERE up.depth + 1 < $2
           )
           SELECT start, ${nodeColumns} FROM up ORDER BY start, depth DESC`,
          [group.map((k) => k.id), limit],
        );
        for (const { start, ...row } of rows) {
          const key = relativesKey({ id: start, limit });
          append(found, key, row);
        }
      }
      return found;
    },
    [],
    { keyOf: relativesKey, accepts: (key) => isUuid(key.id) },
  );

  findMany(args: Prisma.NodeFindManyArgs): Promise<NodeRow[]> {
    return this.prisma.client.node.findMany(args) as Promise<NodeRow[]>;
  }

  findById(id: string): Promise<NodeRow | null> {
    return this.byId.load(id.toLowerCase());
  }

  /** The first `limit` children of a node, by name. */
  children(id: string, limit: number): Promise<NodeRow[]> {
    return this.childrenOf.load({ id: id.toLowerCase(), limit });
  }

  countByIds(ids: string[]): Promise<number> {
    return this.prisma.client.node.count({ where: { id: { in: ids } } });
  }

  create(data: Prisma.NodeUncheckedCreateInput): Promise<NodeRow> {
    return this.prisma.client.node.create({ data }) as Promise<NodeRow>;
  }

  update(id: string, data: Prisma.NodeUncheckedUpdateInput): Promise<NodeRow> {
    return this.prisma.client.node.update({ where: { id }, data }) as Promise<NodeRow>;
  }

  /**
   * Updates a node whose reference, kind or parent changes, which may change the organisation,
   * hence the topic namespace, of MQTT paths below it: their topics in the old namespace move
   * to the new one in the same transaction, so that no path is left outside its namespace.
   */
  updateMovingTopics(
    id: string,
    data: Prisma.NodeUncheckedUpdateInput,
  ): Promise<{ node: NodeRow; moved: MovedTopics[] }> {
    return this.prisma.client.$transaction(async (tx) => {
      const before = await tx.$queryRawUnsafe<MqttPathNamespace[]>(mqttPathsUnderSql, id);
      const node = (await tx.node.update({ where: { id }, data })) as NodeRow;
      if (before.length === 0) return { node, moved: [] };
      const after = new Map(
        (await tx.$queryRawUnsafe<MqttPathNamespace[]>(mqttPathsUnderSql, id)).map((p) => [
          p.id,
          p.namespace,
        ]),
      );
      const moved: MovedTopics[] = [];
      for (const path of before) {
        const [from, to] = [path.namespace, after.get(path.id)];
        // Into no organisation: nothing to move to; the gateway refuses the path, saying why.
        if (!from || !to || from === to) continue;
        const settings = moveTopics(path.settings, from, to);
        if (!settings) continue;
        await tx.path.update({ where: { id: path.id }, data: { settings: settings as object } });
        moved.push({ id: path.id, name: path.name, sourceId: path.sourceId, from, to });
      }
      return { node, moved };
    });
  }

  delete(id: string): Promise<unknown> {
    return this.prisma.client.node.delete({ where: { id } });
  }

  /** What still refers to a node, to explain why it cannot be deleted. */
  async usage(
    id: string,
  ): Promise<{ children: number; paths: number; items: number; movements: number }> {
    const [children, paths, items, movements] = await Promise.all([
      this.prisma.client.node.count({ where: { parentId: id } }),
      this.prisma.client.path.count({ where: { OR: [{ sourceId: id }, { destinationId: id }] } }),
      this.prisma.client.item.count({ where: { ownerId: id } }),
      this.prisma.client.movement.count({
        where: { OR: [{ sourceId: id }, { destinationId: id }] },
      }),
    ]);
    return { children, paths, items, movements };
  }

  /** From the root down to the node's parent: the nearest `limit` of them. */
  ancestors(id: string, limit: number): Promise<NodeRow[]> {
    return this.ancestorsOf.load({ id: id.toLowerCase(), limit });
  }

  /** The node and everything below it, parents before children. */
  subtree(id: string, limit: number): Promise<SubtreeNodeModel[]> {
    return this.prisma.client.$queryRawUnsafe<SubtreeNodeModel[]>(
      `WITH RECURSIVE down AS (
         SELECT n.*, 0 AS depth, ARRAY[n.name::text, n.id::text] AS sort_key FROM node n WHERE n.id = $1::uuid
         UNION ALL
         SELECT c.*, down.depth + 1, down.sort_key || ARRAY[c.name::text, c.id::text]
           FROM node c JOIN down ON c.parent_id = down.id
       )
       SELECT ${nodeColumns}, depth FROM down ORDER BY sort_key LIMIT $2`,
      id,
      limit,
    );
  }

  /** True when `candidate` lies in the subtree of `id` (or is `id`). */
  async isInSubtree(id: string, candidate: string): Promise<boolean> {
    const rows = await this.prisma.client.$queryRawUnsafe<{ found: boolean }[]>(
      `WITH RECURSIVE up AS (
         SELECT id, parent_id FROM node WHERE id = $2::uuid
         UNION ALL
         SELECT p.id, p.parent_id FROM node p JOIN up ON p.id = up.parent_id
       )
       SELECT EXISTS (SELECT 1 FROM up WHERE id = $1::uuid) AS found`,
      id,
      candidate,
    );
    return rows[0]?.found ?? false;
  }
}

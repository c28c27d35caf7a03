import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { Pool } from 'pg';
import type { ItemBody, ItemReader, ItemRef, JsonValue, NodeReader, NodeRef } from './job-type';

// Items and nodes as tasks read them (a model trained by another run, the machines under a
// fleet), and the bodies of items stored gzipped in item_content.

/** A body ready to store: gzipped, with its size and digest before encoding. */
export interface EncodedContent {
  mediaType: string;
  encoding: 'gzip';
  size: number;
  sha256: string;
  data: Buffer;
}

export function encodeContent(body: ItemBody): EncodedContent {
  return {
    mediaType: body.mediaType,
    encoding: 'gzip',
    size: body.bytes.length,
    sha256: createHash('sha256').update(body.bytes).digest('hex'),
    data: gzipSync(body.bytes),
  };
}

/** A JSON value as an item body. */
export function jsonBody(value: JsonValue | object): ItemBody {
  return { mediaType: 'application/json', bytes: Buffer.from(JSON.stringify(value)) };
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const columns = `i.id, i.kind::text, i.reference, i.name, i.owner_id AS "ownerId", i.metadata,
  i.created_at AS "createdAt"`;

/** The item is in the organisation of node `$n`: what a run owned by that node may read. */
const inReach = (n: number) => `i.reference_scope = node_root($${n}::uuid)`;

/** Items as the tasks of a run owned by `runOwnerId` read them: within its organisation. */
export function itemReader(pool: Pool, runOwnerId: string): ItemReader {
  return {
    async find({ ownerId, kind, type, ancestors = false, limit = 20 }) {
      const { rows } = await pool.query<ItemRef>(
        `WITH RECURSIVE up(id, parent_id, depth) AS (
           SELECT id, parent_id, 0 FROM node WHERE id = $1
           UNION ALL SELECT n.id, n.parent_id, up.depth + 1 FROM node n JOIN up ON n.id = up.parent_id
            WHERE $4::boolean
         )
         SELECT ${columns} FROM item i JOIN up ON up.id = i.owner_id
          WHERE i.kind = $2::"ItemKind" AND ($3::text IS NULL OR i.metadata->>'type' = $3)
            AND ${inReach(6)}
          ORDER BY up.depth, i.created_at DESC, i.id DESC
          LIMIT $5`,
        [ownerId, kind, type ?? null, ancestors, Math.min(Math.max(limit, 1), 1000), runOwnerId],
      );
      return rows;
    },
    async get(idOrReference) {
      const byId = uuidPattern.test(idOrReference);
      const { rows } = await pool.query<ItemRef>(
        `SELECT ${columns} FROM item i
          WHERE ${byId ? 'i.id = $1::uuid' : 'i.reference = $1'} AND ${inReach(2)}`,
        [idOrReference, runOwnerId],
      );
      return rows[0] ?? null;
    },
    async content(itemId) {
      const { rows } = await pool.query(
        `SELECT 1 FROM item i WHERE i.id = $1::uuid AND ${inReach(2)}`,
        [itemId, runOwnerId],
      );
      return rows.length ? readItemContent(pool, itemId) : null;
    },
  };
}

/** The decoded body of an item, null without one. */
export async function readItemContent(pool: Pool, itemId: string): Promise<ItemBody | null> {
  const { rows } = await pool.query<{ mediaType: string; encoding: string; data: Buffer }>(
    `SELECT media_type AS "mediaType", encoding, data FROM item_content WHERE item_id = $1`,
    [itemId],
  );
  if (!rows.length) return null;
  const { mediaType, encoding, data } = rows[0];
  return { mediaType, bytes: encoding === 'gzip' ? gunzipSync(data) : data };
}

const nodeColumns = `id, kind::text, name, reference, parent_id AS "parentId", metadata`;

export function nodeReader(pool: Pool): NodeReader {
  return {
    async descendants(nodeId, { kind, limit = 10_000 } = {}) {
      const { rows } = await pool.query<NodeRef>(
        `WITH RECURSIVE tree(id) AS (
           SELECT id FROM node WHERE parent_id = $1
           UNION ALL SELECT n.id FROM node n JOIN tree t ON n.parent_id = t.id
         )
         SELECT ${nodeColumns} FROM node WHERE id IN (SELECT id FROM tree)
           AND ($2::text IS NULL OR kind = $2::"NodeKind")
         ORDER BY reference LIMIT $3`,
        [nodeId, kind ?? null, limit],
      );
      return rows;
    },
  };
}

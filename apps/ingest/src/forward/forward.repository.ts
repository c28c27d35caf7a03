import { createHash } from 'node:crypto';
import { Client, type Pool } from 'pg';
import { pathTokenSubject, uuidv7, type IngestPath } from '@sextant/ingest';
import { decide } from '@sextant/policy';
import type { ForwardEvent } from './forward-mapping';

/** An id that is the same each time a client retries the same chunk (so retries add nothing). */
function retryStableId(pathId: string, chunk: string, entry: number): string {
  const hex = createHash('sha256').update(`${pathId}\u0000${chunk}\u0000${entry}`).digest('hex');
  // Shaped as a version 8 (custom) UUID.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A token that may write now, with its forward shared key as stored (sealed). */
export interface SealedKeyRow {
  tokenId: string;
  tokenHash: string;
  sealed: Buffer;
}

/** The forward server's queries: handshake keys, path mapping rules and the event log. */
export class ForwardRepository {
  constructor(private readonly pool: Pool) {}

  /** The sealed shared keys of the tokens that may write now (of active paths, unrevoked). */
  async activeSealedKeys(): Promise<SealedKeyRow[]> {
    const { rows } = await this.pool.query<SealedKeyRow>(
      `SELECT t.id AS "tokenId", t.token_hash AS "tokenHash", t.shared_key_sealed AS sealed
         FROM path_token t JOIN path p ON p.id = t.path_id
        WHERE t.revoked_at IS NULL AND p.state = 'active' AND t.shared_key_sealed IS NOT NULL`,
    );
    return rows;
  }

  /**
   * Calls `onChange` on every change that may make a shared key usable or not (a trigger
   * notifies path_token_changed at commit), listening on a connection of its own; after that
   * connection fails it connects again (and calls `onChange`: changes may have been missed).
   * Resolves once listening (or the first try failed); gives the function that stops.
   */
  async watchTokens(
    onChange: () => void,
    log: (line: string) => void,
  ): Promise<() => Promise<void>> {
    let client: Client | null = null;
    let retry: NodeJS.Timeout | null = null;
    let stopped = false;
    const again = (reason: string) => {
      if (stopped || retry) return;
      log(`forward: not notified of token changes (${reason}); listening again in 1 s`);
      client?.end().catch(() => undefined);
      client = null;
      retry = setTimeout(() => {
        retry = null;
        void listen();
      }, 1000);
      retry.unref();
    };
    const listen = async () => {
      const next = new Client(this.pool.options);
      next.on('notification', () => onChange());
      next.on('error', (error) => again(error.message));
      next.on('end', () => next === client && again('connection ended'));
      try {
        await next.connect();
        await next.query('LISTEN path_token_changed');
      } catch (error) {
        next.end().catch(() => undefined);
        return again((error as Error).message);
      }
      if (stopped) return void next.end().catch(() => undefined);
      client = next;
      onChange();
    };
    await listen();
    return async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      await client?.end().catch(() => undefined);
    };
  }

  /** Tokens whose shared key is still in the clear (stored before keys were sealed). */
  async legacyKeys(): Promise<{ tokenId: string; tokenHash: string; key: string }[]> {
    const { rows } = await this.pool.query<{ tokenId: string; tokenHash: string; key: string }>(
      `SELECT id AS "tokenId", token_hash AS "tokenHash", legacy_shared_key AS key
         FROM path_token WHERE legacy_shared_key IS NOT NULL`,
    );
    return rows;
  }

  /**
   * Stores sealed keys in place of the clear ones, in one statement; a row another gateway
   * sealed meanwhile is left as it is.
   */
  async replaceLegacyKeys(sealed: { tokenId: string; key: string; sealed: Buffer }[]) {
    if (sealed.length === 0) return 0;
    const result = await this.pool.query(
      `UPDATE path_token t SET shared_key_sealed = s.sealed, legacy_shared_key = NULL
         FROM unnest($1::uuid[], $2::text[], $3::bytea[]) AS s(id, key, sealed)
        WHERE t.id = s.id AND t.legacy_shared_key = s.key`,
      [sealed.map((s) => s.tokenId), sealed.map((s) => s.key), sealed.map((s) => s.sealed)],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Ids of the nodes with these references that the path may attribute series to: its source
   * node and the nodes under it.
   */
  async nodesUnderSource(
    path: Pick<IngestPath, 'id' | 'sourceId' | 'tokenId'>,
    references: string[],
  ): Promise<Map<string, string>> {
    if (references.length === 0) return new Map();
    // Each named node with its lineage; the policy says whether the path's token may put
    // series on it (its source node or a node under it).
    const { rows } = await this.pool.query<{ id: string; reference: string; lineage: string[] }>(
      `WITH RECURSIVE up AS (
         SELECT n.id AS start, n.id, n.parent_id, 0 AS depth FROM node n WHERE n.reference = ANY($1::text[])
         UNION ALL
         SELECT up.start, p.id, p.parent_id, up.depth + 1 FROM node p JOIN up ON p.id = up.parent_id
          WHERE up.depth < 1000
       )
       SELECT n.id, n.reference, array_agg(up.id ORDER BY up.depth DESC)::text[] AS lineage
         FROM up JOIN node n ON n.id = up.start GROUP BY n.id, n.reference`,
      [references],
    );
    const subject = pathTokenSubject(path);
    return new Map(
      rows
        .filter(
          (r) => decide(subject, 'series.write', { kind: 'nodes', lineages: [r.lineage] }).allow,
        )
        .map((r) => [r.reference, r.id]),
    );
  }

  async mappingOf(pathId: string): Promise<unknown> {
    const { rows } = await this.pool.query<{ mapping: unknown }>(
      'SELECT mapping FROM path WHERE id = $1',
      [pathId],
    );
    return rows[0]?.mapping ?? {};
  }

  /**
   * Stores events in one statement (committed when it returns). With a chunk id the ids are
   * derived from it, so a chunk the client sends again after a lost ack is stored once.
   */
  async insertEvents(pathId: string, events: ForwardEvent[], chunk?: string): Promise<number> {
    if (events.length === 0) return 0;
    const ids: string[] = [];
    const tags: string[] = [];
    const times: string[] = [];
    const timesNs: string[] = [];
    const records: string[] = [];
    for (const event of events) {
      ids.push(chunk ? retryStableId(pathId, chunk, event.entry) : uuidv7());
      tags.push(event.tag);
      times.push(new Date(Number(event.time / 1_000_000n)).toISOString());
      timesNs.push(event.time.toString());
      records.push(JSON.stringify(event.record));
    }
    const result = await this.pool.query(
      `INSERT INTO ingest_event (id, path_id, tag, time, time_ns, record)
       SELECT id, $1, tag, time, time_ns, record
         FROM unnest($2::uuid[], $3::text[], $4::timestamptz[], $5::bigint[], $6::jsonb[])
              AS e(id, tag, time, time_ns, record)
       ON CONFLICT (id) DO NOTHING`,
      [pathId, ids, tags, times, timesNs, records],
    );
    return result.rowCount ?? 0;
  }
}

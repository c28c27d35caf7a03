import type { Pool, PoolClient } from 'pg';
import { copyChunks } from './chunk-copy';
import type { NewChunk } from './new-chunk';
import { scopedSeriesKey } from './series-key';
import type { ChunkSummary } from './summary';
import type { SeriesInfo, SeriesOwner, SeriesValueType } from './types';

export type { NewChunk } from './new-chunk';

/** A chunk row without its data. */
export interface ChunkMeta extends ChunkSummary {
  seriesId: bigint;
  seq: bigint;
  /** Per-grain summaries (see segments.ts), when asked for and present. */
  segments?: Buffer | null;
}

interface ChunkMetaRow {
  series_id: string;
  seq: string;
  start_time: string;
  end_time: string;
  count: number;
  min: number | null;
  max: number | null;
  sum: number | null;
  sum_sq: number | null;
  first: number | null;
  last: number | null;
  segments?: Buffer | null;
}

const metaColumns =
  'series_id, seq, start_time, end_time, count, min, max, sum, sum_sq, first, last';

function toMeta(row: ChunkMetaRow): ChunkMeta {
  return {
    seriesId: BigInt(row.series_id),
    seq: BigInt(row.seq),
    startTime: BigInt(row.start_time),
    endTime: BigInt(row.end_time),
    count: row.count,
    min: row.min,
    max: row.max,
    sum: row.sum,
    sumSq: row.sum_sq,
    first: row.first,
    last: row.last,
    segments: row.segments,
  };
}

interface SeriesRow {
  id: string;
  key: string;
  measurement: string;
  tags: Record<string, string>;
  field: string;
  value_type: SeriesValueType;
  node_id: string | null;
  resource_id: string | null;
}

function toSeries(row: SeriesRow): SeriesInfo {
  return {
    id: BigInt(row.id),
    key: row.key,
    measurement: row.measurement,
    tags: row.tags,
    field: row.field,
    valueType: row.value_type,
    nodeId: row.node_id,
    resourceId: row.resource_id,
  };
}

const seriesColumns =
  'id, key, measurement, tags, field, value_type::text AS value_type, node_id, resource_id';

export interface SeriesFilter {
  ids?: bigint[];
  measurement?: string;
  field?: string;
  tags?: Record<string, string>;
  nodeId?: string;
  resourceId?: string;
  /** Only series on one of these nodes. */
  nodeIds?: string[];
  afterId?: bigint;
  limit: number;
}

/** Every query of the time-series store (plain SQL: this is the hot path). */
export class ChunkRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Creates the missing series (first writer wins the type) and returns all of them, keyed by
   * scopedSeriesKey: a series is unique per node, so a write finds only its own node's.
   */
  async ensureSeries(
    specs: {
      key: string;
      measurement: string;
      tags: Record<string, string>;
      field: string;
      type: SeriesValueType;
      /** Overrides the call's owner for this series. */
      owner?: SeriesOwner;
    }[],
    owner: SeriesOwner,
  ): Promise<Map<string, SeriesInfo>> {
    const keys = specs.map((s) => s.key);
    const nodes = specs.map((s) => (s.owner ?? owner).nodeId ?? null);
    await this.pool.query(
      `INSERT INTO series (key, measurement, tags, field, value_type, node_id, resource_id, path_id)
       SELECT k, m, t::jsonb, f, v::"ValueType", n, r, p
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[], $8::uuid[])
           AS u(k, m, t, f, v, n, r, p)
       ON CONFLICT (node_id, key) DO NOTHING`,
      [
        keys,
        specs.map((s) => s.measurement),
        specs.map((s) => JSON.stringify(s.tags)),
        specs.map((s) => s.field),
        specs.map((s) => s.type),
        nodes,
        specs.map((s) => (s.owner ?? owner).resourceId ?? null),
        specs.map((s) => (s.owner ?? owner).pathId ?? null),
      ],
    );
    // Two halves, each an index lookup on (node_id, key): equality never matches a NULL node.
    const { rows } = await this.pool.query<SeriesRow>(
      `SELECT ${seriesColumns} FROM unnest($1::uuid[], $2::text[]) AS w(n, k)
         JOIN series s ON s.node_id = w.n AND s.key = w.k
       UNION ALL
       SELECT ${seriesColumns} FROM series WHERE node_id IS NULL AND key = ANY($3::text[])`,
      [nodes, keys, keys.filter((_, i) => nodes[i] === null)],
    );
    return new Map(rows.map((r) => [scopedSeriesKey(r.node_id, r.key), toSeries(r)]));
  }

  /** Series matching the filter; `db` runs the query on a caller's connection (transaction). */
  async findSeries(filter: SeriesFilter, db: Pool | PoolClient = this.pool): Promise<SeriesInfo[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      params.push(value);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (filter.ids) add('id = ANY(?::bigint[])', filter.ids.map(String));
    if (filter.measurement) add('measurement = ?', filter.measurement);
    if (filter.field) add('field = ?', filter.field);
    if (filter.tags && Object.keys(filter.tags).length)
      add('tags @> ?::jsonb', JSON.stringify(filter.tags));
    if (filter.nodeId) add('node_id = ?::uuid', filter.nodeId);
    if (filter.resourceId) add('resource_id = ?::uuid', filter.resourceId);
    if (filter.nodeIds) add('node_id = ANY(?::uuid[])', filter.nodeIds);
    if (filter.afterId !== undefined) add('id > ?::bigint', String(filter.afterId));
    params.push(filter.limit);
    const { rows } = await db.query<SeriesRow>(
      `SELECT ${seriesColumns} FROM series ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id LIMIT $${params.length}`,
      params,
    );
    return rows.map(toSeries);
  }

  /** Inserts chunks in one statement (the caller's transaction makes a write atomic). */
  async insertChunks(client: PoolClient | Pool, chunks: NewChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    // New chunks (no sequence number given) on a dedicated connection: binary COPY.
    if ('release' in client && chunks.every((c) => c.seq === undefined))
      return copyChunks(client, chunks);
    const columns = {
      series: [] as string[],
      start: [] as string[],
      end: [] as string[],
      count: [] as number[],
      min: [] as (number | null)[],
      max: [] as (number | null)[],
      sum: [] as (number | null)[],
      sumSq: [] as (number | null)[],
      first: [] as (number | null)[],
      last: [] as (number | null)[],
      data: [] as Buffer[],
      segments: [] as (Buffer | null)[],
      seq: [] as (string | null)[],
    };
    for (const c of chunks) {
      columns.series.push(String(c.seriesId));
      columns.start.push(String(c.startTime));
      columns.end.push(String(c.endTime));
      columns.count.push(c.count);
      columns.min.push(c.min);
      columns.max.push(c.max);
      columns.sum.push(c.sum);
      columns.sumSq.push(c.sumSq);
      columns.first.push(c.first);
      columns.last.push(c.last);
      columns.data.push(c.data);
      columns.segments.push(c.segments);
      columns.seq.push(c.seq === undefined ? null : String(c.seq));
    }
    await client.query(
      `INSERT INTO chunk (series_id, seq, start_time, end_time, count, min, max, sum, sum_sq, first, last, data, segments)
       SELECT s, coalesce(q, nextval('chunk_seq_seq')), st, en, c, mi, ma, su, sq, fi, la, d, g
         FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::int[], $6::float8[], $7::float8[],
                     $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::bytea[], $13::bytea[])
           AS u(s, q, st, en, c, mi, ma, su, sq, fi, la, d, g)`,
      [
        columns.series,
        columns.seq,
        columns.start,
        columns.end,
        columns.count,
        columns.min,
        columns.max,
        columns.sum,
        columns.sumSq,
        columns.first,
        columns.last,
        columns.data,
        columns.segments,
      ],
    );
  }

  /** Chunks of the series that hold points in [from, to), ordered by series, start, seq. */
  async chunksInRange(
    seriesIds: bigint[],
    from: bigint,
    to: bigint,
    options: { segments?: boolean } = {},
  ): Promise<ChunkMeta[]> {
    const { rows } = await this.pool.query<ChunkMetaRow>(
      `SELECT ${metaColumns}${options.segments ? ', segments' : ''} FROM chunk
        WHERE series_id = ANY($1::bigint[]) AND start_time < $3::bigint AND end_time >= $2::bigint
        ORDER BY series_id, start_time, seq`,
      [seriesIds.map(String), String(from), String(to)],
    );
    return rows.map(toMeta);
  }

  /** The data of the given chunks, keyed `seriesId:seq`. */
  async chunkData(chunks: { seriesId: bigint; seq: bigint }[]): Promise<Map<string, Buffer>> {
    if (chunks.length === 0) return new Map();
    const { rows } = await this.pool.query<{ series_id: string; seq: string; data: Buffer }>(
      `SELECT c.series_id, c.seq, c.data FROM chunk c
         JOIN unnest($1::bigint[], $2::bigint[]) AS k(s, q) ON c.series_id = k.s AND c.seq = k.q`,
      [chunks.map((c) => String(c.seriesId)), chunks.map((c) => String(c.seq))],
    );
    return new Map(rows.map((r) => [`${r.series_id}:${r.seq}`, r.data]));
  }

  /** Which of these series exist already on their nodes, as scopedSeriesKey. */
  async existingSeries(series: { nodeId: string | null; key: string }[]): Promise<Set<string>> {
    if (series.length === 0) return new Set();
    const nodes = series.map((s) => s.nodeId);
    const keys = series.map((s) => s.key);
    const { rows } = await this.pool.query<{ node_id: string | null; key: string }>(
      `SELECT s.node_id, s.key FROM unnest($1::uuid[], $2::text[]) AS w(n, k)
         JOIN series s ON s.node_id = w.n AND s.key = w.k
       UNION ALL
       SELECT node_id, key FROM series WHERE node_id IS NULL AND key = ANY($3::text[])`,
      [nodes, keys, keys.filter((_, i) => nodes[i] === null)],
    );
    return new Set(rows.map((r) => scopedSeriesKey(r.node_id, r.key)));
  }

  /**
   * The organisation of each node: the root of its tree (aggregates never merge the series of
   * two organisations).
   */
  async organisationsOf(nodeIds: string[]): Promise<Map<string, string>> {
    if (nodeIds.length === 0) return new Map();
    const { rows } = await this.pool.query<{ start: string; root: string }>(
      `WITH RECURSIVE up AS (
         SELECT id AS start, id, parent_id, 0 AS depth FROM node WHERE id = ANY($1::uuid[])
         UNION ALL
         SELECT up.start, n.id, n.parent_id, up.depth + 1 FROM node n JOIN up ON n.id = up.parent_id
          WHERE up.depth < 1000
       )
       SELECT start, id AS root FROM up WHERE parent_id IS NULL`,
      [nodeIds],
    );
    return new Map(rows.map((r) => [r.start, r.root]));
  }

  /** How many series were first written through the path. */
  async seriesCountOfPath(pathId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM series WHERE path_id = $1::uuid',
      [pathId],
    );
    return rows[0].n;
  }

  /**
   * Data of the committed chunks that overlap [from, to] of each given series (inside the
   * caller's transaction): what a write may overwrite rather than add to.
   */
  async overlappingChunkData(
    client: PoolClient,
    ranges: { seriesId: bigint; from: bigint; to: bigint }[],
  ): Promise<{ seriesId: bigint; data: Buffer }[]> {
    if (ranges.length === 0) return [];
    const { rows } = await client.query<{ series_id: string; data: Buffer }>(
      `SELECT c.series_id, c.data FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS w(s, lo, hi)
         JOIN chunk c ON c.series_id = w.s AND c.start_time <= w.hi AND c.end_time >= w.lo`,
      [
        ranges.map((r) => String(r.seriesId)),
        ranges.map((r) => String(r.from)),
        ranges.map((r) => String(r.to)),
      ],
    );
    return rows.map((r) => ({ seriesId: BigInt(r.series_id), data: r.data }));
  }

  /** Per series, the chunk that holds its latest point (the later write wins a tie). */
  async latestChunks(seriesIds: bigint[]): Promise<ChunkMeta[]> {
    const { rows } = await this.pool.query<ChunkMetaRow>(
      `SELECT l.* FROM unnest($1::bigint[]) AS s(id)
         CROSS JOIN LATERAL (
           SELECT ${metaColumns} FROM chunk WHERE series_id = s.id ORDER BY end_time DESC, seq DESC LIMIT 1
         ) l`,
      [seriesIds.map(String)],
    );
    return rows.map(toMeta);
  }
}

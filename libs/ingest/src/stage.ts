import type {
  PointValue,
  PreparedSeries,
  SeriesValueType,
  TimeSeriesStore,
} from '@sextant/timeseries';
import type { Pool } from 'pg';
import { addToTally, TallyEntry } from './accounting';

// Staging: under heavy load a group commit holds a few points for each of thousands of series,
// and storing them as chunks would make thousands of tiny rows per commit. Instead the commit
// is validated, its series registered, and its points written as one row of `ingest_stage`
// (one INSERT: durable when it returns, so the caller may be answered). A settler moves staged
// rows into chunks a fraction of a second later, many commits at a time, so that chunks hold
// hundreds of points; the rows are deleted and the paths' tallies written in the same
// transaction, so every staged point is stored and accounted exactly once. Staged points
// become visible to queries when settled.
//
// Row format: u32 header length, the header (JSON: path and resource ids, and per series
// [series id, path, resource, type, count, values unless float]), zero padding to 8 bytes,
// then per series its times (int64 LE) and, for floats, its values (float64 LE).

/** Points of one series written through one path, as staged. */
export interface StagedSeries {
  seriesId: bigint;
  pathId: string;
  resourceId: string;
  type: SeriesValueType;
  times: BigInt64Array;
  values: Float64Array | PointValue[];
}

type HeaderSeries = [string, number, number, SeriesValueType, number, unknown[]?];

interface Header {
  v: 1;
  ids: string[];
  series: HeaderSeries[];
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Encodes staged series as one row's data. */
export function encodeStage(series: readonly StagedSeries[]): Buffer {
  const ids: string[] = [];
  const idIndex = new Map<string, number>();
  const index = (id: string) => {
    let i = idIndex.get(id);
    if (i === undefined) idIndex.set(id, (i = ids.push(id) - 1));
    return i;
  };
  let binary = 0;
  const header: Header = {
    v: 1,
    ids,
    series: series.map((s) => {
      const n = s.times.length;
      binary += n * 8 + (s.type === 'float' ? n * 8 : 0);
      const entry: HeaderSeries = [
        String(s.seriesId),
        index(s.pathId),
        index(s.resourceId),
        s.type,
        n,
      ];
      if (s.type !== 'float')
        entry.push(
          Array.from(s.values as PointValue[], (v) => (typeof v === 'bigint' ? String(v) : v)),
        );
      return entry;
    }),
  };
  const json = Buffer.from(JSON.stringify(header));
  const start = Math.ceil((4 + json.length) / 8) * 8;
  const out = Buffer.alloc(start + binary);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let at = start;
  const copy = (array: BigInt64Array | Float64Array) => {
    if (littleEndian) out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    else if (array instanceof BigInt64Array)
      array.forEach((v, i) => out.writeBigInt64LE(v, at + i * 8));
    else array.forEach((v, i) => out.writeDoubleLE(v, at + i * 8));
    at += array.byteLength;
  };
  for (const s of series) {
    copy(s.times);
    if (s.type === 'float') copy(s.values as Float64Array);
  }
  return out;
}

/** Decodes one row's data. */
export function decodeStage(data: Buffer): StagedSeries[] {
  const length = data.readUInt32LE(0);
  const header = JSON.parse(data.toString('utf8', 4, 4 + length)) as Header;
  if (header.v !== 1) throw new Error(`unknown staged row version ${String(header.v)}`);
  const start = Math.ceil((4 + length) / 8) * 8;
  // One aligned copy of the points (a pg Buffer may start anywhere), read through views.
  const aligned = new Uint8Array(data.length - start);
  aligned.set(data.subarray(start));
  const view = new DataView(aligned.buffer);
  let at = 0;
  const take = <T extends BigInt64Array | Float64Array>(kind: 'times' | 'values', n: number): T => {
    const offset = at;
    at += n * 8;
    if (kind === 'times') {
      if (littleEndian) return new BigInt64Array(aligned.buffer, offset, n) as T;
      return BigInt64Array.from({ length: n }, (_, i) =>
        view.getBigInt64(offset + i * 8, true),
      ) as T;
    }
    if (littleEndian) return new Float64Array(aligned.buffer, offset, n) as T;
    return Float64Array.from({ length: n }, (_, i) => view.getFloat64(offset + i * 8, true)) as T;
  };
  return header.series.map(([id, path, resource, type, n, others]) => {
    const times = take<BigInt64Array>('times', n);
    const values: Float64Array | PointValue[] =
      type === 'float'
        ? take<Float64Array>('values', n)
        : (others ?? []).map((v) =>
            type === 'integer' || type === 'unsigned' ? BigInt(v as string) : (v as PointValue),
          );
    return {
      seriesId: BigInt(id),
      pathId: header.ids[path],
      resourceId: header.ids[resource],
      type,
      times,
      values,
    };
  });
}

/** Writes staged rows, and settles them into chunks. */
export class IngestStage {
  constructor(
    private readonly pool: Pool,
    private readonly store: TimeSeriesStore,
  ) {}

  /** Stages the series in one row; durable when this resolves. */
  async write(series: readonly StagedSeries[]): Promise<void> {
    if (series.length === 0) return;
    let points = 0;
    for (const s of series) points += s.times.length;
    await this.pool.query('INSERT INTO ingest_stage (points, data) VALUES ($1, $2)', [
      points,
      encodeStage(series),
    ]);
  }

  /** Points staged and not yet settled. */
  async pending(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string | null }>(
      'SELECT sum(points)::text AS n FROM ingest_stage',
    );
    return Number(rows[0].n ?? 0);
  }

  /**
   * Settles staged rows (oldest first, up to `maxRows` a transaction) until none are left, and
   * returns the points settled. One settler at a time (an advisory lock): rows settle in the
   * order they were staged, so the later write of a timestamp wins; a busy lock returns 0.
   */
  async settle(maxRows = 256, maxPoints = 1_000_000): Promise<number> {
    // Only what is staged now: rows staged while settling wait for the next pass, so that a
    // pass gathers a whole interval of commits (larger chunks) rather than chasing each one.
    const { rows } = await this.pool.query<{ last: string | null }>(
      'SELECT max(seq)::text AS last FROM ingest_stage',
    );
    if (rows[0].last === null) return 0;
    let settled = 0;
    for (;;) {
      const points = await this.settleOnce(maxRows, maxPoints, rows[0].last);
      if (points === null) return settled;
      settled += points;
    }
  }

  /** One transaction of settle(): rows up to `last`; null when nothing was settled. */
  private async settleOnce(
    maxRows: number,
    maxPoints: number,
    last: string,
  ): Promise<number | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Should this settler ever stall holding the lock, the server ends its session and the
      // lock goes with it, rather than every other settler waiting forever.
      await client.query("SET LOCAL idle_in_transaction_session_timeout = '30s'");
      const lock = await client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_xact_lock(7302) AS locked',
      );
      // The oldest rows up to about `maxPoints` points (at least one row): memory stays
      // bounded however long a backlog grows.
      const { rows } = lock.rows[0].locked
        ? await client.query<{ seq: string; data: Buffer }>(
            `SELECT s.seq::text AS seq, s.data FROM ingest_stage s
               JOIN (SELECT seq, sum(points) OVER (ORDER BY seq) - points AS before
                       FROM ingest_stage WHERE seq <= $2::bigint ORDER BY seq LIMIT $1) w
                 ON w.seq = s.seq
              WHERE w.before < $3
              ORDER BY s.seq`,
            [maxRows, last, maxPoints],
          )
        : { rows: [] };
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return null;
      }
      // Per series and path, the points in the order they were staged.
      const groups = new Map<string, StagedSeries[]>();
      for (const row of rows) {
        for (const s of decodeStage(row.data)) {
          const key = `${s.seriesId}\u0000${s.pathId}\u0000${s.resourceId}`;
          const list = groups.get(key);
          if (list) list.push(s);
          else groups.set(key, [s]);
        }
      }
      const parts = [...groups.values()];
      const series = await this.store.seriesByIds(
        [...new Set(parts.map((p) => p[0].seriesId))],
        client,
      );
      const prepared: PreparedSeries[] = [];
      const owners: { pathId: string; resourceId: string }[] = [];
      for (const part of parts) {
        const info = series.get(part[0].seriesId);
        // A series deleted since it was staged: its points have nowhere to go.
        if (!info) continue;
        prepared.push({ batch: owners.length, series: info, ...concat(part) });
        owners.push({ pathId: part[0].pathId, resourceId: part[0].resourceId });
      }
      const result = await this.store.writePrepared(prepared, {
        client,
        countNew: true,
        inTransaction: async (tx, accepted) => {
          const byPath = new Map<string, TallyEntry[]>();
          for (const a of accepted) {
            if (a.newPoints === 0) continue;
            const { pathId, resourceId } = owners[a.batch];
            const entries = byPath.get(pathId) ?? [];
            entries.push({
              resourceId,
              points: a.newPoints,
              firstTime: a.firstTime,
              lastTime: a.lastTime,
            });
            byPath.set(pathId, entries);
          }
          for (const [pathId, entries] of byPath) await addToTally(tx, pathId, entries);
        },
      });
      await client.query('DELETE FROM ingest_stage WHERE seq = ANY($1::bigint[])', [
        rows.map((r) => r.seq),
      ]);
      await client.query('COMMIT');
      return result.accepted;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The points of several staged parts of one series, in order. */
function concat(parts: StagedSeries[]): Pick<PreparedSeries, 'times' | 'values'> {
  if (parts.length === 1) return { times: parts[0].times, values: parts[0].values };
  let n = 0;
  for (const p of parts) n += p.times.length;
  const times = new BigInt64Array(n);
  const float = parts[0].type === 'float';
  const floats = float ? new Float64Array(n) : null;
  const others: PointValue[] = [];
  let at = 0;
  for (const p of parts) {
    times.set(p.times, at);
    if (floats) floats.set(p.values as Float64Array, at);
    else for (const v of p.values as PointValue[]) others.push(v);
    at += p.times.length;
  }
  return { times, values: floats ?? others };
}

/**
 * Settles the stage every `intervalMs` (never two passes at once), and once more on stop. A
 * failed pass is logged and tried again at the next interval: staged rows stay until settled.
 */
export class Settler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly stage: IngestStage,
    private readonly intervalMs: number,
    private readonly log: (line: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.pass(), this.intervalMs);
    this.timer.unref();
    void this.pass();
  }

  /** One pass, or the one in progress. */
  pass(): Promise<void> {
    this.running ??= this.stage
      .settle()
      .then(
        () => undefined,
        (error: Error) => this.log(`ingest: settling staged writes failed: ${error.message}`),
      )
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Stops the timer after a last pass. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    await this.pass();
  }
}

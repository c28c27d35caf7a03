import { binaryCopyHeader, binaryCopyTrailer } from '@sextant/timeseries';
import type {
  PointValue,
  PreparedSeries,
  SeriesValueType,
  TimeSeriesStore,
} from '@sextant/timeseries';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
// Row format 2 (little-endian, sections aligned to 8 bytes): u32 0xffffffff, u32 2, u32 series
// count G, u32 point count N, u32 length of a JSON array of the path and resource ids, that
// JSON; then per series its id (i64 × G), where its points start (i32 × G+1), its path and
// resource (indexes into the ids, u32 × G each) and value type (u8 × G); then every point's
// time (i64 × N, series after series) and float value (f64 × N, 0 for other types), and a u32
// length and a JSON array holding the values of each non-float series (integers as strings).
// Writing and reading a row is copying arrays. Format 1 (a JSON header first) is still read:
// rows a gateway of an earlier version left behind.

/** The points of several series, each written through one path, in columns. */
export interface StagedColumns {
  /** The path and resource ids the series refer to. */
  ids: string[];
  /** Per series: its id, */
  seriesIds: BigInt64Array;
  /** its path and resource (indexes into `ids`), */
  paths: Uint32Array;
  resources: Uint32Array;
  /** its value type (an index into `stagedTypes`), */
  types: Uint8Array;
  /** and where its points start in `times` and `floats` (one more entry: the end). */
  offsets: Int32Array;
  /** Nanoseconds since the epoch. */
  times: BigInt64Array;
  /** Values of the points of float series (others: 0). */
  floats: Float64Array;
  /** Values of the points of each non-float series (null for float series). */
  others: (PointValue[] | null)[];
}

/** Value types by their code in staged columns. */
export const stagedTypes: readonly SeriesValueType[] = [
  'float',
  'integer',
  'unsigned',
  'boolean',
  'string',
];
const marker = 0xffffffff;
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const align = (n: number) => Math.ceil(n / 8) * 8;

/** A row being staged: its data, with views of its times and float values to fill in. */
export interface StageRowDraft {
  data: Buffer;
  times: BigInt64Array;
  floats: Float64Array;
}

/**
 * Lays out the row of staged columns whose values of non-float series are known: the caller
 * writes the points' times and float values straight into the draft's views (no copy).
 */
export function draftStageRow(columns: Omit<StagedColumns, 'times' | 'floats'>): StageRowDraft {
  if (!littleEndian) throw new Error('staging needs a little-endian machine');
  const { ids, seriesIds, paths, resources, types, offsets, others } = columns;
  const g = seriesIds.length;
  const n = offsets[g];
  const otherValues: unknown[][] = [];
  for (let k = 0; k < g; k++)
    if (types[k] !== 0)
      otherValues.push(Array.from(others[k] ?? [], (v) => (typeof v === 'bigint' ? String(v) : v)));
  const idsJson = Buffer.from(JSON.stringify(ids));
  const othersJson = otherValues.length ? Buffer.from(JSON.stringify(otherValues)) : null;
  const head = align(20 + idsJson.length);
  const tables = align(g * 8 + (g + 1) * 4 + g * 4 + g * 4 + g);
  const size = head + tables + n * 16 + 4 + (othersJson?.length ?? 0);
  // Its own memory (never a shared pool slice): the data can be handed to another thread.
  const data = Buffer.allocUnsafeSlow(size);
  data.fill(0, 0, head + tables);
  data.writeUInt32LE(marker, 0);
  data.writeUInt32LE(2, 4);
  data.writeUInt32LE(g, 8);
  data.writeUInt32LE(n, 12);
  data.writeUInt32LE(idsJson.length, 16);
  idsJson.copy(data, 20);
  let at = head;
  const put = (array: ArrayBufferView) => {
    data.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    at += array.byteLength;
  };
  put(seriesIds);
  put(offsets.subarray(0, g + 1));
  put(paths);
  put(resources);
  put(types);
  at = head + tables;
  const times = new BigInt64Array(data.buffer, data.byteOffset + at, n);
  const floats = new Float64Array(data.buffer, data.byteOffset + at + n * 8, n);
  at += n * 16;
  data.writeUInt32LE(othersJson?.length ?? 0, at);
  othersJson?.copy(data, at + 4);
  return { data, times, floats };
}

/** Encodes staged columns as one row's data. */
export function encodeStage(columns: StagedColumns): Buffer {
  const draft = draftStageRow(columns);
  const n = draft.times.length;
  draft.times.set(columns.times.subarray(0, n));
  draft.floats.set(columns.floats.subarray(0, n));
  return draft.data;
}

/** The points a staged row holds (either format). */
export function stagedPoints(data: Buffer): number {
  return data.readUInt32LE(0) === marker ? data.readUInt32LE(12) : decodeStageV1(data).times.length;
}

/** Decodes one row's data (either format). */
export function decodeStage(data: Buffer): StagedColumns {
  if (data.readUInt32LE(0) !== marker) return decodeStageV1(data);
  const version = data.readUInt32LE(4);
  if (version !== 2) throw new Error(`unknown staged row version ${version}`);
  const g = data.readUInt32LE(8);
  const n = data.readUInt32LE(12);
  const idsLength = data.readUInt32LE(16);
  const ids = JSON.parse(data.toString('utf8', 20, 20 + idsLength)) as string[];
  const head = align(20 + idsLength);
  // Read through views: of the data itself when aligned (a row this process staged), else of
  // one aligned copy (a Buffer from the database may start anywhere).
  let buffer: ArrayBufferLike = data.buffer;
  let base = data.byteOffset + head;
  if (base % 8 !== 0) {
    const copy = new Uint8Array(data.length - head);
    copy.set(data.subarray(head));
    buffer = copy.buffer;
    base = 0;
  }
  const seriesIds = new BigInt64Array(buffer, base, g);
  const offsets = new Int32Array(buffer, base + g * 8, g + 1);
  const paths = new Uint32Array(buffer, base + g * 8 + (g + 1) * 4, g);
  const resources = new Uint32Array(buffer, base + g * 8 + (g + 1) * 4 + g * 4, g);
  const types = new Uint8Array(buffer, base + g * 8 + (g + 1) * 4 + g * 8, g);
  const tables = align(g * 8 + (g + 1) * 4 + g * 4 + g * 4 + g);
  const times = new BigInt64Array(buffer, base + tables, n);
  const floats = new Float64Array(buffer, base + tables + n * 8, n);
  const at = base + tables + n * 16;
  const othersLength = new DataView(buffer).getUint32(at, true);
  const otherValues = othersLength
    ? (JSON.parse(Buffer.from(buffer, at + 4, othersLength).toString('utf8')) as unknown[][])
    : [];
  let other = 0;
  const others: StagedColumns['others'] = [];
  for (let k = 0; k < g; k++) {
    const type = stagedTypes[types[k]];
    if (!type) throw new Error(`staged row: unknown value type ${types[k]}`);
    others.push(type === 'float' ? null : fromJson(type, otherValues[other++] ?? []));
  }
  return { ids, seriesIds, paths, resources, types, offsets, times, floats, others };
}

/** Values of a non-float series as staged in JSON (integers as strings). */
function fromJson(type: SeriesValueType, values: unknown[]): PointValue[] {
  return type === 'integer' || type === 'unsigned'
    ? values.map((v) => BigInt(v as string))
    : (values as PointValue[]);
}

type HeaderSeriesV1 = [string, number, number, SeriesValueType, number, unknown[]?];

/**
 * Format 1: u32 header length, the header (JSON: `{v: 1, ids, series: [[series id, path,
 * resource, type, count, values unless float]]}`), zero padding to 8 bytes, then per series
 * its times (i64) and, for floats, its values (f64).
 */
function decodeStageV1(data: Buffer): StagedColumns {
  const length = data.readUInt32LE(0);
  const header = JSON.parse(data.toString('utf8', 4, 4 + length)) as {
    v: number;
    ids: string[];
    series: HeaderSeriesV1[];
  };
  if (header.v !== 1) throw new Error(`unknown staged row version ${String(header.v)}`);
  const g = header.series.length;
  let n = 0;
  for (const entry of header.series) n += entry[4];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const columns: StagedColumns = {
    ids: header.ids,
    seriesIds: new BigInt64Array(g),
    paths: new Uint32Array(g),
    resources: new Uint32Array(g),
    types: new Uint8Array(g),
    offsets: new Int32Array(g + 1),
    times: new BigInt64Array(n),
    floats: new Float64Array(n),
    others: [],
  };
  let at = align(4 + length);
  let point = 0;
  header.series.forEach(([id, path, resource, type, count, values], k) => {
    columns.seriesIds[k] = BigInt(id);
    columns.paths[k] = path;
    columns.resources[k] = resource;
    columns.types[k] = stagedTypes.indexOf(type);
    columns.offsets[k] = point;
    for (let i = 0; i < count; i++) columns.times[point + i] = view.getBigInt64(at + i * 8, true);
    at += count * 8;
    if (type === 'float') {
      for (let i = 0; i < count; i++) columns.floats[point + i] = view.getFloat64(at + i * 8, true);
      at += count * 8;
    }
    point += count;
    columns.others.push(type === 'float' ? null : fromJson(type, values ?? []));
  });
  columns.offsets[g] = point;
  return columns;
}

/** Data of staged rows kept in memory beyond which the oldest are let go (read back instead). */
const maxHeldBytes = 48 * 1024 * 1024;
/** Held data older than this is let go: its row was settled by another process. */
const maxHeldMs = 60_000;

export interface StageOptions {
  /** Called with each row this process stages: its data may be handed to a settler to hold. */
  onStaged?: (seq: string, data: Buffer) => void;
  /** Called with the rows a settling transaction turned into chunks, once it committed. */
  onSettled?: (seqs: string[]) => void;
}

/** Writes staged rows, and settles them into chunks. */
export class IngestStage {
  /** Data of rows staged by this process, by seq: settling them reads nothing back. */
  private readonly held = new Map<string, { data: Buffer; at: number }>();
  private heldBytes = 0;
  private readonly scratch = new GatherScratch();

  constructor(
    private readonly pool: Pool,
    private readonly store: TimeSeriesStore,
    private readonly options: StageOptions = {},
  ) {}

  /** Stages the columns in one row; durable when this resolves. */
  async write(columns: StagedColumns): Promise<void> {
    await this.writeRow(encodeStage(columns));
  }

  /** Stages one row's data (see draftStageRow); durable when this resolves. */
  async writeRow(data: Buffer): Promise<void> {
    const points = stagedPoints(data);
    if (points === 0) return;
    // COPY sends the data as it is (a parameter would be copied into the driver's message
    // first), in its own transaction: durable once the COPY completes.
    const client = await this.pool.connect();
    let seq: string;
    try {
      const { rows } = await client.query<{ seq: string }>(
        "SELECT nextval('chunk_seq_seq')::text AS seq",
      );
      seq = rows[0].seq;
      const head = Buffer.alloc(binaryCopyHeader.length + 2 + 12 + 8 + 4);
      let at = binaryCopyHeader.copy(head, 0);
      at = head.writeInt16BE(3, at);
      at = head.writeInt32BE(8, at);
      at = head.writeBigInt64BE(BigInt(seq), at);
      at = head.writeInt32BE(4, at);
      at = head.writeInt32BE(points, at);
      head.writeInt32BE(data.length, at);
      const stream = client.query(
        copyFrom('COPY ingest_stage (seq, points, data) FROM STDIN (FORMAT binary)'),
      );
      await pipeline(Readable.from([head, data, binaryCopyTrailer]), stream);
    } finally {
      client.release();
    }
    this.options.onStaged?.(seq, data);
  }

  /**
   * Keeps the data of a staged row (as written by this process's writer) until it is settled,
   * so that settling does not read it back from the database. Bounded: the oldest are let go.
   * Returns the row's points.
   */
  hold(seq: string, data: Buffer): number {
    this.held.set(seq, { data, at: Date.now() });
    this.heldBytes += data.length;
    for (const [oldest, entry] of this.held) {
      if (this.heldBytes <= maxHeldBytes && Date.now() - entry.at < maxHeldMs) break;
      this.letGo(oldest);
    }
    return stagedPoints(data);
  }

  private letGo(seq: string): void {
    const entry = this.held.get(seq);
    if (!entry) return;
    this.heldBytes -= entry.data.length;
    this.held.delete(seq);
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
   * A transaction gathers about `maxPoints` points: a pass costs some 60-80 bytes a point
   * while it runs (gathered columns, sorted copies, encoded chunks, the insert's buffers), so
   * passes of 400,000 keep the gateway's peak RSS near 300 MB at 1.3-1.5 million points/s
   * where a million took it to 304-351 MB (npm run bench:ingest); the smaller chunks they make
   * are merged by compaction later.
   */
  async settle(maxRows = 256, maxPoints = 400_000): Promise<number> {
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
        ? await client.query<{ seq: string }>(
            `SELECT seq::text AS seq FROM (
               SELECT seq, sum(points) OVER (ORDER BY seq) - points AS before
                 FROM ingest_stage WHERE seq <= $2::bigint ORDER BY seq LIMIT $1) w
              WHERE before < $3
              ORDER BY seq`,
            [maxRows, last, maxPoints],
          )
        : { rows: [] };
      if (rows.length === 0) {
        await client.query('ROLLBACK');
        return null;
      }
      // Rows staged by this process are held in memory; only the others are read back.
      const seqs = rows.map((r) => r.seq);
      const unheld = seqs.filter((seq) => !this.held.has(seq));
      const read = new Map<string, Buffer>();
      if (unheld.length) {
        const found = await client.query<{ seq: string; data: Buffer }>(
          'SELECT seq::text AS seq, data FROM ingest_stage WHERE seq = ANY($1::bigint[])',
          [unheld],
        );
        for (const row of found.rows) read.set(row.seq, row.data);
      }
      const parts = gatherStaged(
        seqs.map((seq) => decodeStage(this.held.get(seq)?.data ?? read.get(seq)!)),
        // One transaction at a time settles (see settle): one set of arrays serves them all.
        this.scratch,
      );
      const series = await this.store.seriesByIds(
        [...new Set(parts.map((p) => p.seriesId))],
        client,
      );
      const prepared: PreparedSeries[] = [];
      const owners: { pathId: string; resourceId: string }[] = [];
      for (const part of parts) {
        const info = series.get(part.seriesId);
        // A series deleted since it was staged: its points have nowhere to go.
        if (!info) continue;
        prepared.push({
          batch: owners.length,
          series: info,
          times: part.times,
          values: part.values,
        });
        owners.push({ pathId: part.pathId, resourceId: part.resourceId });
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
      await client.query('DELETE FROM ingest_stage WHERE seq = ANY($1::bigint[])', [seqs]);
      await client.query('COMMIT');
      for (const seq of seqs) this.letGo(seq);
      this.options.onSettled?.(seqs);
      return result.accepted;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/** The points of one series written through one path, gathered from staged rows. */
export interface GatheredSeries {
  seriesId: bigint;
  pathId: string;
  resourceId: string;
  type: SeriesValueType;
  /** In the order they were staged (a later value of a timestamp wins). */
  times: BigInt64Array;
  values: Float64Array | PointValue[];
}

function columnsFor(n: number): { times: BigInt64Array; floats: Float64Array } {
  return { times: new BigInt64Array(n), floats: new Float64Array(n) };
}

/**
 * Arrays that successive settling passes gather into (one pass at a time: what a pass
 * gathered is overwritten by the next), so that each pass does not map megabytes afresh.
 */
export class GatherScratch {
  private times: BigInt64Array = new BigInt64Array(0);
  private floats: Float64Array = new Float64Array(0);

  /** Views of n times and values. */
  take(n: number): { times: BigInt64Array; floats: Float64Array } {
    if (this.times.length < n) ({ times: this.times, floats: this.floats } = columnsFor(n));
    return { times: this.times.subarray(0, n), floats: this.floats.subarray(0, n) };
  }
}

/**
 * Gathers the points of staged rows per series, path and resource, in the order of the rows:
 * one copy of all times and values into two arrays (word by word: no BigInt, no view per
 * part), each series a view of its share.
 */
export function gatherStaged(
  rows: readonly StagedColumns[],
  scratch?: GatherScratch,
): GatheredSeries[] {
  const groups: GatheredSeries[] = [];
  const counts: number[] = [];
  // Series ids stay far below 2^53: a number key, read from the id's words.
  const bySeries = new Map<number, number[]>();
  const groupOf = rows.map((row) => {
    const g = row.seriesIds.length;
    const words = new Int32Array(row.seriesIds.buffer, row.seriesIds.byteOffset, g * 2);
    const groupOfSeries = new Int32Array(g);
    for (let k = 0; k < g; k++) {
      const id = words[2 * k + 1] * 4294967296 + (words[2 * k] >>> 0);
      const pathId = row.ids[row.paths[k]];
      const resourceId = row.ids[row.resources[k]];
      const type = stagedTypes[row.types[k]];
      let candidates = bySeries.get(id);
      if (!candidates) bySeries.set(id, (candidates = []));
      let group = -1;
      for (const c of candidates) {
        const other = groups[c];
        if (other.pathId === pathId && other.resourceId === resourceId && other.type === type)
          group = c;
      }
      if (group < 0) {
        group = groups.length;
        groups.push({
          seriesId: row.seriesIds[k],
          pathId,
          resourceId,
          type,
          times: new BigInt64Array(0),
          values: [],
        });
        counts.push(0);
        candidates.push(group);
      }
      groupOfSeries[k] = group;
      counts[group] += row.offsets[k + 1] - row.offsets[k];
    }
    return groupOfSeries;
  });
  const starts = new Int32Array(groups.length + 1);
  for (let k = 0; k < groups.length; k++) starts[k + 1] = starts[k] + counts[k];
  const total = starts[groups.length];
  const { times, floats } = scratch ? scratch.take(total) : columnsFor(total);
  const words = new Int32Array(times.buffer, times.byteOffset, total * 2);
  const others = groups.map((g) => (g.type === 'float' ? null : ([] as PointValue[])));
  const cursor = starts.slice(0, groups.length);
  rows.forEach((row, r) => {
    const from = new Int32Array(row.times.buffer, row.times.byteOffset, row.times.length * 2);
    const values = row.floats;
    const { offsets } = row;
    for (let k = 0; k < row.seriesIds.length; k++) {
      const group = groupOf[r][k];
      const list = others[group];
      let at = cursor[group];
      if (list) for (const v of row.others[k] ?? []) list.push(v);
      for (let i = offsets[k]; i < offsets[k + 1]; i++, at++) {
        words[2 * at] = from[2 * i];
        words[2 * at + 1] = from[2 * i + 1];
        floats[at] = values[i];
      }
      cursor[group] = at;
    }
  });
  groups.forEach((group, k) => {
    group.times = times.subarray(starts[k], starts[k + 1]);
    group.values = others[k] ?? floats.subarray(starts[k], starts[k + 1]);
  });
  return groups.filter((group) => group.times.length > 0);
}

/**
 * Settles the stage every `intervalMs` (never two passes at once), and once more on stop. A
 * failed pass is logged and tried again at the next interval: staged rows stay until settled.
 */
export class Settler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Points staged since the last pass began (as told by nudge). */
  private staged = 0;

  constructor(
    private readonly stage: IngestStage,
    private readonly intervalMs: number,
    private readonly log: (line: string) => void,
    /** Staged points that start a pass before the interval is over (busy writers). */
    private readonly eagerPoints = 1_000_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.pass(), this.intervalMs);
    this.timer.unref();
    void this.pass();
  }

  /**
   * Tells of points just staged: past `eagerPoints` a pass starts at once, so that under heavy
   * load staged points become chunks (visible to queries) sooner and in passes of bounded size.
   */
  nudge(points: number): void {
    this.staged += points;
    if (this.staged >= this.eagerPoints && !this.running) void this.pass();
  }

  /** One pass, or the one in progress. */
  pass(): Promise<void> {
    if (!this.running) this.staged = 0;
    this.running ??= this.stage
      .settle()
      .then(
        () => undefined,
        (error: Error) => this.log(`ingest: settling staged writes failed: ${error.message}`),
      )
      .finally(() => {
        this.running = null;
        if (this.staged >= this.eagerPoints) void this.pass();
      });
    return this.running;
  }

  /** Stops the timer after a last pass. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.staged = 0;
    await this.running;
    await this.pass();
  }
}

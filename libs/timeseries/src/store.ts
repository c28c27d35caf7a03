import type { Pool, PoolClient } from 'pg';
import { groupBySeries, keyProblem, nameProblem, valueProblem } from './batch';
import { ChunkMeta, ChunkRepository, NewChunk } from './chunk.repository';
import { ChunkValues, decodeChunk, encodeChunk } from './chunk-codec';
import { encodeSegments } from './segments';
import { scopedSeriesKey, seriesKey, sortedTags } from './series-key';
import { timeOffsets } from './time';
import { numeric, summarise } from './summary';
import type {
  Point,
  PointValue,
  RejectedPoint,
  SeriesInfo,
  SeriesOwner,
  SeriesValueType,
  WriteResult,
} from './types';

export interface StoreOptions {
  /** Points per chunk written by compaction (and the most a write puts in one chunk). */
  chunkSize?: number;
}

/** A series as a write names it, with its type and who owns it if it is new. */
export interface SeriesSpec {
  measurement: string;
  tags: Record<string, string>;
  field: string;
  type: SeriesValueType;
  /** The canonical key, when the caller has it already. */
  key?: string;
  /**
   * The node the series is on (its scope: the same key on another node is another series),
   * and its resource and path if it is new (default: the call's owner).
   */
  owner?: SeriesOwner;
}

/** Points of one series, sorted by time, one value per timestamp. */
export interface SeriesPoints {
  times: BigInt64Array;
  /** A Float64Array for float series. */
  values: ArrayLike<PointValue>;
}

/**
 * The columnar form of a write: the points of one series as parallel arrays (the fast path:
 * no object per point). Times are nanoseconds since the epoch and need not be sorted.
 */
export interface ColumnBatch {
  measurement: string;
  tags?: Record<string, string>;
  field: string;
  /** Inferred from the first value when absent (a Float64Array means float). */
  type?: SeriesValueType;
  times: BigInt64Array | readonly bigint[];
  values: Float64Array | readonly PointValue[];
  /**
   * The node the series is on (its scope: the same key on another node is another series),
   * and its resource and path if it is new (default: the call's owner).
   */
  owner?: SeriesOwner;
}

export interface WriteOptions {
  /**
   * Count, per accepted batch, the points whose timestamp no committed chunk holds yet
   * (`AcceptedBatch.newPoints`): a retried batch then counts nothing twice. Costs one indexed
   * query per write, and decoding only the chunks that the write overlaps.
   */
  countNew?: boolean;
  /**
   * Runs inside the write's transaction after the chunks are inserted, with what was
   * accepted per batch (e.g. accounting that must commit with the points, or not at all).
   */
  inTransaction?: (client: PoolClient, accepted: AcceptedBatch[]) => Promise<void>;
}

/** What a write stored of one series. */
export interface AcceptedBatch {
  /** Index of the batch in writeColumns' batches (-1 for write()). */
  batch: number;
  series: SeriesInfo;
  points: number;
  /** With `countNew`: points at timestamps the series did not hold before this write. */
  newPoints: number;
  firstTime: bigint;
  lastTime: bigint;
}

/** A series' validated points, ready for writePrepared. */
export interface PreparedSeries {
  /** Index of the batch in writeColumns' batches (-1 for write()). */
  batch: number;
  series: SeriesInfo;
  /** Not necessarily sorted or unique. */
  times: BigInt64Array;
  values: Float64Array | PointValue[];
}

/** One series' share of a write, validated. */
interface SeriesWrite {
  key: string;
  measurement: string;
  tags: Record<string, string>;
  field: string;
  type: SeriesValueType;
  times: BigInt64Array;
  values: Float64Array | PointValue[];
  /** Index in the caller's batch of each point, to report rejections. */
  indexOf: (i: number) => number;
  owner?: SeriesOwner;
  /** Index of the batch in writeColumns' batches. */
  batch?: number;
}

export const defaultChunkSize = 4096;

function inferType(value: PointValue | undefined): SeriesValueType {
  switch (typeof value) {
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'string';
    default:
      return 'float';
  }
}

/** The values in the codec's representation. */
function codecValues(type: SeriesValueType, values: ArrayLike<PointValue>): ChunkValues {
  switch (type) {
    case 'float':
      return values instanceof Float64Array ? values : Float64Array.from(values as number[]);
    case 'integer':
    case 'unsigned':
      return Array.from(values as ArrayLike<number | bigint>, (v) => BigInt(v));
    case 'boolean':
      return Array.from(values as ArrayLike<boolean>);
    case 'string':
      return Array.from(values as ArrayLike<string>);
  }
}

/** Numeric view of the values for summaries, or null for strings. */
function numbers(type: SeriesValueType, values: ChunkValues): Float64Array | null {
  if (type === 'string') return null;
  if (values instanceof Float64Array) return values;
  return Float64Array.from(values as ArrayLike<unknown>, (v) => numeric(v, type)!);
}

/**
 * The indexes of keys in ascending order, stable (equal keys keep their order). A natural
 * merge sort: the runs already in order (the usual case: batches of concurrent writers, each
 * sorted, arriving slightly out of order) are merged, never compared element by element again.
 */
export function timeOrder(keys: Float64Array): Int32Array {
  const n = keys.length;
  let runs: number[] = [0];
  for (let i = 1; i < n; i++) if (keys[i] < keys[i - 1]) runs.push(i);
  runs.push(n);
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let merged = new Int32Array(n);
  while (runs.length > 2) {
    const next = [0];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const lo = runs[r];
      const mid = runs[r + 1];
      const hi = r + 2 < runs.length ? runs[r + 2] : mid;
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi)
        merged[k++] = keys[order[j]] < keys[order[i]] ? order[j++] : order[i++];
      while (i < mid) merged[k++] = order[i++];
      while (j < hi) merged[k++] = order[j++];
      next.push(hi);
    }
    [order, merged] = [merged, order];
    runs = next;
  }
  return order;
}

/** Sorts by time; for a repeated timestamp the last value written stays (as InfluxDB). */
export function sortAndDedupe<V>(
  times: BigInt64Array,
  values: ArrayLike<V>,
): { times: BigInt64Array; values: ArrayLike<V> } {
  const n = times.length;
  // Offsets from the first time as exact doubles: comparing BigInt64Array elements would
  // allocate a BigInt per access. Beyond 2^53 ns of span, two exact halves instead.
  const offsets = timeOffsets(times);
  let high: Float64Array;
  let low: Float64Array;
  if (offsets) {
    let sorted = true;
    for (let i = 1; i < n && sorted; i++) if (offsets[i] <= offsets[i - 1]) sorted = false;
    if (sorted) return { times, values };
    high = offsets;
    low = new Float64Array(n);
  } else {
    high = new Float64Array(n);
    low = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const t = times[i];
      high[i] = Number(t >> 32n);
      low[i] = Number(t & 0xffffffffn);
    }
    let sorted = true;
    for (let i = 1; i < n && sorted; i++)
      if (high[i] < high[i - 1] || (high[i] === high[i - 1] && low[i] <= low[i - 1]))
        sorted = false;
    if (sorted) return { times, values };
  }
  let order: ArrayLike<number>;
  if (offsets) order = timeOrder(offsets);
  else {
    const indexes = Array.from({ length: n }, (_, i) => i);
    // Stable: among equal times the later arrival stays later, and wins below.
    indexes.sort((a, b) => high[a] - high[b] || low[a] - low[b] || a - b);
    order = indexes;
  }
  // For a repeated time the last in order (the latest arrival) stays.
  const kept = new Int32Array(n);
  let k = 0;
  for (let o = 0; o < n; o++) {
    const i = order[o];
    if (k > 0 && high[kept[k - 1]] === high[i] && low[kept[k - 1]] === low[i]) kept[k - 1] = i;
    else kept[k++] = i;
  }
  const outTimes = new BigInt64Array(k);
  const inWords = new Int32Array(times.buffer, times.byteOffset, n * 2);
  const outWords = new Int32Array(outTimes.buffer);
  for (let j = 0; j < k; j++) {
    outWords[2 * j] = inWords[2 * kept[j]];
    outWords[2 * j + 1] = inWords[2 * kept[j] + 1];
  }
  let outValues: ArrayLike<V>;
  if (values instanceof Float64Array) {
    const floats = new Float64Array(k);
    for (let j = 0; j < k; j++) floats[j] = values[kept[j]];
    outValues = floats as unknown as ArrayLike<V>;
  } else outValues = Array.from(kept.subarray(0, k), (i) => values[i]);
  return { times: outTimes, values: outValues };
}

/**
 * The time-series store: series in a registry, points in compressed chunks with summaries.
 * A write is one transaction, acknowledged only after it commits; each write adds chunks to
 * its series and compaction later merges small ones.
 */
export class TimeSeriesStore {
  readonly chunks: ChunkRepository;
  readonly chunkSize: number;
  /** By scopedSeriesKey (node and key). */
  private readonly seriesCache = new Map<string, SeriesInfo>();
  private readonly seriesById = new Map<bigint, SeriesInfo>();

  constructor(
    private readonly pool: Pool,
    options: StoreOptions = {},
  ) {
    this.chunks = new ChunkRepository(pool);
    this.chunkSize = options.chunkSize ?? defaultChunkSize;
  }

  /** Stores valid points and reports the others by index; resolves after commit. */
  async write(points: readonly Point[], owner: SeriesOwner = {}): Promise<WriteResult> {
    const { batches, rejected } = groupBySeries(points);
    const writes: SeriesWrite[] = [...batches.values()].map((b) => ({
      ...b,
      times: BigInt64Array.from(b.times),
      values: b.type === 'float' ? Float64Array.from(b.values as number[]) : b.values,
      indexOf: (i: number) => b.indexes[i],
    }));
    return this.writeSeries(writes, rejected, owner);
  }

  /**
   * Columnar write. Rejected points are reported by their index in the concatenation of the
   * batches' points.
   */
  async writeColumns(
    batches: readonly ColumnBatch[],
    owner: SeriesOwner = {},
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const rejected: RejectedPoint[] = [];
    const writes = this.validateColumns(batches, rejected);
    return this.writeSeries(writes, rejected, owner, options);
  }

  /** The valid points of columnar batches; the others go to `rejected` by overall index. */
  private validateColumns(
    batches: readonly ColumnBatch[],
    rejected: RejectedPoint[],
  ): SeriesWrite[] {
    const writes: SeriesWrite[] = [];
    let offset = 0;
    for (let batchIndex = 0; batchIndex < batches.length; batchIndex++) {
      const batch = batches[batchIndex];
      const base = offset;
      const n = batch.times.length;
      offset += n;
      const type = batch.type ?? inferType(batch.values[0]);
      const reject = (i: number, reason: string) =>
        rejected.push({
          index: base + i,
          reason: `${batch.measurement} ${batch.field}: ${reason}`,
        });
      if (batch.values.length !== n) {
        for (let i = 0; i < n; i++) reject(i, `${n} times but ${batch.values.length} values`);
        continue;
      }
      const nameIssue = nameProblem(batch.measurement, batch.field);
      const key = nameIssue ? '' : seriesKey(batch.measurement, batch.tags, batch.field);
      const badName = nameIssue ?? keyProblem(key);
      if (badName) {
        for (let i = 0; i < n; i++) reject(i, badName);
        continue;
      }
      let times =
        batch.times instanceof BigInt64Array ? batch.times : BigInt64Array.from(batch.times);
      let values: Float64Array | PointValue[] =
        batch.values instanceof Float64Array ? batch.values : [...batch.values];
      // Indexes of the points kept, once one is rejected.
      let keep: number[] | null = null;
      const floats = values instanceof Float64Array && type === 'float' ? values : null;
      for (let i = 0; i < n; i++) {
        let problem: string | null;
        if (floats) {
          const v = floats[i];
          problem = v - v === 0 ? null : `value is ${v}; NaN and ±Infinity cannot be stored`;
        } else problem = valueProblem(values[i], type);
        if (problem) {
          reject(i, problem);
          keep ??= Array.from({ length: i }, (_, k) => k);
        } else keep?.push(i);
      }
      if (keep) {
        if (keep.length === 0) continue;
        const kept = keep;
        const source = values;
        times = BigInt64Array.from(kept, (i) => times[i]);
        values =
          source instanceof Float64Array
            ? Float64Array.from(kept, (i) => source[i])
            : kept.map((i) => source[i]);
      }
      const kept = keep;
      writes.push({
        key,
        measurement: batch.measurement,
        tags: sortedTags(batch.tags),
        field: batch.field,
        type,
        times,
        values,
        indexOf: kept ? (i) => base + kept[i] : (i) => base + i,
        owner: batch.owner,
        batch: batchIndex,
      });
    }
    return writes;
  }

  private async writeSeries(
    writes: SeriesWrite[],
    rejected: RejectedPoint[],
    owner: SeriesOwner,
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const prepared = await this.prepare(writes, rejected, owner);
    const result = await this.writePrepared(prepared, options);
    rejected.sort((a, b) => a.index - b.index);
    return { ...result, rejected };
  }

  /**
   * Validates a columnar write and registers its new series without storing a point: what
   * `writePrepared` stores, now or later (a staging area in between). Rejected points are
   * reported as writeColumns does.
   */
  async prepareColumns(
    batches: readonly ColumnBatch[],
    owner: SeriesOwner = {},
  ): Promise<{ prepared: PreparedSeries[]; rejected: RejectedPoint[] }> {
    const rejected: RejectedPoint[] = [];
    const writes = this.validateColumns(batches, rejected);
    const prepared = await this.prepare(writes, rejected, owner);
    rejected.sort((a, b) => a.index - b.index);
    return { prepared, rejected };
  }

  /** Resolves the series of valid writes; points whose type conflicts with theirs are rejected. */
  private async prepare(
    writes: SeriesWrite[],
    rejected: RejectedPoint[],
    owner: SeriesOwner,
  ): Promise<PreparedSeries[]> {
    const series = await this.resolveSeries(writes, owner);
    const prepared: PreparedSeries[] = [];
    for (let w = 0; w < writes.length; w++) {
      const write = writes[w];
      const info = series[w];
      if (info.valueType !== write.type) {
        for (let i = 0; i < write.times.length; i++) {
          rejected.push({
            index: write.indexOf(i),
            reason: `${write.key}: field type conflict: ${write.type} value for a field stored as ${info.valueType}`,
          });
        }
        continue;
      }
      prepared.push({
        batch: write.batch ?? -1,
        series: info,
        times: write.times,
        values: write.values,
      });
    }
    return prepared;
  }

  /**
   * The registered series of each spec — created when new, the first writer's type winning —
   * or why it cannot be one (a bad name or key). The series' type may differ from the spec's:
   * the caller decides what to do with such points.
   */
  async seriesFor(
    specs: readonly SeriesSpec[],
    owner: SeriesOwner = {},
  ): Promise<(SeriesInfo | string)[]> {
    const out: (SeriesInfo | string)[] = new Array(specs.length);
    const wanted: (SeriesSpec & { key: string })[] = [];
    const slots = specs.map((spec, i) => {
      const nameIssue = nameProblem(spec.measurement, spec.field);
      const key = nameIssue ? '' : (spec.key ?? seriesKey(spec.measurement, spec.tags, spec.field));
      const problem = nameIssue ?? keyProblem(key);
      if (problem) {
        out[i] = problem;
        return -1;
      }
      return wanted.push({ ...spec, tags: sortedTags(spec.tags), key }) - 1;
    });
    const found = await this.resolveSeries(wanted, owner);
    slots.forEach((slot, i) => {
      if (slot >= 0) out[i] = found[slot];
    });
    return out;
  }

  /**
   * Stores prepared points in one transaction — its own, or the caller's `client` (then the
   * caller commits). Resolves after commit.
   */
  async writePrepared(
    prepared: readonly PreparedSeries[],
    options: WriteOptions & { client?: PoolClient } = {},
  ): Promise<WriteResult> {
    const chunks: NewChunk[] = [];
    let accepted = 0;
    const acceptedBatches: AcceptedBatch[] = [];
    const batchTimes: BigInt64Array[] = [];
    const written = new Set<bigint>();
    for (const { batch, series: info, times, values } of prepared) {
      const sorted = sortAndDedupe(times, values);
      accepted += times.length;
      written.add(info.id);
      chunks.push(...this.encodeChunks(info, sorted.times, sorted.values));
      if (sorted.times.length) {
        acceptedBatches.push({
          batch,
          series: info,
          points: times.length,
          newPoints: sorted.times.length,
          firstTime: sorted.times[0],
          lastTime: sorted.times[sorted.times.length - 1],
        });
        batchTimes.push(sorted.times);
      }
    }
    const steps = async (client: PoolClient, stage: 'before' | 'after') => {
      if (stage === 'before' && options.countNew)
        await this.countNewPoints(client, acceptedBatches, batchTimes);
      if (stage === 'after' && options.inTransaction)
        await options.inTransaction(client, acceptedBatches);
    };
    if (options.client) {
      await steps(options.client, 'before');
      await this.chunks.insertChunks(options.client, chunks);
      await steps(options.client, 'after');
    } else await this.commit(chunks, steps);
    return { accepted, rejected: [], series: written.size, chunks: chunks.length };
  }

  /**
   * The series of these ids (from the cache, else the registry; on `client` when given, so
   * that a caller inside a transaction needs no second connection).
   */
  async seriesByIds(ids: readonly bigint[], client?: PoolClient): Promise<Map<bigint, SeriesInfo>> {
    const result = new Map<bigint, SeriesInfo>();
    const missing: bigint[] = [];
    for (const id of ids) {
      const cached = this.seriesById.get(id);
      if (cached) result.set(id, cached);
      else missing.push(id);
    }
    if (missing.length) {
      const found = await this.chunks.findSeries({ ids: missing, limit: missing.length }, client);
      for (const info of found) {
        this.remember(info);
        result.set(info.id, info);
      }
    }
    return result;
  }

  private remember(info: SeriesInfo): void {
    this.seriesCache.set(scopedSeriesKey(info.nodeId, info.key), info);
    this.seriesById.set(info.id, info);
  }

  /**
   * Encodes sorted, unique points into chunks of chunkSize points; a remainder under a quarter
   * of that joins the last full chunk rather than making a tiny one.
   */
  encodeChunks(info: SeriesInfo, times: BigInt64Array, values: ArrayLike<PointValue>): NewChunk[] {
    const out: NewChunk[] = [];
    const all = codecValues(info.valueType, values);
    const allNumbers = numbers(info.valueType, all);
    for (let start = 0; start < times.length;) {
      let end = Math.min(times.length, start + this.chunkSize);
      if (times.length - end < this.chunkSize / 4) end = times.length;
      const t = times.subarray(start, end);
      const v = (
        all instanceof Float64Array ? all.subarray(start, end) : all.slice(start, end)
      ) as ChunkValues;
      const n = allNumbers ? allNumbers.subarray(start, end) : null;
      // Compaction rewrites chunks under half full: deflate and summarise by segment only
      // those it will keep (a query decodes a small chunk in no time).
      const kept = end - start >= this.chunkSize / 2;
      out.push({
        seriesId: info.id,
        data: encodeChunk(
          { type: info.valueType, timestamps: t, values: v } as Parameters<typeof encodeChunk>[0],
          { deflate: kept },
        ),
        segments: n && kept ? encodeSegments(t, n) : null,
        ...summarise(info.valueType, t, n ?? (v as ArrayLike<unknown>)),
      });
      start = end;
    }
    return out;
  }

  /**
   * Lowers each batch's newPoints by the timestamps that committed chunks of its series hold
   * already. Appends (the usual case) overlap no chunk and decode nothing.
   */
  private async countNewPoints(
    client: PoolClient,
    batches: AcceptedBatch[],
    times: BigInt64Array[],
  ): Promise<void> {
    const overlapping = await this.chunks.overlappingChunkData(
      client,
      batches.map((b) => ({ seriesId: b.series.id, from: b.firstTime, to: b.lastTime })),
    );
    if (overlapping.length === 0) return;
    const held = new Map<bigint, Set<bigint>>();
    for (const { seriesId, data } of overlapping) {
      let set = held.get(seriesId);
      if (!set) held.set(seriesId, (set = new Set()));
      for (const t of decodeChunk(data).timestamps) set.add(t);
    }
    batches.forEach((batch, i) => {
      const set = held.get(batch.series.id);
      if (!set) return;
      for (const t of times[i]) if (set.has(t)) batch.newPoints--;
    });
  }

  private async commit(
    chunks: NewChunk[],
    inTransaction: (client: PoolClient, stage: 'before' | 'after') => Promise<void>,
  ): Promise<void> {
    if (chunks.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await inTransaction(client, 'before');
      await this.chunks.insertChunks(client, chunks);
      await inTransaction(client, 'after');
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /**
   * The series of each write, in order: its key on its owner's node (a series is unique per
   * node, so a write never reaches, nor learns the type of, another node's series).
   */
  private async resolveSeries(
    writes: readonly (SeriesSpec & { key: string })[],
    owner: SeriesOwner,
  ): Promise<SeriesInfo[]> {
    const result: SeriesInfo[] = new Array(writes.length);
    const scoped = writes.map((w) => scopedSeriesKey((w.owner ?? owner).nodeId, w.key));
    const missing = new Map<string, SeriesSpec & { key: string }>();
    scoped.forEach((key, i) => {
      const cached = this.seriesCache.get(key);
      if (cached) result[i] = cached;
      else if (!missing.has(key)) missing.set(key, writes[i]);
    });
    if (missing.size) {
      const found = await this.chunks.ensureSeries([...missing.values()], owner);
      for (const info of found.values()) this.remember(info);
      scoped.forEach((key, i) => {
        result[i] ??= found.get(key)!;
      });
    }
    return result;
  }

  /**
   * Decodes chunks (of one series) and merges them: for a timestamp in several chunks, the
   * latest write (highest seq) wins. Returns the points in [from, to).
   */
  async readPoints(metas: ChunkMeta[], from: bigint, to: bigint): Promise<SeriesPoints> {
    return mergeChunks(metas, await this.chunks.chunkData(metas), from, to);
  }
}

/**
 * Decodes chunks of one series (their data keyed `seriesId:seq`) and merges them: for a
 * timestamp in several chunks, the latest write (highest seq) wins. The points in [from, to).
 */
export function mergeChunks(
  metas: ChunkMeta[],
  data: Map<string, Buffer>,
  from: bigint,
  to: bigint,
): SeriesPoints {
  {
    const decoded = metas.map((meta) => ({
      meta,
      chunk: decodeChunk(data.get(`${meta.seriesId}:${meta.seq}`)!),
    }));
    const inRange = (times: BigInt64Array) => {
      let lo = 0;
      while (lo < times.length && times[lo] < from) lo++;
      let hi = times.length;
      while (hi > lo && times[hi - 1] >= to) hi--;
      return [lo, hi];
    };
    let overlapping = false;
    const byStart = [...metas].sort((a, b) => (a.startTime < b.startTime ? -1 : 1));
    for (let i = 1; i < byStart.length; i++)
      if (byStart[i].startTime <= byStart[i - 1].endTime) overlapping = true;
    if (!overlapping) {
      decoded.sort((a, b) => (a.meta.startTime < b.meta.startTime ? -1 : 1));
      const parts = decoded.map(({ chunk }) => {
        const [lo, hi] = inRange(chunk.timestamps);
        return { chunk, lo, hi };
      });
      const total = parts.reduce((n, p) => n + p.hi - p.lo, 0);
      const times = new BigInt64Array(total);
      const float = parts.every((p) => p.chunk.values instanceof Float64Array);
      const values: Float64Array | PointValue[] = float ? new Float64Array(total) : [];
      let at = 0;
      for (const { chunk, lo, hi } of parts) {
        times.set(chunk.timestamps.subarray(lo, hi), at);
        if (values instanceof Float64Array)
          values.set((chunk.values as Float64Array).subarray(lo, hi), at);
        else for (let i = lo; i < hi; i++) values.push(chunk.values[i] as PointValue);
        at += hi - lo;
      }
      return { times, values };
    }
    const merged = new Map<bigint, PointValue>();
    decoded.sort((a, b) => (a.meta.seq < b.meta.seq ? -1 : 1));
    for (const { chunk } of decoded) {
      const [lo, hi] = inRange(chunk.timestamps);
      for (let i = lo; i < hi; i++) merged.set(chunk.timestamps[i], chunk.values[i] as PointValue);
    }
    const times = BigInt64Array.from(merged.keys()).sort();
    const values = Array.from(times, (t) => merged.get(t)!);
    return {
      times,
      values:
        decoded[0]?.chunk.values instanceof Float64Array
          ? Float64Array.from(values as number[])
          : values,
    };
  }
}

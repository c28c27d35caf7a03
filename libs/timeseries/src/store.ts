import type { Pool } from 'pg';
import { groupBySeries, SeriesBatch, sortAndDedupe } from './batch';
import { ChunkMeta, ChunkRepository, NewChunk } from './chunk.repository';
import { decodeChunk, encodeChunk } from './chunk-codec';
import { summarise } from './summary';
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

/** Decoded points of one series, sorted by time, one value per timestamp. */
export interface SeriesPoints {
  times: bigint[];
  values: PointValue[];
}

/** Typed values for the codec. */
export function toCodecValues(type: SeriesValueType, values: readonly PointValue[]) {
  switch (type) {
    case 'float':
      return Float64Array.from(values as number[]);
    case 'integer':
    case 'unsigned':
      return (values as (number | bigint)[]).map((v) => BigInt(v));
    case 'boolean':
      return values as boolean[];
    case 'string':
      return values as string[];
  }
}

export const defaultChunkSize = 4096;

/**
 * The time-series store: series in a registry, points in compressed chunks with summaries.
 * A write is one transaction, acknowledged only after it commits.
 */
export class TimeSeriesStore {
  readonly chunks: ChunkRepository;
  readonly chunkSize: number;
  private readonly seriesCache = new Map<string, SeriesInfo>();

  constructor(
    private readonly pool: Pool,
    options: StoreOptions = {},
  ) {
    this.chunks = new ChunkRepository(pool);
    this.chunkSize = options.chunkSize ?? defaultChunkSize;
  }

  /** Stores valid points and reports the others; resolves after commit. */
  async write(points: readonly Point[], owner: SeriesOwner = {}): Promise<WriteResult> {
    const { batches, rejected } = groupBySeries(points);
    const series = await this.resolveSeries([...batches.values()], owner);
    const chunks: NewChunk[] = [];
    let accepted = 0;
    for (const batch of batches.values()) {
      const info = series.get(batch.key)!;
      if (info.valueType !== batch.type) {
        for (const index of batch.indexes) {
          rejected.push({
            index,
            reason: `${batch.key}: field type conflict: ${batch.type} point for a ${info.valueType} field`,
          });
        }
        continue;
      }
      const sorted = sortAndDedupe(batch.times, batch.values);
      accepted += batch.times.length;
      chunks.push(...this.encodeChunks(info, sorted.times, sorted.values));
    }
    await this.commit(chunks);
    rejected.sort((a, b) => a.index - b.index);
    return { accepted, rejected, series: batches.size, chunks: chunks.length };
  }

  /**
   * Columnar write of whole series (the fast path: no object per point). Times must be
   * given in nanoseconds; they need not be sorted.
   */
  async writeColumns(
    batches: {
      measurement: string;
      tags?: Record<string, string>;
      field: string;
      type: SeriesValueType;
      times: BigInt64Array;
      values: ArrayLike<PointValue>;
    }[],
    owner: SeriesOwner = {},
  ): Promise<WriteResult> {
    const points: Point[] = [];
    const fast: { info: SeriesInfo; times: BigInt64Array; values: ArrayLike<PointValue> }[] = [];
    const grouped = groupBySeries(
      batches.map((b) => ({
        measurement: b.measurement,
        tags: b.tags,
        field: b.field,
        type: b.type,
        time: b.times[0] ?? 0n,
        value: b.values[0],
      })),
    );
    const series = await this.resolveSeries([...grouped.batches.values()], owner);
    const rejected: RejectedPoint[] = [];
    let offset = 0;
    for (const b of batches) {
      const key = [...grouped.batches.values()].find(
        (g) => g.measurement === b.measurement && g.field === b.field && sameTags(g.tags, b.tags),
      )?.key;
      const info = key ? series.get(key) : undefined;
      if (!info || info.valueType !== b.type) {
        for (let i = 0; i < b.times.length; i++)
          rejected.push({
            index: offset + i,
            reason: `${key ?? b.measurement}: field type conflict or invalid series`,
          });
      } else fast.push({ info, times: b.times, values: b.values });
      offset += b.times.length;
    }
    const chunks: NewChunk[] = [];
    let accepted = 0;
    for (const { info, times, values } of fast) {
      const sorted = isSortedUnique(times)
        ? { times: Array.from(times), values: Array.from(values) }
        : sortAndDedupe(Array.from(times), Array.from(values));
      const problem =
        info.valueType === 'float'
          ? sorted.values.findIndex((v) => !Number.isFinite(v as number))
          : -1;
      if (problem >= 0) {
        rejected.push({
          index: problem,
          reason: `${info.key}: value is ${String(sorted.values[problem])}; NaN and ±Infinity cannot be stored`,
        });
        continue;
      }
      accepted += sorted.times.length;
      chunks.push(...this.encodeChunks(info, sorted.times, sorted.values));
    }
    void points;
    await this.commit(chunks);
    return { accepted, rejected, series: fast.length, chunks: chunks.length };
  }

  /** Encodes sorted, deduplicated points into chunks of at most chunkSize points. */
  encodeChunks(info: SeriesInfo, times: bigint[], values: PointValue[]): NewChunk[] {
    const out: NewChunk[] = [];
    for (let start = 0; start < times.length; start += this.chunkSize) {
      const t = BigInt64Array.from(times.slice(start, start + this.chunkSize));
      const v = toCodecValues(info.valueType, values.slice(start, start + this.chunkSize));
      const data = encodeChunk({ type: info.valueType, timestamps: t, values: v } as Parameters<
        typeof encodeChunk
      >[0]);
      out.push({
        seriesId: info.id,
        data,
        ...summarise(info.valueType, t, v as ArrayLike<unknown>),
      });
    }
    return out;
  }

  private async commit(chunks: NewChunk[]): Promise<void> {
    if (chunks.length === 0) return;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await this.chunks.insertChunks(client, chunks);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async resolveSeries(
    batches: SeriesBatch[],
    owner: SeriesOwner,
  ): Promise<Map<string, SeriesInfo>> {
    const result = new Map<string, SeriesInfo>();
    const missing: SeriesBatch[] = [];
    for (const batch of batches) {
      const cached = this.seriesCache.get(batch.key);
      if (cached) result.set(batch.key, cached);
      else missing.push(batch);
    }
    if (missing.length) {
      const found = await this.chunks.ensureSeries(missing, owner);
      for (const [key, info] of found) {
        this.seriesCache.set(key, info);
        result.set(key, info);
      }
    }
    return result;
  }

  /** Decodes chunks and merges them: for a timestamp in several chunks, the latest write wins. */
  async readPoints(
    info: SeriesInfo,
    metas: ChunkMeta[],
    from: bigint,
    to: bigint,
  ): Promise<SeriesPoints> {
    const data = await this.chunks.chunkData(metas);
    const bySeq = [...metas].sort((a, b) => (a.seq < b.seq ? -1 : 1));
    const merged = new Map<bigint, PointValue>();
    let overlapping = false;
    for (let i = 1; i < metas.length; i++)
      if (metas[i].startTime <= metas[i - 1].endTime) overlapping = true;
    if (!overlapping) {
      const times: bigint[] = [];
      const values: PointValue[] = [];
      for (const meta of metas) {
        const decoded = decodeChunk(data.get(`${meta.seriesId}:${meta.seq}`)!);
        for (let i = 0; i < decoded.timestamps.length; i++) {
          const t = decoded.timestamps[i];
          if (t >= from && t < to) {
            times.push(t);
            values.push(decoded.values[i] as PointValue);
          }
        }
      }
      return { times, values };
    }
    for (const meta of bySeq) {
      const decoded = decodeChunk(data.get(`${meta.seriesId}:${meta.seq}`)!);
      for (let i = 0; i < decoded.timestamps.length; i++) {
        const t = decoded.timestamps[i];
        if (t >= from && t < to) merged.set(t, decoded.values[i] as PointValue);
      }
    }
    const times = [...merged.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    void info;
    return { times, values: times.map((t) => merged.get(t)!) };
  }
}

function sameTags(a: Record<string, string>, b: Record<string, string> | undefined): boolean {
  const bKeys = Object.keys(b ?? {});
  return Object.keys(a).length === bKeys.length && bKeys.every((k) => a[k] === b![k]);
}

function isSortedUnique(times: BigInt64Array): boolean {
  for (let i = 1; i < times.length; i++) if (times[i] <= times[i - 1]) return false;
  return true;
}

import { Accumulator, AggregateName, numericValue } from './aggregate';
import type { ChunkMeta } from './chunk.repository';
import { decodeChunk } from './chunk-codec';
import { decodeSegments } from './segments';
import { mergeChunks, TimeSeriesStore } from './store';
import { PointValue, SeriesInfo, TimeSeriesError } from './types';

export const limits = { series: 10_000, buckets: 100_000, rawPoints: 100_000, chartPoints: 10_000 };

export interface SeriesSelector {
  measurement?: string;
  field?: string;
  tags?: Record<string, string>;
  nodeId?: string;
  resourceId?: string;
  /** Only series on these nodes (the caller's scope); absent: any. */
  nodeIds?: string[];
}

export interface AggregateQuery extends SeriesSelector {
  from: bigint;
  to: bigint;
  /** Bucket width in nanoseconds. */
  every: bigint;
  aggregates: AggregateName[];
  /** Tag names to group series by; series with equal values share buckets. */
  groupBy?: string[];
}

export interface QueryStats {
  series: number;
  chunks: number;
  chunksFromSummary: number;
  /** Chunks taken whole from their segment summaries. */
  chunksFromSegments: number;
  chunksDecoded: number;
}

export interface AggregateGroup {
  /**
   * The organisation (root node) of the group's series: a group never merges two
   * organisations' series, even of equal tags (null: series on no node).
   */
  organisationId: string | null;
  tags: Record<string, string>;
  series: number;
  buckets: { time: bigint; values: Record<string, number | null> }[];
}

export interface RawQuery {
  from: bigint;
  to: bigint;
  limit: number;
  order: 'asc' | 'desc';
}

/** A page of raw points. */
export interface RawPoints {
  times: bigint[];
  values: PointValue[];
}

export interface ChartPoint {
  time: bigint;
  min: number;
  max: number;
  mean: number;
  count: number;
}

function checkRange(from: bigint, to: bigint): void {
  if (to <= from)
    throw new TimeSeriesError(
      'InvalidRange',
      `to must be after from (got from=${from}, to=${to})`,
      'to',
    );
}

/** Read side of the store: aggregates from chunk summaries where possible, decoding only the rest. */
export class TimeSeriesQueries {
  constructor(private readonly store: TimeSeriesStore) {}

  async findSeries(
    selector: SeriesSelector & { limit?: number; afterId?: bigint },
  ): Promise<SeriesInfo[]> {
    return this.store.chunks.findSeries({ ...selector, limit: selector.limit ?? limits.series });
  }

  async series(id: bigint): Promise<SeriesInfo> {
    const [found] = await this.store.chunks.findSeries({ ids: [id], limit: 1 });
    if (!found) throw new TimeSeriesError('SeriesNotFound', `no series with id ${id}`, 'id');
    return found;
  }

  /** Aggregates in time buckets, grouped by tags, over the series matching the selector. */
  async aggregate(query: AggregateQuery): Promise<{ groups: AggregateGroup[]; stats: QueryStats }> {
    checkRange(query.from, query.to);
    if (query.every <= 0n)
      throw new TimeSeriesError('InvalidQuery', 'every must be a positive duration', 'every');
    const bucketCount = (query.to - query.from + query.every - 1n) / query.every;
    if (bucketCount > BigInt(limits.buckets)) {
      throw new TimeSeriesError(
        'LimitExceeded',
        `${bucketCount} buckets asked for; at most ${limits.buckets} (widen every or narrow the range)`,
        'every',
      );
    }
    const series = await this.store.chunks.findSeries({ ...query, limit: limits.series + 1 });
    if (series.length > limits.series) {
      throw new TimeSeriesError(
        'LimitExceeded',
        `more than ${limits.series} series match; narrow the tag filter`,
        'tags',
      );
    }
    const keepValues = query.aggregates.some((a) => /^p\d/.test(a));
    const { perSeries, stats } = await this.bucketize(
      series,
      query.from,
      query.to,
      query.every,
      Number(bucketCount),
      keepValues,
    );
    const groups = new Map<
      string,
      {
        organisationId: string | null;
        tags: Record<string, string>;
        series: number;
        buckets: Accumulator[];
      }
    >();
    const organisations = await this.store.chunks.organisationsOf([
      ...new Set(series.flatMap((s) => (s.nodeId ? [s.nodeId] : []))),
    ]);
    for (const info of series) {
      const tags = Object.fromEntries(
        (query.groupBy ?? []).map((name) => [name, info.tags[name] ?? '']),
      );
      const organisationId = info.nodeId ? (organisations.get(info.nodeId) ?? null) : null;
      const key = JSON.stringify([organisationId, tags]);
      let group = groups.get(key);
      if (!group) {
        group = {
          organisationId,
          tags,
          series: 0,
          buckets: Array.from({ length: Number(bucketCount) }, () => new Accumulator(keepValues)),
        };
        groups.set(key, group);
      }
      group.series++;
      const buckets = perSeries.get(info.id);
      if (buckets) buckets.forEach((b, i) => group!.buckets[i].merge(b));
    }
    return {
      groups: [...groups.values()].map((g) => ({
        organisationId: g.organisationId,
        tags: g.tags,
        series: g.series,
        buckets: g.buckets.map((b, i) => ({
          time: query.from + BigInt(i) * query.every,
          values: Object.fromEntries(query.aggregates.map((a) => [a, b.result(a)])),
        })),
      })),
      stats,
    };
  }

  /** A chart of one series: min, max and mean per pixel, at most `points` pixels. */
  async chart(
    id: bigint,
    from: bigint,
    to: bigint,
    points: number,
  ): Promise<{ series: SeriesInfo; points: ChartPoint[]; stats: QueryStats }> {
    checkRange(from, to);
    if (points < 1 || points > limits.chartPoints) {
      throw new TimeSeriesError(
        'LimitExceeded',
        `points must be 1-${limits.chartPoints}`,
        'points',
      );
    }
    const series = await this.series(id);
    if (series.valueType === 'string')
      throw new TimeSeriesError('InvalidQuery', 'a string series cannot be charted', 'id');
    const every = (to - from + BigInt(points) - 1n) / BigInt(points);
    const count = Number((to - from + every - 1n) / every);
    const { perSeries, stats } = await this.bucketize([series], from, to, every, count, false);
    const buckets = perSeries.get(series.id) ?? [];
    const out: ChartPoint[] = [];
    buckets.forEach((b, i) => {
      if (b.count > 0)
        out.push({
          time: from + BigInt(i) * every,
          min: b.min,
          max: b.max,
          mean: b.sum / b.count,
          count: b.count,
        });
    });
    return { series, points: out, stats };
  }

  /** Raw points of one series in [from, to), `limit` at most, in time order. */
  async raw(
    id: bigint,
    query: RawQuery,
  ): Promise<{ series: SeriesInfo; points: RawPoints; more: boolean }> {
    checkRange(query.from, query.to);
    if (query.limit < 1 || query.limit > limits.rawPoints) {
      throw new TimeSeriesError('LimitExceeded', `limit must be 1-${limits.rawPoints}`, 'limit');
    }
    const series = await this.series(id);
    const metas = await this.store.chunks.chunksInRange([id], query.from, query.to);
    const groups = overlapGroups(metas, query.order);
    const times: bigint[] = [];
    const values: PointValue[] = [];
    // Fetch the groups likely to fill the page in one query, more only when they fall short.
    let next = 0;
    while (next < groups.length && times.length <= query.limit) {
      const batch: ChunkMeta[][] = [];
      let expected = times.length;
      while (next < groups.length && expected <= query.limit) {
        batch.push(groups[next]);
        expected += groups[next++].reduce((n, c) => n + c.count, 0);
      }
      const data = await this.store.chunks.chunkData(batch.flat());
      for (const group of batch) {
        const points = mergeChunks(group, data, query.from, query.to);
        const n = points.times.length;
        for (let k = 0; k < n && times.length <= query.limit; k++) {
          const i = query.order === 'asc' ? k : n - 1 - k;
          times.push(points.times[i]);
          values.push(points.values[i]);
        }
      }
    }
    const more = times.length > query.limit;
    return {
      series,
      points: { times: times.slice(0, query.limit), values: values.slice(0, query.limit) },
      more,
    };
  }

  /** The latest point of each series. */
  async last(
    series: SeriesInfo[],
  ): Promise<{ series: SeriesInfo; time: bigint; value: PointValue }[]> {
    const metas = await this.store.chunks.latestChunks(series.map((s) => s.id));
    const bySeries = new Map(series.map((s) => [s.id, s]));
    const needData = metas.filter((m) => bySeries.get(m.seriesId)!.valueType !== 'float');
    const data = await this.store.chunks.chunkData(needData);
    return metas.map((meta) => {
      const info = bySeries.get(meta.seriesId)!;
      if (info.valueType === 'float')
        return { series: info, time: meta.endTime, value: meta.last! };
      const decoded = decodeChunk(data.get(`${meta.seriesId}:${meta.seq}`)!);
      return {
        series: info,
        time: meta.endTime,
        value: decoded.values[decoded.values.length - 1] as PointValue,
      };
    });
  }

  /**
   * Accumulators per series and bucket. A chunk that lies wholly inside one bucket and overlaps
   * no other chunk of its series is taken from its summary; otherwise each of its segments
   * (per-grain summaries) that lies wholly inside a bucket is; only the rest is decoded.
   */
  private async bucketize(
    series: SeriesInfo[],
    from: bigint,
    to: bigint,
    every: bigint,
    count: number,
    keepValues: boolean,
  ) {
    const stats: QueryStats = {
      series: series.length,
      chunks: 0,
      chunksFromSummary: 0,
      chunksFromSegments: 0,
      chunksDecoded: 0,
    };
    const perSeries = new Map<bigint, Accumulator[]>();
    if (series.length === 0) return { perSeries, stats };
    const info = new Map(series.map((s) => [s.id, s]));
    const metas = await this.store.chunks.chunksInRange(
      series.map((s) => s.id),
      from,
      to,
      { segments: !keepValues },
    );
    stats.chunks = metas.length;
    const bySeries = new Map<bigint, ChunkMeta[]>();
    for (const meta of metas) {
      const list = bySeries.get(meta.seriesId);
      if (list) list.push(meta);
      else bySeries.set(meta.seriesId, [meta]);
    }
    const bucketOf = (t: bigint) => (t - from) / every;
    const fits = (s: { startTime: bigint; endTime: bigint }) =>
      s.startTime >= from && s.endTime < to && bucketOf(s.startTime) === bucketOf(s.endTime);
    /** Chunks to decode, with the time ranges of their points still to add. */
    const toDecode: { seriesId: bigint; metas: ChunkMeta[]; ranges: [bigint, bigint][] }[] = [];
    for (const [seriesId, chunks] of bySeries) {
      const buckets = Array.from({ length: count }, () => new Accumulator(keepValues));
      perSeries.set(seriesId, buckets);
      const summable = info.get(seriesId)!.valueType !== 'string' && !keepValues;
      for (const group of overlapGroups(chunks, 'asc')) {
        const chunk = group[0];
        if (summable && group.length === 1) {
          if (fits(chunk)) {
            buckets[Number(bucketOf(chunk.startTime))].addSummary(chunk);
            stats.chunksFromSummary++;
            continue;
          }
          if (chunk.segments) {
            const rest: [bigint, bigint][] = [];
            for (const segment of decodeSegments(chunk.segments, chunk)) {
              if (fits(segment)) buckets[Number(bucketOf(segment.startTime))].addSummary(segment);
              else rest.push([segment.startTime, segment.endTime + 1n]);
            }
            if (rest.length === 0) {
              stats.chunksFromSegments++;
              continue;
            }
            toDecode.push({ seriesId, metas: group, ranges: mergeRanges(rest) });
            continue;
          }
        }
        toDecode.push({ seriesId, metas: group, ranges: [[from, to]] });
      }
    }
    if (toDecode.length === 0) return { perSeries, stats };
    const data = await this.store.chunks.chunkData(toDecode.flatMap((d) => d.metas));
    for (const { seriesId, metas: group, ranges } of toDecode) {
      stats.chunksDecoded += group.length;
      const buckets = perSeries.get(seriesId)!;
      // Decode once; add the points that lie in the ranges not taken from segments.
      const points = mergeChunks(group, data, from, to);
      let index = 0;
      let edge = from + every;
      let range = 0;
      for (let i = 0; i < points.times.length; i++) {
        const t = points.times[i];
        while (range < ranges.length && t >= ranges[range][1]) range++;
        if (range === ranges.length) break;
        if (t < ranges[range][0]) continue;
        if (t >= edge) {
          index = Number((t - from) / every);
          edge = from + BigInt(index + 1) * every;
        }
        const v = numericValue(points.values[i]);
        if (v !== null) buckets[index].add(t, v);
      }
    }
    return { perSeries, stats };
  }
}

/** Joins touching [from, to) ranges (sorted). */
function mergeRanges(ranges: [bigint, bigint][]): [bigint, bigint][] {
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of ranges) {
    const last = out[out.length - 1];
    if (last && lo <= last[1]) last[1] = hi > last[1] ? hi : last[1];
    else out.push([lo, hi]);
  }
  return out;
}

/** Splits chunks (sorted by start) into runs whose time ranges overlap each other. */
export function overlapGroups(chunks: ChunkMeta[], order: 'asc' | 'desc'): ChunkMeta[][] {
  const sorted = [...chunks].sort((a, b) =>
    a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0,
  );
  const groups: ChunkMeta[][] = [];
  let end = -1n;
  for (const chunk of sorted) {
    const current = groups[groups.length - 1];
    if (current && chunk.startTime <= end) {
      current.push(chunk);
      if (chunk.endTime > end) end = chunk.endTime;
    } else {
      groups.push([chunk]);
      end = chunk.endTime;
    }
  }
  return order === 'asc' ? groups : groups.reverse();
}

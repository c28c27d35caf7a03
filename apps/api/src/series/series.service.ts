import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import {
  AggregateName,
  formatTime,
  limits,
  parseDuration,
  parseTime,
  PointValue,
  SeriesInfo,
  SeriesSelector,
  TimeSeriesError,
  TimeSeriesQueries,
  TimeSeriesStore,
} from '@sextant/timeseries';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { PrismaService } from '../prisma/prisma.service';
import {
  defaultChartPoints,
  defaultRawPoints,
  seriesPage,
  type AggregateInput,
  type ChartArgs,
  type ListSeriesArgs,
  type PointsArgs,
  type SeriesSelectorArgs,
} from './dto/series.inputs';
import type {
  AggregateResultModel,
  ChartModel,
  LastPointModel,
  PointsPage,
  SeriesModel,
} from './series.model';

/**
 * The most series one `last` answers, as many as an aggregate reads: more matching series are
 * refused (narrow the selector) rather than cut, so no caller takes a part for the whole.
 */
export const maxLastSeries = limits.series;

function toModel(info: SeriesInfo): SeriesModel {
  return { ...info, id: String(info.id) };
}

// 64-bit integers do not fit JSON numbers: send them as strings.
function jsonValue(value: PointValue): number | string | boolean {
  return typeof value === 'bigint' ? value.toString() : value;
}

function selector(args: SeriesSelectorArgs): SeriesSelector {
  const tags = Object.fromEntries(
    (args.tag ?? []).map((t) => [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)]),
  );
  return {
    measurement: args.measurement,
    field: args.field,
    tags,
    nodeId: args.nodeId,
    resourceId: args.resourceId,
  };
}

/** Time-series queries for REST and GraphQL; library errors become domain errors. */
@Injectable()
export class SeriesService {
  private readonly queries: TimeSeriesQueries;

  constructor(
    prisma: PrismaService,
    private readonly access: AccessService,
  ) {
    this.queries = new TimeSeriesQueries(new TimeSeriesStore(prisma.pool));
  }

  /** The nodes whose series the caller may read; undefined for all. */
  private async visible(actor: Principal): Promise<string[] | undefined> {
    return (await this.access.scopeNodeIds(this.access.scope(actor, 'series.read'))) ?? undefined;
  }

  async list(
    actor: Principal,
    args: ListSeriesArgs,
  ): Promise<{ items: SeriesModel[]; nextCursor: string | null }> {
    const limit = args.limit ?? seriesPage.default;
    const nodeIds = await this.visible(actor);
    const rows = await this.run(() =>
      this.queries.findSeries({
        ...selector(args),
        nodeIds,
        limit: limit + 1,
        afterId: args.cursor ? BigInt(args.cursor) : undefined,
      }),
    );
    const items = rows.slice(0, limit).map(toModel);
    return { items, nextCursor: rows.length > limit ? items[items.length - 1].id : null };
  }

  async get(id: string): Promise<SeriesModel> {
    return toModel(await this.run(() => this.queries.series(seriesId(id))));
  }

  async points(id: string, args: PointsArgs): Promise<PointsPage> {
    const order = args.order ?? 'asc';
    let from = parseTime(args.from)!;
    let to = parseTime(args.to)!;
    if (args.cursor) {
      const after = BigInt(args.cursor);
      if (order === 'asc') from = after + 1n;
      else to = after;
    }
    const result = await this.run(() =>
      this.queries.raw(seriesId(id), { from, to, limit: args.limit ?? defaultRawPoints, order }),
    );
    const { times, values } = result.points;
    return {
      series: toModel(result.series),
      points: times.map((t, i) => ({ time: formatTime(t), value: jsonValue(values[i]) })),
      nextCursor: result.more ? String(times[times.length - 1]) : null,
    };
  }

  async chart(id: string, args: ChartArgs): Promise<ChartModel> {
    const result = await this.run(() =>
      this.queries.chart(
        seriesId(id),
        parseTime(args.from)!,
        parseTime(args.to)!,
        args.points ?? defaultChartPoints,
      ),
    );
    return {
      series: toModel(result.series),
      points: result.points.map((p) => ({ ...p, time: formatTime(p.time) })),
      stats: result.stats,
    };
  }

  async aggregate(actor: Principal, input: AggregateInput): Promise<AggregateResultModel> {
    const nodeIds = await this.visible(actor);
    const result = await this.run(() =>
      this.queries.aggregate({
        nodeIds,
        measurement: input.measurement,
        field: input.field,
        tags: input.tags,
        nodeId: input.nodeId,
        from: parseTime(input.from)!,
        to: parseTime(input.to)!,
        every: parseDuration(input.every)!,
        aggregates: input.aggregates as AggregateName[],
        groupBy: input.groupBy,
      }),
    );
    return {
      groups: result.groups.map((g) => ({
        ...g,
        buckets: g.buckets.map((b) => ({ time: formatTime(b.time), values: b.values })),
      })),
      stats: result.stats,
    };
  }

  async last(actor: Principal, args: SeriesSelectorArgs): Promise<LastPointModel[]> {
    const nodeIds = await this.visible(actor);
    const series = await this.run(() =>
      this.queries.findSeries({ ...selector(args), nodeIds, limit: maxLastSeries + 1 }),
    );
    if (series.length > maxLastSeries) {
      const reason = `more than ${maxLastSeries} series match; narrow it with measurement, field, tag or nodeId`;
      throw new DomainError('LimitExceeded', `tag: ${reason}`, [{ field: 'tag', reason }]);
    }
    const points = await this.run(() => this.queries.last(series));
    return points.map((p) => ({
      series: toModel(p.series),
      time: formatTime(p.time),
      value: jsonValue(p.value),
    }));
  }

  private async run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      if (error instanceof TimeSeriesError) {
        throw new DomainError(
          error.code,
          error.field ? `${error.field}: ${error.message}` : error.message,
          error.field ? [{ field: error.field, reason: error.message }] : [],
        );
      }
      throw error;
    }
  }
}

function seriesId(id: string): bigint {
  if (!/^\d{1,19}$/.test(id))
    throw DomainError.validation([
      { field: 'id', reason: `must be a series id (digits), got "${id.slice(0, 40)}"` },
    ]);
  return BigInt(id);
}

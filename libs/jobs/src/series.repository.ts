import { limits, TimeSeriesQueries, TimeSeriesStore } from '@sextant/timeseries';
import type { Pool } from 'pg';
import type { SeriesPoints, SeriesRef } from './job-type';

// Reads of the time-series store for tasks: finding a node's series and reading all points
// of one over a window, a page at a time.

const nsPerMs = 1_000_000n;

export class SeriesRepository {
  private readonly queries: TimeSeriesQueries;

  constructor(private readonly pool: Pool) {
    this.queries = new TimeSeriesQueries(new TimeSeriesStore(pool));
  }

  /** Series of a node, and of the nodes under it when `descendants`. */
  async find(
    nodeId: string,
    options: { descendants?: boolean; measurement?: string; field?: string; limit?: number } = {},
  ): Promise<SeriesRef[]> {
    const { rows } = await this.pool.query<SeriesRef>(
      `WITH RECURSIVE tree(id) AS (
         SELECT id FROM node WHERE id = $1
         UNION ALL SELECT n.id FROM node n JOIN tree t ON n.parent_id = t.id WHERE $2
       )
       SELECT s.id::text AS id, s.key, s.measurement, s.field, s.tags, s.value_type AS "valueType",
              s.node_id AS "nodeId", s.resource_id AS "resourceId"
         FROM series s JOIN tree t ON s.node_id = t.id
        WHERE ($3::text IS NULL OR s.measurement = $3) AND ($4::text IS NULL OR s.field = $4)
        ORDER BY s.key LIMIT $5`,
      [
        nodeId,
        options.descendants ?? true,
        options.measurement ?? null,
        options.field ?? null,
        options.limit ?? limits.series,
      ],
    );
    return rows;
  }

  async get(seriesId: string): Promise<SeriesRef | null> {
    const { rows } = await this.pool.query<SeriesRef>(
      `SELECT id::text AS id, key, measurement, field, tags, value_type AS "valueType",
              node_id AS "nodeId", resource_id AS "resourceId"
         FROM series WHERE id = $1`,
      [seriesId],
    );
    return rows[0] ?? null;
  }

  /** Every point of the series in [from, to). */
  async read(series: SeriesRef, from: Date, to: Date): Promise<SeriesPoints> {
    const end = BigInt(to.getTime()) * nsPerMs;
    let start = BigInt(from.getTime()) * nsPerMs;
    const times: bigint[] = [];
    const values: SeriesPoints['values'] = [];
    while (start < end) {
      const page = await this.queries.raw(BigInt(series.id), {
        from: start,
        to: end,
        limit: limits.rawPoints,
        order: 'asc',
      });
      for (let i = 0; i < page.points.times.length; i++) {
        times.push(page.points.times[i]);
        values.push(page.points.values[i]);
      }
      if (!page.more || page.points.times.length === 0) break;
      start = page.points.times[page.points.times.length - 1] + 1n;
    }
    return { times, values };
  }
}

import { Money, type Dec } from './money';

/** Anything that runs a query: a pool or a client inside a transaction. */
export interface Queryable {
  query<R extends object = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type Aggregation = 'sum' | 'count' | 'max' | 'unique_count' | 'latest' | 'time_weighted_sum';

/** A metric's usage by one organisation over a span, read from the rollups. */
export interface MetricUsage {
  metricId: string;
  organisationId: string;
  /** Aggregated and divided by the metric's unit divisor. */
  quantity: Dec;
  /** Movements folded into it. */
  movements: number;
  /** The metric's watermark: movements with tx below it are in. */
  rolledTo: bigint;
  /** Quantity per resource (sum-like aggregations; counts of movements for the others). */
  byResource: { resourceId: string; quantity: Dec }[];
}

interface UsageRow {
  metric_id: string;
  organisation_id: string;
  aggregation: Aggregation;
  unit_divisor: string;
  rolled_to: string;
  quantity: string | null;
  movements: string | null;
  max_quantity: string | null;
  weighted_ms: string | null;
  latest_quantity: string | null;
  unique_count: string | null;
  by_resource: { r: string; q: string; n: string; w: string }[] | null;
}

const msPerHour = new Money(3_600_000);

/**
 * Usage of metrics by organisations over [from, to) (whole hours), from the hourly rollups only;
 * one row per metric and organisation asked, zero where nothing was used.
 */
export async function readUsage(
  db: Queryable,
  query: { organisationIds: string[]; metricIds: string[]; from: Date; to: Date },
): Promise<MetricUsage[]> {
  if (!query.organisationIds.length || !query.metricIds.length) return [];
  const { rows } = await db.query<UsageRow>(
    `WITH asked AS (
       SELECT bm.id AS metric_id, o.id AS organisation_id, bm.aggregation, bm.unit_divisor, bm.rolled_to
         FROM billable_metric bm CROSS JOIN unnest($1::uuid[]) AS o(id)
        WHERE bm.id = ANY($2::uuid[])
     ),
     per_resource AS (
       SELECT r.metric_id, r.organisation_id, r.resource_id, sum(r.quantity) AS q, sum(r.movements) AS n,
              sum(r.weighted_ms) AS w, max(r.max_quantity) AS mx,
              (array_agg(r.latest_quantity ORDER BY r.latest_stop DESC, r.latest_id DESC))[1] AS lq,
              max(r.latest_stop) AS ls,
              (array_agg(r.latest_id ORDER BY r.latest_stop DESC, r.latest_id DESC))[1] AS lid
         FROM billing_rollup r
        WHERE r.organisation_id = ANY($1::uuid[]) AND r.metric_id = ANY($2::uuid[])
          AND r.hour >= $3 AND r.hour < $4
        GROUP BY 1, 2, 3
     ),
     totals AS (
       SELECT metric_id, organisation_id, sum(q) AS quantity, sum(n) AS movements, sum(w) AS weighted_ms,
              max(mx) AS max_quantity, (array_agg(lq ORDER BY ls DESC, lid DESC))[1] AS latest_quantity,
              json_agg(json_build_object('r', resource_id, 'q', q, 'n', n, 'w', w)) AS by_resource
         FROM per_resource GROUP BY 1, 2
     ),
     uniques AS (
       SELECT metric_id, organisation_id, count(DISTINCT key) AS unique_count
         FROM billing_rollup_key
        WHERE organisation_id = ANY($1::uuid[]) AND metric_id = ANY($2::uuid[])
          AND hour >= $3 AND hour < $4
        GROUP BY 1, 2
     )
     SELECT a.metric_id, a.organisation_id, a.aggregation, a.unit_divisor::text, a.rolled_to::text,
            t.quantity::text, t.movements::text, t.max_quantity::text, t.weighted_ms::text,
            t.latest_quantity::text, u.unique_count::text, t.by_resource
       FROM asked a
       LEFT JOIN totals t USING (metric_id, organisation_id)
       LEFT JOIN uniques u USING (metric_id, organisation_id)`,
    [query.organisationIds, query.metricIds, query.from, query.to],
  );
  return rows.map(toUsage);
}

function toUsage(row: UsageRow): MetricUsage {
  const divisor = new Money(row.unit_divisor);
  const raw = (value: string | null) => new Money(value ?? 0);
  const aggregate = aggregateOf(row, raw);
  const byResource = (row.by_resource ?? []).map((r) => {
    const share =
      row.aggregation === 'sum'
        ? new Money(r.q)
        : row.aggregation === 'time_weighted_sum'
          ? new Money(r.w).div(msPerHour)
          : new Money(r.n);
    return { resourceId: r.r, quantity: share.div(divisor) };
  });
  return {
    metricId: row.metric_id,
    organisationId: row.organisation_id,
    quantity: aggregate.div(divisor),
    movements: Number(row.movements ?? 0),
    rolledTo: BigInt(row.rolled_to),
    byResource: byResource.sort((a, b) => a.resourceId.localeCompare(b.resourceId)),
  };
}

function aggregateOf(row: UsageRow, raw: (value: string | null) => Dec): Dec {
  switch (row.aggregation) {
    case 'sum':
      return raw(row.quantity);
    case 'count':
      return raw(row.movements);
    case 'max':
      return raw(row.max_quantity);
    case 'latest':
      return raw(row.latest_quantity);
    case 'unique_count':
      return raw(row.unique_count);
    case 'time_weighted_sum':
      return raw(row.weighted_ms).div(msPerHour);
  }
}

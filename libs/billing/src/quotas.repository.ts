import { pricesAt } from './invoices.repository';
import { Money } from './money';
import { periodContaining, type Interval, type Period } from './periods';
import { readUsage, type Queryable } from './usage.repository';

// Hard quotas per metric (plan_charge.quota): what the plan in effect allows an organisation
// per billing period, beside what it used so far, read from the rollups (never the movements).
// The ingest gateway refuses the writes a reached quota selects (see quota-gate.ts).

/** One quota of the plan an organisation is subscribed to, with the period's usage so far. */
export interface BillingQuota {
  organisationId: string;
  organisationReference: string;
  planCode: string;
  interval: Interval;
  metricId: string;
  metricCode: string;
  unit: string;
  /** The metric's selection, as far as a write can be matched against it. */
  payer: 'destination' | 'source';
  origins: string[];
  pathIds: string[];
  itemKinds: string[];
  /** The resources the metric selects: its resource, or those its pattern matches. */
  resourceIds: string[];
  /** Decimal strings in the metric's unit. */
  quota: string;
  used: string;
  /** The current billing period, clipped to the subscription. */
  period: Period;
  reached: boolean;
}

interface SubscriptionSqlRow {
  organisation_id: string;
  reference: string;
  plan_id: string;
  plan_code: string;
  interval: Interval;
  starts_at: Date;
  ends_at: Date | null;
  anchor_day: number;
  anchor_month: number;
}

interface MetricSqlRow {
  id: string;
  payer: 'destination' | 'source';
  origins: string[];
  path_ids: string[];
  item_kinds: string[];
  resource_ids: string[] | null;
}

/**
 * The quotas of the plan versions in effect at `at` for the organisations' active
 * subscriptions (an organisation's override replaces the plan's charge of its metric, as for
 * invoices), each with the organisation's usage of its metric in the current period.
 */
export async function quotasOf(
  db: Queryable,
  organisationIds: string[],
  at: Date,
): Promise<BillingQuota[]> {
  if (!organisationIds.length) return [];
  const { rows: subscriptions } = await db.query<SubscriptionSqlRow>(
    `SELECT s.organisation_id, n.reference, s.plan_id, p.code AS plan_code, p.interval,
            s.starts_at, s.ends_at, s.anchor_day, s.anchor_month
       FROM subscription s
       JOIN plan p ON p.id = s.plan_id
       JOIN node n ON n.id = s.organisation_id
      WHERE s.organisation_id = ANY($1::uuid[])
        AND s.starts_at <= $2 AND (s.ends_at IS NULL OR s.ends_at > $2)`,
    [organisationIds, at],
  );
  const quotas: BillingQuota[] = [];
  for (const sub of subscriptions) {
    const prices = await pricesAt(db, sub.plan_id, sub.organisation_id, at);
    const charges = prices?.charges.filter((c) => c.quota !== null) ?? [];
    if (!charges.length) continue;
    const full = periodContaining(at, sub.interval, sub.anchor_day, sub.anchor_month);
    const period = {
      start: new Date(Math.max(full.start.getTime(), sub.starts_at.getTime())),
      end: new Date(Math.min(full.end.getTime(), sub.ends_at?.getTime() ?? Infinity)),
    };
    const metricIds = charges.map((c) => c.metricId);
    const metrics = await metricSelections(db, metricIds);
    const usage = await readUsage(db, {
      organisationIds: [sub.organisation_id],
      metricIds,
      from: period.start,
      to: period.end,
    });
    for (const charge of charges) {
      const metric = metrics.get(charge.metricId);
      if (!metric) continue;
      const used = usage.find((u) => u.metricId === charge.metricId)?.quantity ?? new Money(0);
      quotas.push({
        organisationId: sub.organisation_id,
        organisationReference: sub.reference,
        planCode: sub.plan_code,
        interval: sub.interval,
        metricId: charge.metricId,
        metricCode: charge.metricCode,
        unit: charge.unit,
        payer: metric.payer,
        origins: metric.origins,
        pathIds: metric.path_ids,
        itemKinds: metric.item_kinds,
        resourceIds: metric.resource_ids ?? [],
        quota: new Money(charge.quota!).toFixed(),
        used: used.toFixed(),
        period,
        reached: used.gte(charge.quota!),
      });
    }
  }
  return quotas;
}

/** The selections of metrics, their resource patterns resolved as the rollups resolve them. */
async function metricSelections(
  db: Queryable,
  metricIds: string[],
): Promise<Map<string, MetricSqlRow>> {
  const { rows } = await db.query<MetricSqlRow>(
    `SELECT bm.id, bm.payer, bm.origins::text[] AS origins, bm.path_ids::text[] AS path_ids,
            bm.item_kinds::text[] AS item_kinds,
            array_agg(r.id::text) FILTER (WHERE r.id IS NOT NULL) AS resource_ids
       FROM billable_metric bm
       LEFT JOIN resource r ON r.id = bm.resource_id
         OR (bm.resource_pattern IS NOT NULL AND r.reference LIKE
             replace(replace(replace(replace(bm.resource_pattern, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'))
      WHERE bm.id = ANY($1::uuid[])
      GROUP BY bm.id`,
    [metricIds],
  );
  return new Map(rows.map((r) => [r.id, r]));
}

/** The organisations a path's movements are paid by: the nearest at or above each end. */
export interface PathPayers {
  sourceOrganisationId: string | null;
  destinationOrganisationId: string | null;
}

/** The paying organisations of a path's source and destination (null where there is none). */
export async function pathPayers(db: Queryable, pathId: string): Promise<PathPayers> {
  const { rows } = await db.query<{ path_end: 'source' | 'destination'; organisation_id: string }>(
    `WITH RECURSIVE up(path_end, id, kind, parent_id, depth) AS (
       SELECT e.path_end, n.id, n.kind, n.parent_id, 0
         FROM path p
         CROSS JOIN LATERAL (VALUES ('source', p.source_id), ('destination', p.destination_id))
               AS e(path_end, node_id)
         JOIN node n ON n.id = e.node_id
        WHERE p.id = $1
       UNION ALL
       SELECT up.path_end, n.id, n.kind, n.parent_id, up.depth + 1
         FROM up JOIN node n ON n.id = up.parent_id
        WHERE up.kind <> 'organisation' AND up.depth < 1000
     )
     SELECT path_end, id AS organisation_id FROM up WHERE kind = 'organisation'`,
    [pathId],
  );
  const payer = (end: string) => rows.find((r) => r.path_end === end)?.organisation_id ?? null;
  return {
    sourceOrganisationId: payer('source'),
    destinationOrganisationId: payer('destination'),
  };
}

import { Money } from './money';
import { periodContaining, type Period } from './periods';
import { readUsage, type Queryable } from './usage.repository';

/** A budget threshold crossed for the first time in a period. */
export interface BudgetCrossing {
  budgetId: string;
  threshold: number;
  used: string;
  limit: string;
  period: Period;
  /** Dedupe key of the alert it raises. */
  key: string;
  title: string;
  description: string;
}

interface BudgetRow {
  id: string;
  kind: 'money' | 'quantity';
  metric_id: string | null;
  metric_name: string | null;
  unit: string | null;
  amount: string;
  thresholds: number[];
  currency: string | null;
  interval: 'month' | 'year' | null;
  anchor_day: number | null;
  anchor_month: number | null;
}

/**
 * The thresholds of an organisation's budgets crossed in its current period and not recorded
 * before; records them (each is returned once). Money is the subtotal of the period's drafts
 * and invoices, quantities come from the rollups.
 */
export async function checkBudgets(
  db: Queryable,
  organisationId: string,
  at: Date,
  options: { record: boolean } = { record: true },
): Promise<BudgetCrossing[]> {
  const { rows: budgets } = await db.query<BudgetRow>(
    `SELECT b.id, b.kind, b.metric_id, m.name AS metric_name, m.unit, b.amount::text, b.thresholds,
            p.currency, p.interval, s.anchor_day, s.anchor_month
       FROM billing_budget b
       LEFT JOIN billable_metric m ON m.id = b.metric_id
       LEFT JOIN subscription s ON s.organisation_id = b.organisation_id AND s.starts_at <= $2
                               AND (s.ends_at IS NULL OR s.ends_at > $2)
       LEFT JOIN plan p ON p.id = s.plan_id
      WHERE b.organisation_id = $1`,
    [organisationId, at],
  );
  const crossings: BudgetCrossing[] = [];
  for (const budget of budgets) {
    const current = periodContaining(
      at,
      budget.interval ?? 'month',
      budget.anchor_day ?? 1,
      budget.anchor_month ?? 1,
    );
    // The previous period too: usage arriving in its grace period can still cross a threshold.
    const previous = periodContaining(
      new Date(current.start.getTime() - 1),
      budget.interval ?? 'month',
      budget.anchor_day ?? 1,
      budget.anchor_month ?? 1,
    );
    for (const period of [previous, current]) {
      const used = await usedOf(db, organisationId, budget, period);
      const limit = new Money(budget.amount);
      for (const threshold of [...budget.thresholds].sort((a, b) => a - b)) {
        if (used.lessThan(limit.mul(threshold).div(100))) continue;
        const { rowCount } = options.record
          ? await db.query(
              `INSERT INTO billing_budget_crossing (budget_id, period_start, threshold, used)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
              [budget.id, period.start, threshold, used.toFixed(6)],
            )
          : await db.query(
              `SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM billing_budget_crossing
               WHERE budget_id = $1 AND period_start = $2 AND threshold = $3)`,
              [budget.id, period.start, threshold],
            );
        if (!rowCount) continue;
        const what =
          budget.kind === 'money'
            ? `${used.toFixed(2)} of ${limit.toFixed(2)} ${budget.currency ?? ''}`.trim()
            : `${used.toFixed()} of ${limit.toFixed()} ${budget.unit ?? ''} of ${budget.metric_name}`.trim();
        crossings.push({
          budgetId: budget.id,
          threshold,
          used: used.toFixed(),
          limit: limit.toFixed(),
          period,
          key: `budget:${budget.id}:${period.start.toISOString()}:${threshold}`,
          title: `Budget ${threshold}% reached: ${what}`,
          description: `The ${budget.kind === 'money' ? 'spending' : 'usage'} budget of the period from ${period.start.toISOString().slice(0, 10)} reached ${threshold}% (${what}).`,
        });
      }
    }
  }
  return crossings;
}

async function usedOf(db: Queryable, organisationId: string, budget: BudgetRow, period: Period) {
  if (budget.kind === 'quantity') {
    const [usage] = await readUsage(db, {
      organisationIds: [organisationId],
      metricIds: [budget.metric_id!],
      from: period.start,
      to: period.end,
    });
    return usage?.quantity ?? new Money(0);
  }
  const { rows } = await db.query<{ subtotal: string | null }>(
    `SELECT sum(subtotal)::text AS subtotal FROM invoice
      WHERE organisation_id = $1 AND kind = 'invoice' AND state <> 'void'
        AND period_start >= $2 AND period_start < $3`,
    [organisationId, period.start, period.end],
  );
  return new Money(rows[0]?.subtotal ?? 0);
}

/**
 * Organisations that need a billing run now: a draft past its grace period, or a budget
 * threshold reached and not yet recorded; none with a billing run queued or running.
 */
export async function dueBillingRuns(db: Queryable, at: Date): Promise<string[]> {
  const { rows } = await db.query<{ organisation_id: string }>(
    `SELECT DISTINCT i.organisation_id
       FROM invoice i LEFT JOIN billing_account a ON a.organisation_id = i.organisation_id
      WHERE i.state = 'draft' AND i.kind = 'invoice'
        AND i.period_end + make_interval(days => COALESCE(a.grace_days, 3)) <= $1
        AND NOT EXISTS (SELECT 1 FROM job_run r WHERE r.owner_id = i.organisation_id
                          AND r.type = 'billing-run' AND r.state IN ('queued', 'running'))`,
    [at],
  );
  const due = new Set(rows.map((r) => r.organisation_id));
  const { rows: budgeted } = await db.query<{ organisation_id: string }>(
    `SELECT DISTINCT organisation_id FROM billing_budget b
      WHERE NOT EXISTS (SELECT 1 FROM job_run r WHERE r.owner_id = b.organisation_id
                          AND r.type = 'billing-run' AND r.state IN ('queued', 'running'))`,
  );
  for (const { organisation_id: organisationId } of budgeted) {
    if (due.has(organisationId)) continue;
    if ((await checkBudgets(db, organisationId, at, { record: false })).length)
      due.add(organisationId);
  }
  return [...due];
}

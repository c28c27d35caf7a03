import { DomainError, uuidv7, type FieldError } from '@sextant/domain';
import type { Pool, PoolClient } from 'pg';
import { validateCharge, type ChargeTerms, type Tier } from './charges';
import { billingLimits } from './limits';
import { isCurrency } from './money';
import { periodContaining } from './periods';
import { inTransaction } from './transaction';
import type { Aggregation, Queryable } from './usage.repository';

// Writes of the billing catalogue: metrics, plans and their versions, subscriptions. Each
// checks its input and names the field of every problem; what concerns an organisation's
// subscriptions runs under the organisation's billing lock, like billing runs.

const dayMs = 86_400_000;
const movementOrigins = ['ingest', 'cdc', 'analysis', 'manual', 'job', 'metering'];
const itemKinds = [
  'sensor',
  'data_set',
  'licence',
  'model',
  'candidate',
  'alert',
  'maintenance_order',
  'other',
  'report',
];
const aggregations: Aggregation[] = [
  'sum',
  'count',
  'max',
  'unique_count',
  'latest',
  'time_weighted_sum',
];
const decimal = /^\d+(\.\d+)?$/;

export interface MetricInput {
  code: string;
  name: string;
  description?: string;
  unit: string;
  /** A resource by reference, or a reference pattern with `*`. */
  resource?: string;
  resourcePattern?: string;
  payer?: 'destination' | 'source';
  origins?: string[];
  pathIds?: string[];
  itemKinds?: string[];
  aggregation: Aggregation;
  uniqueOf?: 'item' | 'source_node' | 'destination_node';
  unitDivisor?: string;
}

/** Creates a billable metric; its selection never changes afterwards. */
export async function createMetric(db: Queryable, input: MetricInput): Promise<string> {
  const errors: FieldError[] = [];
  if (!/^[a-z][a-z0-9._-]{0,79}$/.test(input.code ?? ''))
    errors.push({
      field: 'code',
      reason: 'must be 1-80 of a-z, 0-9, . _ -, starting with a letter',
    });
  if (!input.name?.trim()) errors.push({ field: 'name', reason: 'must not be empty' });
  if (!input.unit?.trim()) errors.push({ field: 'unit', reason: 'must not be empty' });
  if (!!input.resource === !!input.resourcePattern)
    errors.push({ field: 'resource', reason: 'give exactly one of resource and resourcePattern' });
  if (input.resourcePattern && !/^[A-Za-z0-9_.:*/-]{1,120}$/.test(input.resourcePattern))
    errors.push({ field: 'resourcePattern', reason: 'may hold letters, digits, _ . : / - and *' });
  if (!aggregations.includes(input.aggregation))
    errors.push({ field: 'aggregation', reason: `must be one of ${aggregations.join(', ')}` });
  if ((input.aggregation === 'unique_count') !== !!input.uniqueOf)
    errors.push({ field: 'uniqueOf', reason: 'is required with unique_count, and only with it' });
  (input.origins ?? []).forEach((o, i) => {
    if (!movementOrigins.includes(o))
      errors.push({
        field: `origins[${i}]`,
        reason: `must be one of ${movementOrigins.join(', ')}`,
      });
  });
  (input.itemKinds ?? []).forEach((k, i) => {
    if (!itemKinds.includes(k))
      errors.push({ field: `itemKinds[${i}]`, reason: `must be one of ${itemKinds.join(', ')}` });
  });
  if (
    input.unitDivisor !== undefined &&
    (!decimal.test(input.unitDivisor) || Number(input.unitDivisor) === 0)
  )
    errors.push({ field: 'unitDivisor', reason: 'must be a positive decimal' });
  if (errors.length) throw DomainError.validation(errors);

  let resourceId: string | null = null;
  if (input.resource) {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM resource WHERE reference = $1',
      [input.resource],
    );
    if (!rows[0]) throw new DomainError('ResourceNotFound', `no resource ${input.resource}`);
    resourceId = rows[0].id;
  }
  if (input.pathIds?.length) {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM path WHERE id = ANY($1::uuid[])',
      [input.pathIds],
    );
    const known = new Set(rows.map((r) => r.id));
    const missing = input.pathIds.findIndex((id) => !known.has(id));
    if (missing >= 0)
      throw DomainError.validation([{ field: `pathIds[${missing}]`, reason: 'no such path' }]);
  }
  const id = uuidv7();
  const { rowCount } = await db.query(
    `INSERT INTO billable_metric (id, code, name, description, unit, resource_id, resource_pattern, payer,
                                  origins, path_ids, item_kinds, aggregation, unique_of, unit_divisor, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::"MovementOrigin"[], $10::uuid[], $11::"ItemKind"[],
             $12, $13, $14, now())
     ON CONFLICT (code) DO NOTHING`,
    [
      id,
      input.code,
      input.name.trim(),
      input.description ?? '',
      input.unit.trim(),
      resourceId,
      input.resourcePattern ?? null,
      input.payer ?? 'destination',
      input.origins ?? [],
      input.pathIds ?? [],
      input.itemKinds ?? [],
      input.aggregation,
      input.uniqueOf ?? null,
      input.unitDivisor ?? '1',
    ],
  );
  if (!rowCount) throw new DomainError('ReferenceTaken', `a metric ${input.code} exists already`);
  return id;
}

export interface ChargeInput {
  /** The metric's code. */
  metric: string;
  model: ChargeTerms['model'];
  unitPrice?: string;
  tiers?: Tier[];
  packageSize?: string;
  packagePrice?: string;
  includedQuantity?: string;
  minimumAmount?: string;
  capAmount?: string;
  /** A hard quota per period, enforced by ingest. */
  quota?: string;
}

export interface VersionInput {
  effectiveFrom: Date;
  /** Required for a plan's own version; in an override, null keeps the plan's. */
  fixedFee?: string | null;
  charges: ChargeInput[];
  /** An override for one organisation. */
  organisationId?: string | null;
  note?: string;
}

export interface PlanInput extends VersionInput {
  code: string;
  name: string;
  description?: string;
  currency: string;
  interval: 'month' | 'year';
}

/** Creates a plan with its first prices. */
export async function createPlan(pool: Pool, input: PlanInput): Promise<string> {
  const errors: FieldError[] = [];
  if (!/^[a-z][a-z0-9._-]{0,79}$/.test(input.code ?? ''))
    errors.push({
      field: 'code',
      reason: 'must be 1-80 of a-z, 0-9, . _ -, starting with a letter',
    });
  if (!input.name?.trim()) errors.push({ field: 'name', reason: 'must not be empty' });
  if (!isCurrency(input.currency ?? ''))
    errors.push({
      field: 'currency',
      reason: 'must be an ISO 4217 currency code in use, e.g. EUR',
    });
  if (input.interval !== 'month' && input.interval !== 'year')
    errors.push({ field: 'interval', reason: 'must be month or year' });
  if (errors.length) throw DomainError.validation(errors);
  return inTransaction(pool, async (db) => {
    const id = uuidv7();
    const { rowCount } = await db.query(
      `INSERT INTO plan (id, code, name, description, currency, interval, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, now()) ON CONFLICT (code) DO NOTHING`,
      [id, input.code, input.name.trim(), input.description ?? '', input.currency, input.interval],
    );
    if (!rowCount) throw new DomainError('ReferenceTaken', `a plan ${input.code} exists already`);
    await addVersionIn(db, id, { ...input, organisationId: null });
    return id;
  });
}

/** Adds prices from a date on (the plan's, or an organisation's override). */
export async function addPlanVersion(
  pool: Pool,
  planId: string,
  input: VersionInput,
): Promise<string> {
  return inTransaction(pool, (db) => addVersionIn(db, planId, input));
}

async function addVersionIn(db: PoolClient, planId: string, input: VersionInput): Promise<string> {
  const errors: FieldError[] = [];
  const override = !!input.organisationId;
  if (!(input.effectiveFrom instanceof Date) || Number.isNaN(input.effectiveFrom.getTime()))
    errors.push({ field: 'effectiveFrom', reason: 'must be a date-time' });
  else if (input.effectiveFrom.getTime() % dayMs !== 0)
    errors.push({ field: 'effectiveFrom', reason: 'must be a day boundary (00:00 UTC)' });
  if (input.fixedFee !== undefined && input.fixedFee !== null && !decimal.test(input.fixedFee))
    errors.push({ field: 'fixedFee', reason: 'must be a non-negative decimal' });
  if (!override && (input.fixedFee === undefined || input.fixedFee === null))
    errors.push({ field: 'fixedFee', reason: "is required in a plan's own prices (0 for none)" });
  if ((input.charges ?? []).length > billingLimits.charges)
    errors.push({ field: 'charges', reason: `at most ${billingLimits.charges} charges` });
  const seen = new Set<string>();
  (input.charges ?? []).forEach((charge, i) => {
    if ((charge.tiers ?? []).length > billingLimits.tiers)
      errors.push({ field: `charges[${i}].tiers`, reason: `at most ${billingLimits.tiers} tiers` });
    if (seen.has(charge.metric))
      errors.push({ field: `charges[${i}].metric`, reason: `${charge.metric} is charged twice` });
    seen.add(charge.metric);
    for (const e of validateCharge(termsOfInput(charge)))
      errors.push({ field: `charges[${i}].${e.field}`, reason: e.reason });
    if (charge.quota !== undefined && !decimal.test(charge.quota))
      errors.push({ field: `charges[${i}].quota`, reason: 'must be a non-negative decimal' });
  });
  if (errors.length) throw DomainError.validation(errors);

  const { rows: plans } = await db.query<{ id: string }>('SELECT id FROM plan WHERE id = $1', [
    planId,
  ]);
  if (!plans[0]) throw new DomainError('PlanNotFound', `no plan ${planId}`);
  if (override) {
    const { rows } = await db.query<{ kind: string }>('SELECT kind FROM node WHERE id = $1', [
      input.organisationId,
    ]);
    if (rows[0]?.kind !== 'organisation')
      throw DomainError.validation([{ field: 'organisationId', reason: 'is not an organisation' }]);
  }
  const codes = input.charges.map((c) => c.metric);
  const { rows: metrics } = await db.query<{ id: string; code: string }>(
    'SELECT id, code FROM billable_metric WHERE code = ANY($1::text[]) AND archived_at IS NULL',
    [codes],
  );
  const metricIds = new Map(metrics.map((m) => [m.code, m.id]));
  const unknown = codes.findIndex((code) => !metricIds.has(code));
  if (unknown >= 0)
    throw DomainError.validation([
      { field: `charges[${unknown}].metric`, reason: `no live metric ${codes[unknown]}` },
    ]);
  const id = uuidv7();
  const { rowCount } = await db.query(
    `INSERT INTO plan_version (id, plan_id, organisation_id, effective_from, fixed_fee, note)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
    [
      id,
      planId,
      input.organisationId ?? null,
      input.effectiveFrom,
      input.fixedFee ?? null,
      input.note ?? '',
    ],
  );
  if (!rowCount)
    throw new DomainError(
      'ReferenceTaken',
      `prices effective from ${input.effectiveFrom.toISOString()} exist already; add another date`,
    );
  for (const charge of input.charges) {
    await db.query(
      `INSERT INTO plan_charge (id, version_id, metric_id, model, unit_price, tiers, package_size, package_price,
                                included_quantity, minimum_amount, cap_amount, quota)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        uuidv7(),
        id,
        metricIds.get(charge.metric),
        charge.model,
        charge.unitPrice ?? null,
        JSON.stringify(charge.tiers ?? []),
        charge.packageSize ?? null,
        charge.packagePrice ?? null,
        charge.includedQuantity ?? '0',
        charge.minimumAmount ?? null,
        charge.capAmount ?? null,
        charge.quota ?? null,
      ],
    );
  }
  return id;
}

function termsOfInput(charge: ChargeInput): ChargeTerms {
  const { metric: _metric, quota: _quota, ...terms } = charge;
  void _metric;
  void _quota;
  return terms;
}

export interface SubscribeInput {
  organisationId: string;
  planId: string;
  startsAt: Date;
  /** Day of month periods start on (default: the start's). */
  anchorDay?: number;
  /** Month yearly periods start in (default: the start's). */
  anchorMonth?: number;
  trialDays?: number;
}

/** Subscribes an organisation to a plan; it may have one subscription without an end. */
export async function subscribe(pool: Pool, input: SubscribeInput): Promise<string> {
  const errors = dayErrors('startsAt', input.startsAt);
  const anchorDay = input.anchorDay ?? input.startsAt?.getUTCDate();
  const anchorMonth = input.anchorMonth ?? (input.startsAt?.getUTCMonth() ?? 0) + 1;
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31)
    errors.push({ field: 'anchorDay', reason: 'must be a day of month, 1-31' });
  if (!Number.isInteger(anchorMonth) || anchorMonth < 1 || anchorMonth > 12)
    errors.push({ field: 'anchorMonth', reason: 'must be a month, 1-12' });
  const trialDays = input.trialDays ?? 0;
  if (!Number.isInteger(trialDays) || trialDays < 0 || trialDays > 366)
    errors.push({ field: 'trialDays', reason: 'must be 0-366' });
  if (errors.length) throw DomainError.validation(errors);
  return inTransaction(pool, async (db) => {
    await lockOrganisation(db, input.organisationId);
    await planExists(db, input.planId);
    const { rows: nodes } = await db.query<{ kind: string }>(
      'SELECT kind FROM node WHERE id = $1',
      [input.organisationId],
    );
    if (!nodes[0]) throw new DomainError('NodeNotFound', `no node ${input.organisationId}`);
    if (nodes[0].kind !== 'organisation')
      throw DomainError.validation([{ field: 'organisationId', reason: 'is not an organisation' }]);
    const { rows: overlapping } = await db.query<{ id: string }>(
      `SELECT id FROM subscription WHERE organisation_id = $1 AND (ends_at IS NULL OR ends_at > $2)`,
      [input.organisationId, input.startsAt],
    );
    if (overlapping[0]) {
      throw new DomainError(
        'SubscriptionExists',
        `the organisation has a subscription (${overlapping[0].id}) running on or after ${input.startsAt.toISOString().slice(0, 10)}: change its plan or cancel it`,
      );
    }
    const id = uuidv7();
    await db.query(
      `INSERT INTO subscription (id, organisation_id, open_organisation_id, plan_id, starts_at, anchor_day,
                                 anchor_month, trial_days, updated_at)
       VALUES ($1, $2, $2, $3, $4, $5, $6, $7, now())`,
      [id, input.organisationId, input.planId, input.startsAt, anchorDay, anchorMonth, trialDays],
    );
    return id;
  });
}

/**
 * Moves a subscription to another plan at a day boundary: the subscription ends there and a new
 * one (same anchor) starts; fixed fees are prorated by day and usage splits at the change.
 */
export async function changePlan(
  pool: Pool,
  subscriptionId: string,
  input: { planId: string; at: Date },
): Promise<string> {
  const errors = dayErrors('at', input.at);
  if (errors.length) throw DomainError.validation(errors);
  return inTransaction(pool, async (db) => {
    const sub = await subscriptionFor(db, subscriptionId);
    await planExists(db, input.planId);
    if (sub.ends_at !== null)
      throw new DomainError('IllegalTransition', 'the subscription has an end already');
    if (input.at.getTime() <= sub.starts_at.getTime())
      throw DomainError.validation([
        { field: 'at', reason: 'must be after the subscription starts' },
      ]);
    await notBilled(db, subscriptionId, input.at, 'at');
    await db.query(
      `UPDATE subscription SET ends_at = $2, open_organisation_id = NULL, updated_at = now() WHERE id = $1`,
      [subscriptionId, input.at],
    );
    const id = uuidv7();
    await db.query(
      `INSERT INTO subscription (id, organisation_id, open_organisation_id, plan_id, starts_at, anchor_day,
                                 anchor_month, trial_days, previous_id, updated_at)
       VALUES ($1, $2, $2, $3, $4, $5, $6, 0, $7, now())`,
      [
        id,
        sub.organisation_id,
        input.planId,
        input.at,
        sub.anchor_day,
        sub.anchor_month,
        subscriptionId,
      ],
    );
    return id;
  });
}

/**
 * Cancels a subscription at the end of its current period, or now (the end of the current UTC
 * day: periods are counted in whole days).
 */
export async function cancelSubscription(
  pool: Pool,
  subscriptionId: string,
  input: { when: 'period_end' | 'now'; at: Date },
): Promise<Date> {
  return inTransaction(pool, async (db) => {
    const sub = await subscriptionFor(db, subscriptionId);
    if (sub.ends_at !== null && sub.ends_at.getTime() <= input.at.getTime())
      throw new DomainError('IllegalTransition', 'the subscription has ended already');
    const nextMidnight = new Date(Math.floor(input.at.getTime() / dayMs) * dayMs + dayMs);
    const end =
      input.when === 'now'
        ? new Date(Math.max(nextMidnight.getTime(), sub.starts_at.getTime() + dayMs))
        : periodContaining(
            new Date(Math.max(input.at.getTime(), sub.starts_at.getTime())),
            sub.interval,
            sub.anchor_day,
            sub.anchor_month,
          ).end;
    const ends = sub.ends_at && sub.ends_at.getTime() < end.getTime() ? sub.ends_at : end;
    await db.query(
      `UPDATE subscription SET ends_at = $2, open_organisation_id = NULL, cancelled_at = $3, updated_at = now()
        WHERE id = $1`,
      [subscriptionId, ends, input.at],
    );
    return ends;
  });
}

interface SubscriptionFacts {
  organisation_id: string;
  starts_at: Date;
  ends_at: Date | null;
  anchor_day: number;
  anchor_month: number;
  interval: 'month' | 'year';
}

async function subscriptionFor(db: PoolClient, id: string): Promise<SubscriptionFacts> {
  const { rows } = await db.query<SubscriptionFacts>(
    `SELECT s.organisation_id, s.starts_at, s.ends_at, s.anchor_day, s.anchor_month, p.interval
       FROM subscription s JOIN plan p ON p.id = s.plan_id WHERE s.id = $1`,
    [id],
  );
  if (!rows[0]) throw new DomainError('SubscriptionNotFound', `no subscription ${id}`);
  await lockOrganisation(db, rows[0].organisation_id);
  return rows[0];
}

async function notBilled(db: PoolClient, subscriptionId: string, at: Date, field: string) {
  const { rows } = await db.query<{ end: Date | null }>(
    `SELECT max(period_end) AS end FROM invoice
      WHERE subscription_id = $1 AND kind = 'invoice' AND state <> 'draft'`,
    [subscriptionId],
  );
  const billedTo = rows[0]?.end;
  if (billedTo && at.getTime() < billedTo.getTime()) {
    throw new DomainError(
      'AlreadyBilled',
      `${field}: the subscription is invoiced up to ${billedTo.toISOString().slice(0, 10)}; a change can take effect from then on`,
    );
  }
}

async function planExists(db: Queryable, planId: string): Promise<void> {
  const { rows } = await db.query<{ archived_at: Date | null }>(
    'SELECT archived_at FROM plan WHERE id = $1',
    [planId],
  );
  if (!rows[0]) throw new DomainError('PlanNotFound', `no plan ${planId}`);
  if (rows[0].archived_at)
    throw DomainError.validation([{ field: 'planId', reason: 'the plan is archived' }]);
}

function dayErrors(field: string, date: Date | undefined): FieldError[] {
  if (!(date instanceof Date) || Number.isNaN(date.getTime()))
    return [{ field, reason: 'must be a date-time' }];
  if (date.getTime() % dayMs !== 0)
    return [{ field, reason: 'must be a day boundary (00:00 UTC)' }];
  return [];
}

/** Takes the organisation's billing lock (the one billing runs take) for the transaction. */
export async function lockOrganisation(db: Queryable, organisationId: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
    `billing:${organisationId}`,
  ]);
}

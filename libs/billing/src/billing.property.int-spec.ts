// Property test of billing end to end: random plans (every charge model) and random movements
// in a real database, billed by BillingEngine and checked against a plain computation written
// here. The computation reads nothing from libs/billing: it aggregates the test's own list of
// movements with exact BigInt fractions, rates each charge naively, rounds each line half up to
// the currency's minor units and taxes once on the subtotal. Every case has its own seed; a
// failure names it. Another run: BILLING_PROPERTY_SEED=123 npx jest --selectProjects int -- billing.property
import { uuidv7 } from '@sextant/domain';
import { createTestDatabase, type TestDatabase } from '@sextant/testing';
import { Pool, type PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBilledOrganisation, ensureResource, foldAll } from './testing';
import { changePlan, createMetric, createPlan, subscribe } from './catalogue.repository';
import { BillingEngine } from './invoicing';

const baseSeed = Number(process.env.BILLING_PROPERTY_SEED ?? 20261208);
const caseCount = Number(process.env.BILLING_PROPERTY_CASES ?? 40);
const dayMs = 86_400_000;
const issuer = {
  code: 'prop',
  name: 'Property Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};

// ---- Exact fractions (n / d, d > 0) --------------------------------------------------------

interface Q {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));
const frac = (n: bigint, d = 1n): Q => {
  if (d < 0n) [n, d] = [-n, -d];
  const g = gcd(n < 0n ? -n : n, d) || 1n;
  return { n: n / g, d: d / g };
};
const q = (text: string): Q => {
  const negative = text.startsWith('-');
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const n = BigInt(whole + fraction);
  return frac(negative ? -n : n, 10n ** BigInt(fraction.length));
};
const ZERO = frac(0n);
const add = (a: Q, b: Q): Q => frac(a.n * b.d + b.n * a.d, a.d * b.d);
const sub = (a: Q, b: Q): Q => frac(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Q, b: Q): Q => frac(a.n * b.n, a.d * b.d);
const div = (a: Q, b: Q): Q => frac(a.n * b.d, a.d * b.n);
const cmp = (a: Q, b: Q): number => {
  const x = a.n * b.d - b.n * a.d;
  return x === 0n ? 0 : x < 0n ? -1 : 1;
};
const min = (a: Q, b: Q): Q => (cmp(a, b) <= 0 ? a : b);
const max = (a: Q, b: Q): Q => (cmp(a, b) >= 0 ? a : b);
/** ceil(a) for a >= 0. */
const ceil = (a: Q): Q => frac((a.n + a.d - 1n) / a.d);
/** `a` rounded half up (away from zero) to `digits` places, as a count of 10^-digits. */
const roundUnits = (a: Q, digits: number): bigint => {
  const scaled = a.n * 10n ** BigInt(digits);
  const magnitude = scaled < 0n ? -scaled : scaled;
  const units = (2n * magnitude + a.d) / (2n * a.d);
  return scaled < 0n ? -units : units;
};
const round = (a: Q, digits: number): Q => frac(roundUnits(a, digits), 10n ** BigInt(digits));
/** `a` (already with at most `places` decimals) written with exactly `places` decimals. */
const fixed = (a: Q, places = 6): string => {
  const units = roundUnits(a, places);
  if (cmp(frac(units, 10n ** BigInt(places)), a) !== 0)
    throw new Error(`not exact at ${places} places`);
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(places + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -places)}.${digits.slice(-places)}`;
};

// ---- Seeded randomness ---------------------------------------------------------------------

function random(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (p: number) => next() < p;
  // A non-negative decimal with up to `places` decimals (trailing zeros kept, as people write them).
  const decimal = (whole: number, places: number): string => {
    const dp = int(0, places);
    const fraction = Array.from({ length: dp }, () => int(0, 9)).join('');
    return `${int(0, whole)}${dp ? '.' + fraction : ''}`;
  };
  const shuffle = <T>(items: T[]): T[] => {
    for (let i = items.length - 1; i > 0; i--) {
      const j = int(0, i);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  };
  return { int, pick, chance, decimal, shuffle };
}
type Random = ReturnType<typeof random>;

// ---- The case's world, as the test knows it -------------------------------------------------

const aggregations = [
  'sum',
  'count',
  'max',
  'unique_count',
  'latest',
  'time_weighted_sum',
] as const;
type Aggregation = (typeof aggregations)[number];
const models = ['per_unit', 'graduated', 'volume', 'package'] as const;
type Model = (typeof models)[number];
const currencies = { EUR: 2, JPY: 0, KWD: 3 } as const;
type Currency = keyof typeof currencies;

interface Metric {
  id: string;
  code: string;
  aggregation: Aggregation;
  uniqueOf: 'item' | 'source_node' | null;
  payer: 'destination' | 'source';
  divisor: string;
  /** The resources it selects (one by reference, or two through a pattern). */
  resourceIds: string[];
}

interface TierSpec {
  upTo: string | null;
  unitPrice: string;
  flatFee?: string;
}

interface Charge {
  metric: Metric;
  model: Model;
  unitPrice?: string;
  tiers?: TierSpec[];
  packageSize?: string;
  packagePrice?: string;
  includedQuantity: string;
  minimumAmount?: string;
  capAmount?: string;
}

interface Plan {
  id: string;
  currency: Currency;
  fixedFee: string;
  charges: Charge[];
}

interface Org {
  id: string;
  taxRate: string;
  nodes: string[]; // the organisation node, then its machines
}

interface Sub {
  id: string;
  org: Org;
  plan: Plan;
  start: Date;
  end: Date;
  trialDays: number;
}

interface Move {
  id: string;
  resourceId: string;
  sourceId: string;
  destinationId: string;
  itemId: string | null;
  quantity: string;
  start: Date;
  stop: Date;
}

// ---- The plain computation -----------------------------------------------------------------

/** A charge's aggregate over [from, to) for `org`, and the movements it counted. */
function aggregate(
  metric: Metric,
  orgId: string,
  from: Date,
  to: Date,
  moves: Move[],
  ownerOf: Map<string, string>,
): { quantity: Q; ids: string[] } {
  const selected = moves.filter(
    (m) =>
      metric.resourceIds.includes(m.resourceId) &&
      ownerOf.get(metric.payer === 'destination' ? m.destinationId : m.sourceId) === orgId &&
      m.start >= from &&
      m.start < to,
  );
  let raw = ZERO;
  switch (metric.aggregation) {
    case 'sum':
      raw = selected.reduce((s, m) => add(s, q(m.quantity)), ZERO);
      break;
    case 'count':
      raw = frac(BigInt(selected.length));
      break;
    case 'max':
      raw = selected.reduce((s, m) => max(s, q(m.quantity)), ZERO);
      break;
    case 'unique_count': {
      const keys = selected.map((m) => (metric.uniqueOf === 'item' ? m.itemId : m.sourceId));
      raw = frac(BigInt(new Set(keys.filter((k) => k !== null)).size));
      break;
    }
    case 'latest': {
      // The movement that stops last; ties go to the greater id.
      const last = [...selected].sort(
        (a, b) => b.stop.getTime() - a.stop.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0),
      )[0];
      raw = last ? q(last.quantity) : ZERO;
      break;
    }
    case 'time_weighted_sum':
      // Quantity × hours.
      raw = selected.reduce(
        (s, m) =>
          add(
            s,
            mul(q(m.quantity), frac(BigInt(m.stop.getTime() - m.start.getTime()), 3_600_000n)),
          ),
        ZERO,
      );
      break;
  }
  // Quantities are kept to 6 decimals.
  return { quantity: round(div(raw, q(metric.divisor)), 6), ids: selected.map((m) => m.id).sort() };
}

/** The exact amount of `quantity` under `charge`, the included quantity, minimum and cap scaled by `proration`. */
function rate(charge: Charge, quantity: Q, proration: Q): Q {
  const used = max(quantity, ZERO);
  const billable = sub(used, min(used, mul(q(charge.includedQuantity), proration)));
  let amount = ZERO;
  switch (charge.model) {
    case 'per_unit':
      amount = mul(billable, q(charge.unitPrice!));
      break;
    case 'graduated': {
      let lower = ZERO;
      for (const tier of charge.tiers!) {
        if (cmp(billable, lower) <= 0) break;
        const top = tier.upTo === null ? billable : min(billable, q(tier.upTo));
        amount = add(amount, add(mul(sub(top, lower), q(tier.unitPrice)), q(tier.flatFee ?? '0')));
        if (tier.upTo === null) break;
        lower = q(tier.upTo);
      }
      break;
    }
    case 'volume': {
      if (cmp(billable, ZERO) === 0) break;
      const tier = charge.tiers!.find((t) => t.upTo === null || cmp(billable, q(t.upTo)) <= 0)!;
      amount = add(mul(billable, q(tier.unitPrice)), q(tier.flatFee ?? '0'));
      break;
    }
    case 'package':
      amount = mul(ceil(div(billable, q(charge.packageSize!))), q(charge.packagePrice!));
      break;
  }
  if (charge.minimumAmount !== undefined)
    amount = max(amount, mul(q(charge.minimumAmount), proration));
  if (charge.capAmount !== undefined) amount = min(amount, mul(q(charge.capAmount), proration));
  return amount;
}

const days = (from: Date, to: Date) => BigInt(Math.round((to.getTime() - from.getTime()) / dayMs));

interface ExpectedLine {
  kind: 'fixed_fee' | 'usage';
  metricId: string | null;
  quantity: string | null;
  amount: string;
  ids: string[];
}

/** The invoice of `sub` for its part of the month [monthStart, monthEnd). */
function expectedInvoice(
  sub: Sub,
  monthStart: Date,
  monthEnd: Date,
  moves: Move[],
  ownerOf: Map<string, string>,
): { lines: ExpectedLine[]; subtotal: string; tax: string; total: string } {
  const digits = currencies[sub.plan.currency];
  const whole = days(monthStart, monthEnd);
  const lines: ExpectedLine[] = [];
  if (cmp(q(sub.plan.fixedFee), ZERO) !== 0) {
    // The trial waives the fixed fee for its days.
    const charged = new Date(sub.start.getTime() + sub.trialDays * dayMs);
    if (charged < sub.end) {
      const amount = round(mul(q(sub.plan.fixedFee), frac(days(charged, sub.end), whole)), digits);
      lines.push({
        kind: 'fixed_fee',
        metricId: null,
        quantity: null,
        amount: fixed(amount),
        ids: [],
      });
    }
  }
  const proration = frac(days(sub.start, sub.end), whole);
  for (const charge of sub.plan.charges) {
    const used = aggregate(charge.metric, sub.org.id, sub.start, sub.end, moves, ownerOf);
    const amount = round(rate(charge, used.quantity, proration), digits);
    lines.push({
      kind: 'usage',
      metricId: charge.metric.id,
      quantity: fixed(used.quantity),
      amount: fixed(amount),
      ids: used.ids,
    });
  }
  const subtotal = lines.reduce((s, l) => add(s, q(l.amount)), ZERO);
  const tax = round(mul(subtotal, q(sub.org.taxRate)), digits);
  return { lines, subtotal: fixed(subtotal), tax: fixed(tax), total: fixed(add(subtotal, tax)) };
}

// ---- Generation ----------------------------------------------------------------------------

const tierBounds = ['1', '3', '10', '25', '100', '250', '1000', '2500'];

function randomCharge(r: Random, metric: Metric, model: Model): Charge {
  const price = () => r.decimal(r.pick([0, 1, 3]), 4);
  const charge: Charge = {
    metric,
    model,
    includedQuantity: r.chance(0.5) ? '0' : r.pick(['1', '10', '100', '12.5', '0.5', '1000']),
  };
  switch (model) {
    case 'per_unit':
      charge.unitPrice = price();
      break;
    case 'graduated':
    case 'volume': {
      const bounds = r.shuffle([...tierBounds]).slice(0, r.int(0, 2));
      bounds.sort((a, b) => Number(a) - Number(b));
      charge.tiers = [...bounds, null].map((upTo) => ({
        upTo,
        unitPrice: price(),
        ...(r.chance(0.25) ? { flatFee: r.decimal(20, 2) } : {}),
      }));
      break;
    }
    case 'package':
      charge.packageSize = r.pick(['1', '10', '100', '2.5', '1000']);
      charge.packagePrice = r.decimal(50, 2);
      break;
  }
  if (r.chance(0.3)) charge.minimumAmount = r.decimal(50, 2);
  if (r.chance(0.3)) {
    const floor = q(charge.minimumAmount ?? '0');
    charge.capAmount = fixed(add(floor, q(r.decimal(500, 2))), 2);
  }
  return charge;
}

async function randomPlan(
  pool: Pool,
  r: Random,
  code: string,
  metrics: Metric[],
  monthStart: Date,
): Promise<Plan> {
  const currency = r.pick(Object.keys(currencies) as Currency[]);
  const fixedFee = r.pick(['0', '29', '9.99', '120', '12.345', '1000']);
  const chosen = r.shuffle([...metrics]).slice(0, r.int(1, metrics.length));
  const charges = chosen.map((m) => randomCharge(r, m, r.pick(models)));
  const id = await createPlan(pool, {
    code,
    name: code,
    currency,
    interval: 'month',
    effectiveFrom: monthStart,
    fixedFee,
    charges: charges.map(({ metric, ...terms }) => ({ metric: metric.code, ...terms })),
  });
  return { id, currency, fixedFee, charges };
}

/** Writes movements with the test's own ids in one transaction of `client`. */
async function writeMoves(client: PoolClient | Pool, moves: Move[]): Promise<void> {
  if (!moves.length) return;
  await client.query(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, item_id, quantity, start, stop, origin)
     SELECT m.id, m.resource_id, m.source_id, m.destination_id, m.item_id, m.quantity, m.start, m.stop, 'ingest'
       FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, resource_id uuid, source_id uuid, destination_id uuid,
            item_id uuid, quantity numeric, start timestamptz, stop timestamptz)`,
    [
      JSON.stringify(
        moves.map((m) => ({
          id: m.id,
          resource_id: m.resourceId,
          source_id: m.sourceId,
          destination_id: m.destinationId,
          item_id: m.itemId,
          quantity: m.quantity,
          start: m.start.toISOString(),
          stop: m.stop.toISOString(),
        })),
      ),
    ],
  );
}

describe('billing property: invoices equal a plain computation over the movements', () => {
  let db: TestDatabase;
  let pool: Pool;
  const seen = {
    models: new Set<string>(),
    aggregations: new Set<string>(),
    currencies: new Set<string>(),
  };

  beforeAll(async () => {
    db = await createTestDatabase('billing_property');
    pool = new Pool({ connectionString: db.url, max: 6 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const cases = Array.from({ length: caseCount }, (_, i) => i);

  it.each(cases)('case %i', async (c) => {
    const seed = baseSeed + c;
    try {
      await runCase(c, seed);
    } catch (error) {
      const e = error as Error;
      e.message = `BILLING_PROPERTY_SEED=${baseSeed} case ${c} (seed ${seed}): ${e.message}`;
      throw e;
    }
  });

  it('covered every charge model, aggregation and currency', () => {
    expect([...seen.models].sort()).toEqual([...models].sort());
    expect([...seen.aggregations].sort()).toEqual([...aggregations].sort());
    expect([...seen.currencies].sort()).toEqual(Object.keys(currencies).sort());
  });

  async function runCase(c: number, seed: number): Promise<void> {
    const r = random(seed);
    // One month per case, from January 2026 on (so every month length, and February 2028's 29 days).
    const monthStart = new Date(Date.UTC(2026, c, 1));
    const monthEnd = new Date(Date.UTC(2026, c + 1, 1));
    const monthDays = Number(days(monthStart, monthEnd));
    const ownerOf = new Map<string, string>();

    // Organisations: three subscribed ones (each with three machines and two items), and an
    // outsider without a subscription whose usage is never billed.
    const makeOrg = async (name: string): Promise<Org & { items: string[] }> => {
      const taxRate = r.pick(['0', '0.2', '0.19', '0.075', '0.0825', '0.1', '0.21', '0.155555']);
      const o = await createBilledOrganisation(pool, name, { taxRate });
      const nodes = [o.id, o.machineId];
      for (const m of ['m2', 'm3']) {
        const id = uuidv7();
        await pool.query(
          `INSERT INTO node (id, kind, name, reference, parent_id, updated_at) VALUES ($1, 'machine', $2, $2, $3, now())`,
          [id, m, o.id],
        );
        nodes.push(id);
      }
      const items: string[] = [];
      for (const ref of ['i1', 'i2']) {
        const id = uuidv7();
        await pool.query(
          `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, 'sensor', $2, $2, $3, now())`,
          [id, `${name}-${ref}`, o.machineId],
        );
        items.push(id);
      }
      for (const n of nodes) ownerOf.set(n, o.id);
      return { id: o.id, taxRate, nodes, items };
    };
    const orgs = [await makeOrg(`p${c}o1`), await makeOrg(`p${c}o2`), await makeOrg(`p${c}o3`)];
    const outsider = await makeOrg(`p${c}out`);

    // Three metrics; aggregations take turns across cases so that all six come up.
    const metrics: Metric[] = [];
    const noise: string[] = [await ensureResource(pool, `p${c}.noise`)];
    for (let k = 0; k < 3; k++) {
      const aggregation = aggregations[(c * 3 + k) % aggregations.length]!;
      const uniqueOf =
        aggregation === 'unique_count' ? r.pick(['item', 'source_node'] as const) : null;
      const payer = r.pick(['destination', 'destination', 'source'] as const);
      const divisor = r.pick(['1', '1', '1', '1000', '60']);
      const code = `p${c}.m${k}`;
      let resourceIds: string[];
      if (r.chance(0.5)) {
        resourceIds = [await ensureResource(pool, `p${c}.r${k}`)];
        await createMetric(pool, {
          code,
          name: code,
          unit: 'u',
          resource: `p${c}.r${k}`,
          aggregation,
          payer,
          unitDivisor: divisor,
          ...(uniqueOf ? { uniqueOf } : {}),
        });
      } else {
        // '_' in a pattern is a literal: p0xr1.a must not match p0_r1.*.
        resourceIds = [
          await ensureResource(pool, `p${c}_r${k}.a`),
          await ensureResource(pool, `p${c}_r${k}.b`),
        ];
        noise.push(await ensureResource(pool, `p${c}xr${k}.a`));
        await createMetric(pool, {
          code,
          name: code,
          unit: 'u',
          resourcePattern: `p${c}_r${k}.*`,
          aggregation,
          payer,
          unitDivisor: divisor,
          ...(uniqueOf ? { uniqueOf } : {}),
        });
      }
      const { rows } = await pool.query<{ id: string }>(
        'SELECT id FROM billable_metric WHERE code = $1',
        [code],
      );
      metrics.push({ id: rows[0]!.id, code, aggregation, uniqueOf, payer, divisor, resourceIds });
      seen.aggregations.add(aggregation);
    }

    const plan = await randomPlan(pool, r, `p${c}-a`, metrics, monthStart);
    const other = await randomPlan(pool, r, `p${c}-b`, metrics, monthStart);
    for (const p of [plan, other]) {
      seen.currencies.add(p.currency);
      for (const ch of p.charges) seen.models.add(ch.model);
    }

    // Subscriptions from the month's start, some with a trial; the first organisation may change
    // plan on a day in the month.
    const subs: Sub[] = [];
    for (const [i, org] of orgs.entries()) {
      const trialDays = r.chance(0.3) ? r.int(1, 40) : 0;
      const id = await subscribe(pool, {
        organisationId: org.id,
        planId: plan.id,
        startsAt: monthStart,
        trialDays,
      });
      if (i === 0 && r.chance(0.6)) {
        const at = new Date(monthStart.getTime() + r.int(1, monthDays - 1) * dayMs);
        const next = await changePlan(pool, id, { planId: other.id, at });
        subs.push({ id, org, plan, start: monthStart, end: at, trialDays });
        subs.push({ id: next, org, plan: other, start: at, end: monthEnd, trialDays: 0 });
      } else subs.push({ id, org, plan, start: monthStart, end: monthEnd, trialDays });
    }

    // Movements: between the organisations' nodes, to and from the outsider, on the metrics'
    // resources and on others; a day either side of the month; on the exact boundaries.
    const everyone = [...orgs, outsider];
    const boundaries = [monthStart, monthEnd, ...subs.map((s) => s.end)];
    const moves: Move[] = [];
    const count = r.int(15, 45);
    for (let i = 0; i < count; i++) {
      const from = r.pick(everyone);
      const to = r.chance(0.6) ? from : r.pick(everyone);
      const start = r.chance(0.15)
        ? r.pick(boundaries)
        : new Date(monthStart.getTime() - dayMs + r.int(0, (monthDays + 2) * 24 * 60 - 1) * 60_000);
      const metric = r.pick(metrics);
      moves.push({
        id: uuidv7(),
        resourceId: r.chance(0.85) ? r.pick(metric.resourceIds) : r.pick(noise),
        sourceId: r.pick(from.nodes.slice(1)),
        destinationId: r.chance(0.5) ? to.id : r.pick(to.nodes),
        itemId: r.chance(0.6) ? r.pick([...from.items, ...to.items]) : null,
        quantity: r.chance(0.5) ? String(r.int(0, 500)) : r.decimal(500, 3),
        start,
        stop: new Date(start.getTime() + r.int(0, 240) * 60_000),
      });
    }
    // Quantities exactly on a tier or package boundary (past the included quantity), for whole
    // months' sums and maxima.
    for (const s of subs) {
      if (s.start.getTime() !== monthStart.getTime() || s.end.getTime() !== monthEnd.getTime())
        continue;
      for (const charge of s.plan.charges) {
        const { metric } = charge;
        if ((metric.aggregation !== 'sum' && metric.aggregation !== 'max') || !r.chance(0.6))
          continue;
        const bound =
          charge.model === 'package'
            ? mul(q(charge.packageSize!), frac(BigInt(r.int(1, 4))))
            : charge.tiers?.find((t) => t.upTo !== null && r.chance(0.7))?.upTo;
        if (!bound) continue;
        const target = mul(
          add(q(charge.includedQuantity), typeof bound === 'string' ? q(bound) : bound),
          q(metric.divisor),
        );
        const now = aggregate(
          { ...metric, divisor: '1' },
          s.org.id,
          monthStart,
          monthEnd,
          moves,
          ownerOf,
        ).quantity;
        const quantity = metric.aggregation === 'sum' ? sub(target, now) : target;
        if (cmp(quantity, ZERO) < 0 || (metric.aggregation === 'max' && cmp(target, now) < 0))
          continue;
        const start = new Date(
          monthStart.getTime() + r.int(0, monthDays * 24 - 1) * 3_600_000 + 1_000,
        );
        moves.push({
          id: uuidv7(),
          resourceId: metric.resourceIds[0]!,
          sourceId: s.org.nodes[1]!,
          destinationId: s.org.id,
          itemId: null,
          quantity: fixed(quantity),
          start,
          stop: new Date(start.getTime() + 60_000),
        });
      }
    }

    // Written in several transactions, two of them open at once and committed out of order.
    const batches = r.shuffle([...moves]);
    const cut = (n: number) => batches.splice(0, Math.ceil(n));
    const [a, b, rest] = [cut(moves.length / 4), cut(moves.length / 4), batches];
    const [first, second] = [await pool.connect(), await pool.connect()];
    try {
      await first.query('BEGIN');
      await second.query('BEGIN');
      await writeMoves(first, a);
      await writeMoves(second, b);
      await second.query('COMMIT');
      await first.query('COMMIT');
    } finally {
      first.release();
      second.release();
    }
    for (let i = 0; i < rest.length; i += 8) await writeMoves(pool, rest.slice(i, i + 8));

    await foldAll(pool);
    const run = await new BillingEngine(pool, issuer).run({
      mode: 'finalise',
      at: new Date(monthEnd.getTime() + 2 * dayMs),
      organisationIds: everyone.map((o) => o.id),
    });
    expect(run.problems).toEqual([]);

    const { rows: invoices } = await pool.query<{
      id: string;
      subscription_id: string;
      subtotal: string;
      tax: string;
      total: string;
    }>(
      `SELECT id, subscription_id, subtotal::text, tax::text, total::text FROM invoice
        WHERE organisation_id = ANY($1::uuid[]) AND kind = 'invoice' AND state = 'finalised'
          AND period_start >= $2 AND period_start < $3`,
      [everyone.map((o) => o.id), monthStart, monthEnd],
    );
    // One finalised invoice per subscription's part of the month; none for the outsider.
    expect(invoices.map((i) => i.subscription_id).sort()).toEqual(subs.map((s) => s.id).sort());

    let invoiced = ZERO;
    let expectedSum = ZERO;
    for (const s of subs) {
      const invoice = invoices.find((i) => i.subscription_id === s.id)!;
      const want = expectedInvoice(s, monthStart, monthEnd, moves, ownerOf);
      const { rows: lines } = await pool.query<{
        id: string;
        kind: 'fixed_fee' | 'usage';
        metric_id: string | null;
        quantity: string | null;
        amount: string;
      }>(
        `SELECT id, kind, metric_id, quantity::text, amount::text FROM invoice_line
          WHERE invoice_id = $1 ORDER BY position`,
        [invoice.id],
      );
      const got = [];
      for (const line of lines) {
        got.push({
          kind: line.kind,
          metricId: line.metric_id,
          quantity: line.kind === 'usage' ? line.quantity : null,
          amount: line.amount,
          ids: line.kind === 'usage' ? await tracedMovements(line.id) : [],
        });
      }
      const byKey = (l: { kind: string; metricId: string | null }) => `${l.kind}/${l.metricId}`;
      const sorted = <T extends { kind: string; metricId: string | null }>(ls: T[]) =>
        [...ls].sort((x, y) => byKey(x).localeCompare(byKey(y)));
      expect({
        lines: sorted(got),
        subtotal: invoice.subtotal,
        tax: invoice.tax,
        total: invoice.total,
      }).toEqual({
        lines: sorted(want.lines),
        subtotal: want.subtotal,
        tax: want.tax,
        total: want.total,
      });
      invoiced = add(invoiced, q(invoice.total));
      expectedSum = add(expectedSum, q(want.total));
    }
    // The month's invoices together bill exactly the rated movements.
    expect(fixed(invoiced)).toBe(fixed(expectedSum));
  }

  // The movements a usage line was rated from, by its own record: the metric's selection
  // (resource or pattern), the payer side's nearest organisation, start in the line's period and
  // tx in [tx_from, tx_to).
  async function tracedMovements(lineId: string): Promise<string[]> {
    const { rows } = await pool.query<{ id: string }>(
      `WITH RECURSIVE line AS (
         SELECT l.*, i.organisation_id FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id WHERE l.id = $1
       ),
       chosen AS (
         SELECT m.*, CASE WHEN bm.payer = 'destination' THEN m.destination_id ELSE m.source_id END AS payer_node
           FROM line l
           JOIN billable_metric bm ON bm.id = l.metric_id
           JOIN resource r ON r.id = bm.resource_id
             OR r.reference LIKE replace(replace(bm.resource_pattern, '_', '\\_'), '*', '%')
           JOIN movement m ON m.resource_id = r.id
          WHERE m.start >= l.period_start AND m.start < l.period_end
            AND m.tx >= COALESCE(l.tx_from, 0) AND m.tx < l.tx_to
       ),
       up(node_id, id, kind, parent_id) AS (
         SELECT n.id, n.id, n.kind, n.parent_id FROM node n WHERE n.id IN (SELECT payer_node FROM chosen)
         UNION ALL
         SELECT up.node_id, p.id, p.kind, p.parent_id FROM up JOIN node p ON p.id = up.parent_id
          WHERE up.kind <> 'organisation'
       )
       SELECT c.id FROM chosen c
         JOIN up ON up.node_id = c.payer_node AND up.kind = 'organisation'
         JOIN line l ON l.organisation_id = up.id
        ORDER BY c.id`,
      [lineId],
    );
    return rows.map((row) => row.id).sort();
  }
});

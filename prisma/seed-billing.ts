import {
  BillingEngine,
  createMetric,
  createPlan,
  ensureStorageResource,
  foldAll,
  storageResource,
  subscribe,
} from '@sextant/billing';
import { Pool } from 'pg';

// Demo billing: metrics over the demo ledger, two plans, ACME on "Fleet" and Skyline on
// "Starter" since three months before the current one. The three closed months are invoiced
// in order, as the worker would have: the second carries an adjustment for late usage of the
// first, a correction lowering the second becomes a credit note with the third, and the
// first is paid. The current month is a draft.

const day = 86_400_000;
const hour = 3_600_000;

/** The issuer the worker uses by default (BILLING_ISSUER_*). */
export const demoIssuer = {
  code: 'sextant',
  name: 'Sextant Platform',
  address: ['Sextant Cloud', '1 Harbour Road', 'Copenhagen'],
  taxId: 'DK12345678',
  email: 'billing@sextant.example',
  paymentTermsDays: 14,
};

export async function seedDemoBilling(databaseUrl: string, now: Date): Promise<string> {
  const pool = new Pool({ connectionString: databaseUrl, max: 3 });
  try {
    const { rows: existing } = await pool.query('SELECT 1 FROM plan LIMIT 1');
    if (existing.length) return 'billing already loaded';
    const ids = await demoIds(pool);
    const monthStart = (offset: number) =>
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const [m3, m2, m1, current] = [monthStart(-3), monthStart(-2), monthStart(-1), monthStart(0)];

    await ensureStorageResource(pool);
    await metrics(pool);
    const plans = await demoPlans(pool, m3);
    for (const [org, taxRate, taxId] of [
      [ids.acme, '0.25', 'DK87654321'],
      [ids.skyline, '0.20', 'ES-B12345678'],
    ] as const) {
      await pool.query(
        `INSERT INTO billing_account (organisation_id, legal_name, address, tax_id, email, tax_rate, grace_days, updated_at)
         SELECT id, name || ' A/S', $2, $3, 'billing@' || reference || '.example', $4, 3, now() FROM node WHERE id = $1
         ON CONFLICT (organisation_id) DO NOTHING`,
        [org, ['Harbour 7', '6700 Esbjerg'], taxId, taxRate],
      );
    }
    await subscribe(pool, { organisationId: ids.acme, planId: plans.fleet, startsAt: m3 });
    await subscribe(pool, { organisationId: ids.skyline, planId: plans.starter, startsAt: m3 });

    await usage(pool, ids, m3, now);
    const engine = new BillingEngine(pool, demoIssuer);
    const closing = (end: Date) => new Date(Math.min(end.getTime() + 4 * day, now.getTime()));

    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: closing(m2) });
    // Late usage of the first month, after it was invoiced: an adjustment on the second.
    await movement(pool, {
      resourceId: ids.windSpeed,
      sourceId: ids.turbines[0]!,
      destinationId: ids.acme,
      quantity: '2500000',
      start: new Date(m3.getTime() + 20 * day),
      origin: 'ingest',
      externalId: 'demo-billing:late',
    });
    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: closing(m1) });
    // A correction lowering the second month, after it was invoiced: a credit note.
    const { rows: corrected } = await pool.query<{ id: string; quantity: string }>(
      `SELECT id, quantity::text FROM movement WHERE external_id = $1`,
      [
        `demo-billing:${ids.turbines[1]}:${new Date(m2.getTime() + 9 * day).toISOString().slice(0, 10)}`,
      ],
    );
    await movement(pool, {
      resourceId: ids.windSpeed,
      sourceId: ids.turbines[1]!,
      destinationId: ids.acme,
      quantity: `-${corrected[0]!.quantity}`,
      start: new Date(m2.getTime() + 9 * day),
      // A correction counts as what it corrects: same origin, path and item.
      origin: 'ingest',
      externalId: 'demo-billing:correction',
      correctsId: corrected[0]!.id,
    });
    await foldAll(pool);
    const last = await engine.run({ mode: 'finalise', at: closing(current) });
    await engine.run({ mode: 'refresh', at: now });
    await pool.query(
      `UPDATE invoice SET state = 'paid', paid_at = issued_at + interval '9 days'
        WHERE kind = 'invoice' AND state = 'finalised' AND period_start = $1`,
      [m3],
    );
    const { rows: counts } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM invoice WHERE state <> 'draft'`,
    );
    return `billing: ${counts[0]!.n} documents issued (credit notes ${last.creditNotes.join(', ') || 'none'}), drafts for ${current.toISOString().slice(0, 7)}`;
  } finally {
    await pool.end();
  }
}

interface DemoIds {
  acme: string;
  skyline: string;
  turbines: string[];
  scope: string;
  windSpeed: string;
  flux: string | null;
}

async function demoIds(pool: Pool): Promise<DemoIds> {
  const node = async (reference: string, root: string | null) => {
    const { rows } = await pool.query<{ id: string }>(
      root
        ? `SELECT n.id FROM node n JOIN node r ON r.id = n.reference_scope
            WHERE n.reference = $1 AND r.reference = $2 AND r.parent_id IS NULL`
        : `SELECT id FROM node WHERE reference = $1 AND parent_id IS NULL`,
      root ? [reference, root] : [reference],
    );
    return rows[0]!.id;
  };
  const resource = async (reference: string) =>
    (await pool.query<{ id: string }>('SELECT id FROM resource WHERE reference = $1', [reference]))
      .rows[0]?.id ?? null;
  return {
    acme: await node('acme', null),
    skyline: await node('skyline', null),
    turbines: await Promise.all(
      ['01', '02', '03', '04', '05', '06'].map((t) => node(`acme.north.t${t}`, 'acme')),
    ),
    scope: await node('skyline.summit.scope1', 'skyline'),
    windSpeed: (await resource('wind.speed'))!,
    flux: await resource('lightcurve.pdcsap_flux'),
  };
}

async function metrics(pool: Pool): Promise<void> {
  await createMetric(pool, {
    code: 'points',
    name: 'Points ingested',
    description: 'Points written through ingest paths, of every resource.',
    unit: 'points',
    resourcePattern: '*',
    origins: ['ingest'],
    aggregation: 'sum',
  });
  await createMetric(pool, {
    code: 'cdc-rows',
    name: 'Database rows captured',
    unit: 'rows',
    resourcePattern: 'db.row:*',
    origins: ['cdc'],
    aggregation: 'sum',
  });
  await createMetric(pool, {
    code: 'analysis-runs',
    name: 'Analysis results',
    unit: 'results',
    resourcePattern: '*',
    origins: ['analysis', 'job'],
    aggregation: 'count',
  });
  await createMetric(pool, {
    code: 'storage',
    name: 'Storage',
    unit: 'GB·h',
    resource: storageResource,
    origins: ['metering'],
    aggregation: 'time_weighted_sum',
    unitDivisor: '1000000000',
  });
  await createMetric(pool, {
    code: 'active-machines',
    name: 'Active machines',
    description: 'Machines that sent data in the period.',
    unit: 'machines',
    resourcePattern: '*',
    origins: ['ingest'],
    aggregation: 'unique_count',
    uniqueOf: 'source_node',
  });
}

async function demoPlans(pool: Pool, from: Date): Promise<{ fleet: string; starter: string }> {
  const starter = await createPlan(pool, {
    code: 'starter',
    name: 'Starter',
    description: 'For a site or an instrument: a million points a month included.',
    currency: 'EUR',
    interval: 'month',
    effectiveFrom: from,
    fixedFee: '49',
    charges: [
      { metric: 'points', model: 'per_unit', unitPrice: '0.000004', includedQuantity: '1000000' },
      { metric: 'storage', model: 'per_unit', unitPrice: '0.0004', includedQuantity: '720' },
      { metric: 'analysis-runs', model: 'package', packageSize: '10', packagePrice: '5' },
    ],
  });
  const fleet = await createPlan(pool, {
    code: 'fleet',
    name: 'Fleet',
    description: 'For fleets of machines: graduated points, per machine, a hard quota.',
    currency: 'EUR',
    interval: 'month',
    effectiveFrom: from,
    fixedFee: '490',
    charges: [
      {
        metric: 'points',
        model: 'graduated',
        includedQuantity: '5000000',
        tiers: [
          { upTo: '20000000', unitPrice: '0.000002' },
          { upTo: null, unitPrice: '0.000001' },
        ],
        quota: '5000000000',
      },
      {
        metric: 'active-machines',
        model: 'volume',
        tiers: [
          { upTo: '10', unitPrice: '12' },
          { upTo: null, unitPrice: '9', flatFee: '20' },
        ],
      },
      { metric: 'cdc-rows', model: 'package', packageSize: '10000', packagePrice: '0.5' },
      { metric: 'storage', model: 'per_unit', unitPrice: '0.0003', includedQuantity: '7200' },
      {
        metric: 'analysis-runs',
        model: 'per_unit',
        unitPrice: '1.5',
        includedQuantity: '20',
        capAmount: '300',
      },
    ],
  });
  return { fleet, starter };
}

/** Daily ingest per turbine and of the telescope, and hourly storage, from `from` to now. */
async function usage(pool: Pool, ids: DemoIds, from: Date, now: Date): Promise<void> {
  const rows: Movement[] = [];
  for (let t = from.getTime(); t + day <= now.getTime(); t += day) {
    const date = new Date(t).toISOString().slice(0, 10);
    ids.turbines.forEach((turbine, i) => {
      rows.push({
        resourceId: ids.windSpeed,
        sourceId: turbine,
        destinationId: ids.acme,
        // A point every second, less the turbine's gaps (varying by day).
        quantity: String(86_400 - ((i * 7919 + t / day) % 9) * 1200),
        start: new Date(t),
        origin: 'ingest',
        externalId: `demo-billing:${turbine}:${date}`,
      });
    });
    rows.push({
      resourceId: ids.flux ?? ids.windSpeed,
      sourceId: ids.scope,
      destinationId: ids.skyline,
      quantity: String(40_000 + ((t / day) % 5) * 3000),
      start: new Date(t),
      origin: 'ingest',
      externalId: `demo-billing:${ids.scope}:${date}`,
    });
  }
  await insert(pool, rows);
  // What each organisation stores, hour by hour: growing slowly.
  await pool.query(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin, external_id)
     SELECT gen_random_uuid(), r.id, o.id, o.id,
            o.base + (extract(epoch FROM h - $2::timestamptz) / 3600)::bigint * o.growth, h, h + interval '1 hour',
            'metering', 'demo-billing:storage:' || o.id || ':' || to_char(h AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24')
       FROM resource r,
            (VALUES ($3::uuid, 4000000000::numeric, 250000::numeric), ($4::uuid, 900000000::numeric, 40000::numeric))
              AS o(id, base, growth),
            generate_series($2::timestamptz, $5::timestamptz - interval '1 hour', interval '1 hour') AS h
      WHERE r.reference = $1
     ON CONFLICT (origin, external_id) DO NOTHING`,
    [
      storageResource,
      from,
      ids.acme,
      ids.skyline,
      new Date(Math.floor(now.getTime() / hour) * hour),
    ],
  );
}

interface Movement {
  resourceId: string;
  sourceId: string;
  destinationId: string;
  quantity: string;
  start: Date;
  origin: string;
  externalId: string;
  correctsId?: string;
}

async function movement(pool: Pool, row: Movement): Promise<void> {
  await insert(pool, [row]);
}

async function insert(pool: Pool, rows: Movement[]): Promise<void> {
  await pool.query(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin, external_id,
                           corrects_id)
     SELECT gen_random_uuid(), m.resource_id, m.source_id, m.destination_id, m.quantity, m.start,
            m.start + interval '1 day', m.origin::"MovementOrigin", m.external_id, m.corrects_id
       FROM jsonb_to_recordset($1::jsonb) AS m(resource_id uuid, source_id uuid, destination_id uuid,
            quantity numeric, start timestamptz, origin text, external_id text, corrects_id uuid)
     ON CONFLICT (origin, external_id) DO NOTHING`,
    [
      JSON.stringify(
        rows.map((r) => ({
          resource_id: r.resourceId,
          source_id: r.sourceId,
          destination_id: r.destinationId,
          quantity: r.quantity,
          start: r.start.toISOString(),
          origin: r.origin,
          external_id: r.externalId,
          corrects_id: r.correctsId ?? null,
        })),
      ),
    ],
  );
}

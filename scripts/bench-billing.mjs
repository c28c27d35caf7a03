// `npm run bench:billing`: usage billing on the movement ledger, on one throw-away embedded
// Postgres. BENCH_ORGANISATIONS organisations (default 1,000), each with a data lake and 3
// machines, its billing account and a subscription from the month's start to one of two plans
// (graduated or volume tiers on points), and 4 metrics: points (sum of ingest movements paid
// by the destination), readings (count of them), active machines (unique count of source
// nodes) and stored GB·hours (time-weighted sum of `storage.bytes`, unit divisor 1e9).
// BENCH_MOVEMENTS movements (default 10 million) spread over one month (November 2026): one
// `storage.bytes` movement per organisation and hour (origin metering), the rest ingest
// movements, one per machine and resource (2 resources) at an even cadence.
//   1. Rollups while movements arrive: a writer inserts the month in time order, BENCH_BATCH
//      movements per transaction (multi-row INSERT … SELECT generated on the server), while a
//      folder calls foldMovements every BENCH_FOLD_INTERVAL_MS (10 s, the worker's default
//      BILLING_ROLLUP_INTERVAL_SECONDS). rollup_movements_per_s = movements folded / the time
//      spent inside foldMovements calls (the waits between passes do not count).
//   2. invoice_all_seconds: BillingEngine.run mode refresh for all organisations at the month's
//      last hour (drafts written; a second refresh of the same drafts is reported beside it).
//   3. usage_query_ms: median of BENCH_USAGE_QUERIES readUsage calls for one organisation's
//      current period (all 4 metrics).
// Baseline in the same run: a plain SQL GROUP BY over the movement table giving the same totals
// per organisation and metric (it knows the fixture's shape: the payer is the destination or
// its parent). totals_match checks every organisation's 4 totals equal the rollups' exactly.
// `--movements N --organisations N` (or the BENCH_ variables) for a quick run.
// Progress on stderr; the last line is one JSON object.
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEmbeddedPostgres, migrate } = require(path.join(root, 'dist/libs/db/src'));
const billing = require(path.join(root, 'dist/libs/billing/src'));
const { ensureResource } = require(path.join(root, 'dist/libs/billing/src/testing'));

const argument = (name) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const movementCount = Number(argument('movements') ?? process.env.BENCH_MOVEMENTS ?? 10_000_000);
const organisations = Number(argument('organisations') ?? process.env.BENCH_ORGANISATIONS ?? 1_000);
const batchSize = Number(process.env.BENCH_BATCH || 20_000);
const usageQueries = Number(process.env.BENCH_USAGE_QUERIES || 50);
// The worker's default BILLING_ROLLUP_INTERVAL_SECONDS.
const foldIntervalMs = Number(process.env.BENCH_FOLD_INTERVAL_MS || 10_000);
const machinesPerOrganisation = 3;
const ingestResources = 2;
const streams = machinesPerOrganisation * ingestResources;
const monthStart = new Date('2026-11-01T00:00:00Z');
const monthEnd = new Date('2026-12-01T00:00:00Z');
const hourMs = 3_600_000;
const hours = (monthEnd.getTime() - monthStart.getTime()) / hourMs;
const storageMovements = organisations * hours;
const ingestMovements = movementCount - storageMovements;
const ingestSteps = Math.floor(ingestMovements / (organisations * streams));
if (ingestSteps < 1) {
  throw new Error(
    `${movementCount} movements leave no ingest: the hourly storage alone is ${storageMovements}`,
  );
}
// Whole steps only: every organisation's stream gets the same number of movements.
const ingestTotal = ingestSteps * organisations * streams;
const stepMs = Math.floor((monthEnd.getTime() - monthStart.getTime()) / ingestSteps);

const log = (line) => console.error(line);
const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const loadAverage = () => os.loadavg().map((v) => round(v, 2));

const issuer = {
  code: 'bench',
  name: 'Sextant Bench',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};

/** Organisations, their nodes and billing accounts, resources, metrics, plans, subscriptions. */
async function setUp(pool) {
  await pool.query(
    `CREATE TABLE bench_org (i int PRIMARY KEY, org uuid NOT NULL, lake uuid NOT NULL,
                             m0 uuid NOT NULL, m1 uuid NOT NULL, m2 uuid NOT NULL)`,
  );
  await pool.query(
    `INSERT INTO bench_org SELECT i, uuidv7(), uuidv7(), uuidv7(), uuidv7(), uuidv7()
       FROM generate_series(0, $1 - 1) i`,
    [organisations],
  );
  await pool.query(
    `INSERT INTO node (id, kind, name, reference, updated_at)
     SELECT org, 'organisation', 'Organisation ' || i, 'org' || i, now() FROM bench_org ORDER BY i`,
  );
  await pool.query(
    `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
     SELECT n.id, n.kind::"NodeKind", n.name, n.reference, o.org, now()
       FROM bench_org o,
            LATERAL (VALUES (o.lake, 'database', 'Lake', 'org' || o.i || '.lake'),
                            (o.m0, 'machine', 'M0', 'org' || o.i || '.m0'),
                            (o.m1, 'machine', 'M1', 'org' || o.i || '.m1'),
                            (o.m2, 'machine', 'M2', 'org' || o.i || '.m2')) AS n(id, kind, name, reference)`,
  );
  await pool.query(
    `INSERT INTO billing_account (organisation_id, legal_name, address, tax_rate, grace_days, updated_at)
     SELECT org, 'Organisation ' || i || ' Ltd', ARRAY['1 Bench Street'], 0.2, 3, now() FROM bench_org`,
  );
  const resource = (reference, unit) => ensureResource(pool, reference, unit);
  const resources = {
    points: await resource('bench.points', 'points'),
    temperature: await resource('bench.temperature', 'points'),
    storage: await resource('storage.bytes', 'B'),
  };
  const metrics = {
    points: await billing.createMetric(pool, {
      code: 'points',
      name: 'Points ingested',
      unit: 'points',
      resourcePattern: 'bench.*',
      origins: ['ingest'],
      aggregation: 'sum',
    }),
    readings: await billing.createMetric(pool, {
      code: 'readings',
      name: 'Readings',
      unit: 'movements',
      resourcePattern: 'bench.*',
      origins: ['ingest'],
      aggregation: 'count',
    }),
    machines: await billing.createMetric(pool, {
      code: 'machines',
      name: 'Active machines',
      unit: 'machines',
      resourcePattern: 'bench.*',
      origins: ['ingest'],
      aggregation: 'unique_count',
      uniqueOf: 'source_node',
    }),
    storage: await billing.createMetric(pool, {
      code: 'storage',
      name: 'Stored GB·hours',
      unit: 'GB·h',
      resource: 'storage.bytes',
      origins: ['metering'],
      aggregation: 'time_weighted_sum',
      unitDivisor: '1000000000',
    }),
  };
  const common = [
    { metric: 'readings', model: 'per_unit', unitPrice: '0.0001' },
    { metric: 'machines', model: 'per_unit', unitPrice: '5' },
    { metric: 'storage', model: 'per_unit', unitPrice: '0.002', includedQuantity: '100' },
  ];
  const graduated = await billing.createPlan(pool, {
    code: 'graduated',
    name: 'Graduated',
    currency: 'EUR',
    interval: 'month',
    effectiveFrom: monthStart,
    fixedFee: '49',
    charges: [
      {
        metric: 'points',
        model: 'graduated',
        includedQuantity: '100000',
        tiers: [
          { upTo: '1000000', unitPrice: '0.00002' },
          { upTo: null, unitPrice: '0.00001' },
        ],
      },
      ...common,
    ],
  });
  const volume = await billing.createPlan(pool, {
    code: 'volume',
    name: 'Volume',
    currency: 'EUR',
    interval: 'month',
    effectiveFrom: monthStart,
    fixedFee: '99',
    charges: [
      {
        metric: 'points',
        model: 'volume',
        tiers: [
          { upTo: '500000', unitPrice: '0.00003' },
          { upTo: null, unitPrice: '0.000015' },
        ],
      },
      ...common,
    ],
  });
  const { rows: orgs } = await pool.query(`SELECT i, org FROM bench_org ORDER BY i`);
  for (const { i, org } of orgs) {
    await billing.subscribe(pool, {
      organisationId: org,
      planId: i % 2 ? volume : graduated,
      startsAt: monthStart,
    });
  }
  return { resources, metrics, orgs: orgs.map((o) => o.org) };
}

/**
 * Ingest movements [from, to) of the month in time order: movement g is step g / (orgs × 6) of
 * its stream, stream (g / orgs) % 6 of organisation g % orgs (machine × resource).
 */
const insertIngest = `
  INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin)
  SELECT uuidv7(), CASE WHEN (g / $3) % 2 = 0 THEN $4::uuid ELSE $5::uuid END,
         CASE (g / ($3 * 2)) % 3 WHEN 0 THEN o.m0 WHEN 1 THEN o.m1 ELSE o.m2 END, o.lake,
         60 + (g * 7919) % 541,
         $6::timestamptz + ((g / ($3 * 6)) * $7::bigint + ((g / $3) % 6) * 1000) * interval '1 ms',
         $6::timestamptz + ((g / ($3 * 6)) * $7::bigint + ((g / $3) % 6) * 1000 + 60000) * interval '1 ms',
         'ingest'
    FROM generate_series($1::bigint, $2::bigint - 1) g JOIN bench_org o ON o.i = g % $3`;

/** Hourly storage movements of every organisation for the hours starting in [from, to). */
const insertStorage = `
  INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin)
  SELECT uuidv7(), $3::uuid, o.org, o.org,
         1000000000 + o.i * 1000000 + extract(epoch FROM h - $4::timestamptz)::bigint / 3600 * 997,
         h, h + interval '1 hour', 'metering'
    FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 ms', interval '1 hour') h
   CROSS JOIN bench_org o`;

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-billing-'));
let db = null;
let pool = null;
try {
  db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: 0 });
  await migrate(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 6, application_name: 'bench' });
  log(`setting up ${organisations} organisations`);
  const { resources, metrics, orgs } = await setUp(pool);

  // 1. Rollups while movements arrive.
  log(
    `writing ${ingestTotal + storageMovements} movements (${ingestSteps} steps of ${Math.round(stepMs / 60_000)} min per stream) while folding`,
  );
  const loadBefore = loadAverage();
  let writing = true;
  let written = 0;
  const writer = (async () => {
    const client = await pool.connect();
    try {
      let storageHour = monthStart.getTime();
      for (let from = 0; from < ingestTotal; from += batchSize) {
        const to = Math.min(ingestTotal, from + batchSize);
        await client.query('BEGIN');
        const { rowCount } = await client.query(insertIngest, [
          from,
          to,
          organisations,
          resources.points,
          resources.temperature,
          monthStart,
          stepMs,
        ]);
        written += rowCount;
        // The storage hours the batch's time has reached, in the same transaction.
        const reached =
          monthStart.getTime() + Math.floor((to - 1) / (organisations * streams)) * stepMs;
        const until =
          to === ingestTotal ? monthEnd.getTime() : Math.floor(reached / hourMs) * hourMs;
        if (until > storageHour) {
          const stored = await client.query(insertStorage, [
            new Date(storageHour),
            new Date(until),
            resources.storage,
            monthStart,
          ]);
          written += stored.rowCount;
          storageHour = until;
        }
        await client.query('COMMIT');
      }
    } finally {
      client.release();
      writing = false;
    }
  })();
  let folded = 0;
  let foldMs = 0;
  let passes = 0;
  const started = performance.now();
  let lastLog = started;
  const writerDone = writer.catch((error) => {
    writing = false;
    throw error;
  });
  for (;;) {
    const stillWriting = writing;
    const t0 = performance.now();
    const pass = await billing.foldMovements(pool);
    const took = performance.now() - t0;
    if (pass.movements > 0) {
      folded += pass.movements;
      foldMs += took;
      passes += 1;
    } else if (!stillWriting) break;
    // As the worker does: a pass every BILLING_ROLLUP_INTERVAL_SECONDS (10 s by default).
    if (stillWriting) await sleep(Math.max(20, foldIntervalMs - took));
    if (performance.now() - lastLog > 10_000) {
      lastLog = performance.now();
      log(`  written ${written}, folded ${folded} in ${round(foldMs / 1000, 1)} s of folding`);
    }
  }
  await writerDone;
  const wallSeconds = (performance.now() - started) / 1000;
  const loadDuring = loadAverage();
  const { rows: count } = await pool.query(`SELECT count(*)::bigint AS n FROM movement`);
  if (Number(count[0].n) !== folded) {
    throw new Error(`folded ${folded} movements, the ledger holds ${count[0].n}`);
  }
  log(`folded ${folded} movements in ${passes} passes, ${round(foldMs / 1000)} s of folding`);

  // 2. Every organisation's draft.
  const at = new Date(monthEnd.getTime() - hourMs);
  const engine = new billing.BillingEngine(pool, issuer);
  let t0 = performance.now();
  const run = await engine.run({ mode: 'refresh', at });
  const invoiceSeconds = (performance.now() - t0) / 1000;
  if (run.problems.length || run.drafts !== organisations) {
    throw new Error(`run: ${run.drafts} drafts, problems ${run.problems.slice(0, 3).join('; ')}`);
  }
  t0 = performance.now();
  await engine.run({ mode: 'refresh', at });
  const refreshSeconds = (performance.now() - t0) / 1000;
  log(`drafts: ${round(invoiceSeconds)} s, refreshed again in ${round(refreshSeconds)} s`);

  // 3. One organisation's usage of its current period.
  const metricIds = Object.values(metrics);
  const ask = { organisationIds: [orgs[Math.floor(organisations / 2)]], metricIds };
  const latencies = [];
  for (let i = 0; i < usageQueries + 3; i++) {
    t0 = performance.now();
    await billing.readUsage(pool, { ...ask, from: monthStart, to: monthEnd });
    // The first 3 warm the cache.
    if (i >= 3) latencies.push(performance.now() - t0);
  }

  // Baseline: the same totals straight from the movements.
  t0 = performance.now();
  const { rows: baseline } = await pool.query(
    `SELECT CASE WHEN d.kind = 'organisation' THEN d.id ELSE d.parent_id END AS organisation_id,
            (sum(m.quantity) FILTER (WHERE m.origin = 'ingest' AND m.resource_id IN ($3, $4)))::text AS points,
            (count(*) FILTER (WHERE m.origin = 'ingest' AND m.resource_id IN ($3, $4)))::text AS readings,
            (count(DISTINCT m.source_id) FILTER (WHERE m.origin = 'ingest' AND m.resource_id IN ($3, $4)))::text
              AS machines,
            (sum(m.quantity * (extract(epoch FROM m.stop - m.start) * 1000))
               FILTER (WHERE m.origin = 'metering' AND m.resource_id = $5))::text AS weighted_ms
       FROM movement m JOIN node d ON d.id = m.destination_id
      WHERE m.start >= $1 AND m.start < $2
      GROUP BY 1`,
    [monthStart, monthEnd, resources.points, resources.temperature, resources.storage],
  );
  const baselineSeconds = (performance.now() - t0) / 1000;

  const usage = await billing.readUsage(pool, {
    organisationIds: orgs,
    metricIds,
    from: monthStart,
    to: monthEnd,
  });
  const rolled = new Map(usage.map((u) => [`${u.organisationId}/${u.metricId}`, u.quantity]));
  const mismatches = [];
  for (const row of baseline) {
    const expected = {
      [metrics.points]: new billing.Money(row.points ?? 0),
      [metrics.readings]: new billing.Money(row.readings),
      [metrics.machines]: new billing.Money(row.machines),
      [metrics.storage]: new billing.Money(row.weighted_ms ?? 0).div(hourMs).div(1e9),
    };
    for (const [metricId, quantity] of Object.entries(expected)) {
      const got = rolled.get(`${row.organisation_id}/${metricId}`);
      if (!got || !got.eq(quantity)) mismatches.push(`${row.organisation_id}/${metricId}`);
    }
  }
  const totalsMatch = baseline.length === organisations && mismatches.length === 0;
  if (!totalsMatch) log(`totals differ: ${baseline.length} rows, ${mismatches.slice(0, 5)}`);

  const result = {
    bench: 'billing',
    cpus: os.cpus().length,
    movements: folded,
    organisations,
    rollup_movements_per_s: Math.round(folded / (foldMs / 1000)),
    fold_passes: passes,
    fold_interval_seconds: foldIntervalMs / 1000,
    fold_seconds: round(foldMs / 1000),
    write_movements_per_s: Math.round(folded / wallSeconds),
    wall_seconds: round(wallSeconds),
    invoice_all_seconds: round(invoiceSeconds),
    invoice_refresh_again_seconds: round(refreshSeconds),
    usage_query_ms: round(median(latencies)),
    baseline_group_by_seconds: round(baselineSeconds),
    invoice_vs_baseline: round(invoiceSeconds / baselineSeconds, 3),
    totals_match: totalsMatch,
    load_average_before: loadBefore,
    load_average_after_writing: loadDuring,
    notes:
      `rollup_movements_per_s = movements folded / seconds inside foldMovements calls that folded something, ` +
      `measured while one writer committed ${batchSize}-movement transactions (INSERT … SELECT generated on the ` +
      `server) at write_movements_per_s, one pass every ${foldIntervalMs / 1000} s as the worker folds; the waits ` +
      `between passes are not counted. ` +
      `invoice_all_seconds: BillingEngine.run refresh drafting all ${organisations} organisations' invoices ` +
      `(4 usage lines and a fixed fee each). usage_query_ms: median of ${usageQueries} readUsage calls, one ` +
      `organisation, 4 metrics, the month. Baseline: one GROUP BY over the month's movements per organisation ` +
      `(payer = destination or its parent), checked equal to the rollups for every organisation and metric.`,
  };
  console.log(JSON.stringify(result));
} finally {
  await pool?.end();
  await db?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
}

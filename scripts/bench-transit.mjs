// `npm run bench:transit`: a transit search through the whole platform, on one throw-away
// embedded Postgres with the production builds of the API and of one worker process. The
// light curve is Kepler-2's (HAT-P-7, ../shared/data: 10 days of 1-min cadences, ~14,000
// good points), imported with scripts/import-lightcurve.mjs (POST /api/lightcurves). Timed:
// POST /api/lightcurves/stars/{id}/transit-search until GET .../candidates shows the run's
// candidates, BENCH_REPEATS times (default 3) after one cold run (the worker starts its BLS
// threads and loads the KOI table then). Baseline in the same run: the same search (read the
// FITS file, detrend, searchTransits on a BlsPool of as many threads as the worker's) called
// directly in this process, best of BENCH_REPEATS after a warm-up.
// Progress on stderr; the last line is one JSON object.
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEmbeddedPostgres, migrate, freePort } = require(path.join(root, 'dist/libs/db/src'));
const { startProcess, stopProcess, waitForHttp, waitForLine } = require(
  path.join(root, 'dist/libs/stack/src'),
);
const { uuidv7 } = require(path.join(root, 'dist/libs/ingest/src'));
const { installJobQueue } = require(path.join(root, 'dist/libs/jobs/src'));
const { demoApiToken } = require(path.join(root, 'dist/prisma/seed'));
const analytics = require(path.join(root, 'dist/libs/analytics/src'));

const repeats = Number(process.env.BENCH_REPEATS || 3);
const log = (line) => console.error(line);
const round = (v, d = 3) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const data = path.resolve(root, '../shared/data/lightcurves');
const file = path.join(data, 'kepler/kplr010666592-2009131110544_slc.fits');
const koi = path.join(data, 'koi_cumulative_2019-01-20.csv');
for (const f of [file, koi]) {
  if (!existsSync(f))
    throw new Error(`the benchmark reads ${f} (../shared/data), which is missing`);
}
// Catalogued period of Kepler-2 b (KOI cumulative table): each search must find it.
const catalogued = 2.204735417;

// Baseline: the same search in this process, on the same number of BLS threads.
const threads = analytics.defaultPoolSize();
const lc = analytics.readLightCurve(new Uint8Array(readFileSync(file)));
log(`light curve: ${lc.time.length} good points; baseline on ${threads} BLS threads`);
const blsPool = new analytics.BlsPool(threads);
const direct = async () => {
  const started = performance.now();
  const detrended = analytics.detrend(lc, { windowDays: 0.75 });
  const result = await analytics.searchTransits(detrended, { detrend: false, pool: blsPool });
  return { seconds: (performance.now() - started) / 1000, result };
};
let baseline = Infinity;
let baselinePeriod = null;
try {
  await direct(); // warm-up
  for (let i = 0; i < repeats; i++) {
    const { seconds, result } = await direct();
    baseline = Math.min(baseline, seconds);
    baselinePeriod = result.candidates[0]?.period ?? null;
    log(`direct search: ${seconds.toFixed(3)} s`);
  }
} finally {
  await blsPool.close();
}

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-transit-'));
let db = null;
let pool = null;
const processes = [];
const platform = [];
let cold = null;
let importSeconds = null;
let candidate = null;
try {
  db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: 0 });
  await migrate(db.url);
  await installJobQueue(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const [org, telescope, user] = [uuidv7(), uuidv7(), uuidv7()];
  await pool.query(
    `INSERT INTO node (id, parent_id, kind, name, reference, updated_at)
     VALUES ($1, NULL, 'organisation', 'Bench observatory', 'bench', now()),
            ($2, $1, 'telescope', 'Bench telescope', 'bench.scope', now())`,
    [org, telescope],
  );
  await pool.query(
    `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, updated_at)
     VALUES ($1, 'bench@bench.test', 'Bench', 'x', now(), now())`,
    [user],
  );
  await pool.query(
    `INSERT INTO membership (id, user_id, node_id, role, updated_at) VALUES ($1, $2, $3, 'admin', now())`,
    [uuidv7(), user, org],
  );
  const token = await demoApiToken(db.url, 'bench@bench.test', 'bench');
  const env = { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'production' };
  const port = await freePort();
  const apiUrl = `http://127.0.0.1:${port}/api`;
  const api = startProcess(
    'api',
    process.execPath,
    [path.join(root, 'dist/apps/api/src/main.js')],
    { ...env, API_PORT: String(port), API_HOST: '127.0.0.1' },
    root,
    () => undefined,
  );
  const worker = startProcess(
    'worker',
    process.execPath,
    [path.join(root, 'dist/apps/worker/src/main.js')],
    {
      ...env,
      KOI_CATALOGUE: koi,
      JOB_POLL_INTERVAL_MS: '500',
      JOB_SCHEDULER_INTERVAL_SECONDS: '0',
    },
    root,
    (line) => (/error|fail/i.test(line) ? log(line) : undefined),
  );
  processes.push(api, worker);
  await Promise.all([
    waitForHttp(`${apiUrl}/health`, 60_000, api),
    waitForLine(worker, 'worker ready', 60_000),
  ]);

  let started = performance.now();
  const imported = execFileSync(
    process.execPath,
    [path.join(root, 'scripts/import-lightcurve.mjs'), file, '--parent', telescope],
    { encoding: 'utf8', env: { ...process.env, SEXTANT_API: apiUrl, SEXTANT_TOKEN: token } },
  );
  importSeconds = (performance.now() - started) / 1000;
  log(imported.trim());
  const starId = /\(([0-9a-f-]{36})\)/.exec(imported)[1];

  const call = async (method, url, body) => {
    const response = await fetch(`${apiUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!response.ok)
      throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const search = async () => {
    const begun = performance.now();
    const run = await call('POST', `/lightcurves/stars/${starId}/transit-search`, {});
    for (;;) {
      // The run's state first: candidates are visible once it has succeeded.
      const { rows } = await pool.query(`SELECT state, error FROM job_run WHERE id = $1`, [
        run.runId,
      ]);
      const { items } = await call('GET', `/lightcurves/stars/${starId}/candidates`);
      const found = items.filter((c) => c.runId === run.runId);
      if (found.length) return { seconds: (performance.now() - begun) / 1000, found };
      if (['failed', 'cancelled'].includes(rows[0].state))
        throw new Error(`run ${run.runId} ${rows[0].state}: ${rows[0].error}`);
      if (rows[0].state === 'succeeded') throw new Error(`run ${run.runId} found no candidate`);
      await sleep(20);
    }
  };
  started = performance.now();
  cold = (await search()).seconds;
  log(`platform, cold: ${cold.toFixed(3)} s`);
  for (let i = 0; i < repeats; i++) {
    const { seconds, found } = await search();
    platform.push(seconds);
    candidate = found[0];
    log(`platform: ${seconds.toFixed(3)} s (P ${candidate.period} d, ${candidate.koi?.kepoiName})`);
    if (Math.abs(candidate.period / catalogued - 1) > 0.001)
      throw new Error(`the search found ${candidate.period} d, not ${catalogued} d`);
  }
} finally {
  await Promise.all(processes.map((p) => stopProcess(p)));
  await pool?.end();
  await db?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
}

const seconds = median(platform);
console.log(
  JSON.stringify({
    bench: 'transit',
    cpus: os.availableParallelism(),
    data: 'Kepler Q0 short cadence, HAT-P-7 = Kepler-2 (KIC 10666592), 10 days',
    points: lc.time.length,
    bls_threads: threads,
    repeats,
    seconds: round(seconds),
    best_seconds: round(Math.min(...platform)),
    cold_seconds: round(cold),
    import_seconds: round(importSeconds),
    baseline_direct_seconds: round(baseline),
    ratio_to_direct: round(seconds / baseline, 2),
    overhead_seconds: round(seconds - baseline),
    period: candidate.period,
    baseline_period: baselinePeriod,
    catalogued_period: catalogued,
    koi: candidate.koi?.kepoiName ?? null,
    known_planet: candidate.knownPlanet,
    target_seconds: 10,
  }),
);

// `npm run bench:jobs`: the job platform end to end on one throw-away embedded Postgres, with
// BENCH_WORKERS worker processes (the production build of apps/worker, JOB_CONCURRENCY each,
// polling every 500 ms):
//   1. Throughput: one platform-check run fanned out over BENCH_TASKS tasks that do nothing;
//      tasks/s from its submission to the run succeeded. Each task is claimed, run, recorded
//      (result, compute-time movement, logs) and followed by the queueing of what it unblocks.
//   2. Latency: BENCH_LATENCY_RUNS runs of a one-input platform-check (3 tasks in sequence:
//      list, wait, report) submitted one after the other from this process; submit to succeeded.
// Baseline in the same run: pg-boss alone, the same number of processes and fetch loops with
// handlers that do nothing, over BENCH_TASKS jobs inserted at once (scripts/bench/pgboss-worker.mjs).
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
const { startProcess, stopProcess, waitForLine } = require(path.join(root, 'dist/libs/stack/src'));
const { uuidv7 } = require(path.join(root, 'dist/libs/ingest/src'));
const jobs = require(path.join(root, 'dist/libs/jobs/src'));
const { builtinJobTypes } = require(path.join(root, 'dist/libs/analyses/src'));
const PgBoss = require('pg-boss');

const tasks = Number(process.env.BENCH_TASKS || 2000);
const workers = Number(process.env.BENCH_WORKERS || 2);
const concurrency = Number(process.env.BENCH_CONCURRENCY || 4);
const latencyRuns = Number(process.env.BENCH_LATENCY_RUNS || 20);
const log = (line) => console.error(line);
const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

async function waitForRun(pool, id, timeoutMs = 600_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await pool.query(`SELECT state, error FROM job_run WHERE id = $1`, [id]);
    if (['succeeded', 'failed', 'cancelled'].includes(rows[0].state)) {
      if (rows[0].state !== 'succeeded')
        throw new Error(`run ${id} ${rows[0].state}: ${rows[0].error}`);
      return;
    }
    if (Date.now() > deadline) throw new Error(`run ${id} still ${rows[0].state}`);
    await sleep(5);
  }
}

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-jobs-'));
let db = null;
const processes = [];
let pool = null;
try {
  db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: 0 });
  await migrate(db.url);
  await jobs.installJobQueue(db.url);
  pool = new pg.Pool({ connectionString: db.url, max: 4, application_name: 'bench' });
  const { rows } = await pool.query(
    `INSERT INTO node (id, kind, name, reference, updated_at)
     VALUES ($1, 'organisation', 'Bench', 'bench', now()) RETURNING id`,
    [uuidv7()],
  );
  const ownerId = rows[0].id;

  // Baseline: pg-boss alone.
  const baselineQueue = 'bench-baseline';
  const boss = new PgBoss({
    connectionString: db.url,
    schema: 'pgboss',
    max: 2,
    supervise: false,
    schedule: false,
  });
  boss.on('error', () => undefined);
  await boss.start();
  await boss.createQueue(baselineQueue);
  for (let w = 0; w < workers; w++) {
    const p = startProcess(
      `pgboss-${w}`,
      process.execPath,
      [
        path.join(root, 'scripts/bench/pgboss-worker.mjs'),
        db.url,
        baselineQueue,
        String(concurrency),
      ],
      process.env,
      root,
      log,
    );
    processes.push(p);
    await waitForLine(p, 'ready', 30_000);
  }
  log(`baseline: ${tasks} jobs through pg-boss alone`);
  let started = performance.now();
  await boss.insert(Array.from({ length: tasks }, () => ({ name: baselineQueue, data: {} })));
  for (;;) {
    const { rows: left } = await pool.query(
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state <> 'completed'`,
      [baselineQueue],
    );
    if (left[0].n === 0) break;
    await sleep(5);
  }
  const baselineSeconds = (performance.now() - started) / 1000;
  await boss.stop({ graceful: false });
  await Promise.all(processes.splice(0).map((p) => stopProcess(p)));

  // The platform: the worker app's production build.
  for (let w = 0; w < workers; w++) {
    const p = startProcess(
      `worker-${w}`,
      process.execPath,
      [path.join(root, 'dist/apps/worker/src/main.js')],
      {
        ...process.env,
        DATABASE_URL: db.url,
        NODE_ENV: 'production',
        JOB_CONCURRENCY: String(concurrency),
        JOB_POLL_INTERVAL_MS: '500',
        JOB_SCHEDULER_INTERVAL_SECONDS: '0',
      },
      root,
      (line) => (/error|fail/i.test(line) ? log(line) : undefined),
    );
    processes.push(p);
    await waitForLine(p, 'worker ready', 60_000);
  }
  const platform = new jobs.JobPlatform(pool, new jobs.JobTypeRegistry(builtinJobTypes));
  log(`platform: one run of ${tasks} tasks on ${workers} workers x ${concurrency}`);
  started = performance.now();
  const run = await platform.submit({
    type: 'platform-check',
    params: { tasks, seconds: 0 },
    ownerId,
  });
  await waitForRun(pool, run.id);
  const platformSeconds = (performance.now() - started) / 1000;
  // The listing task, one per input, the report.
  const platformTasks = tasks + 2;

  log(`latency: ${latencyRuns} runs of 3 tasks in sequence`);
  const latencies = [];
  for (let i = 0; i < latencyRuns; i++) {
    const t0 = performance.now();
    const small = await platform.submit({
      type: 'platform-check',
      params: { tasks: 1, seconds: 0 },
      ownerId,
    });
    await waitForRun(pool, small.id);
    latencies.push(performance.now() - t0);
  }
  const { rows: movements } = await pool.query(
    `SELECT count(*)::int AS n FROM movement WHERE origin = 'job'`,
  );

  const result = {
    bench: 'jobs',
    cpus: os.cpus().length,
    workers,
    concurrency,
    tasks: platformTasks,
    tasks_per_s: round(platformTasks / platformSeconds, 1),
    seconds: round(platformSeconds),
    baseline_pgboss_jobs_per_s: round(tasks / baselineSeconds, 1),
    ratio_to_pgboss: round(platformTasks / platformSeconds / (tasks / baselineSeconds), 3),
    latency_runs: latencyRuns,
    latency_p50_ms: Math.round(quantile(latencies, 0.5)),
    latency_p95_ms: Math.round(quantile(latencies, 0.95)),
    movements_recorded: movements[0].n,
  };
  console.log(JSON.stringify(result));
} finally {
  await Promise.all(processes.map((p) => stopProcess(p)));
  await pool?.end();
  await db?.stop();
  await fs.rm(tmp, { recursive: true, force: true });
}

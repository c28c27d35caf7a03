// `npm run bench:api`: GET /api/movements?limit=100 under 50 concurrent connections against the
// API's production build, as ACME's owner with a personal API token (so the list is scoped to
// ACME's subtree), beside a bare Fastify route doing the same: the same token check (sha256,
// a lookup kept 5 s) and the same scoped query, in one run on one throw-away embedded Postgres
// with the demo data. Last line: one JSON object.
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEmbeddedPostgres, migrate, freePort } = require(path.join(root, 'dist/libs/db/src'));
const { startProcess, stopProcess, waitForHttp, waitForLine } = require(
  path.join(root, 'dist/libs/stack/src'),
);
const { demoApiToken, seedDemoData, seedDemoUsers } = require(path.join(root, 'dist/prisma/seed'));
const { installJobQueue } = require(path.join(root, 'dist/libs/jobs/src'));

const connections = Number(process.env.BENCH_CONNECTIONS || 50);
const duration = Number(process.env.BENCH_SECONDS || 10);
const warmup = Number(process.env.BENCH_WARMUP_SECONDS || 3);
const rounds = Number(process.env.BENCH_ROUNDS || 2);
const log = (line) => console.error(line);

let headers = {};
function load(url, seconds) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections, duration: seconds, pipelining: 1, headers }, (error, result) =>
      error ? reject(error) : resolve(result),
    );
  });
}

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-'));
const pg = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: 0 });
const processes = [];
try {
  await migrate(pg.url);
  // The demo submits jobs: the queue's schema first, as the launcher installs it.
  await installJobQueue(pg.url);
  log(
    `demo data: ${await seedDemoData(pg.url, { sharedData: path.resolve(root, '../shared/data') })}`,
  );
  await seedDemoUsers(pg.url, path.join(tmp, 'demo-users.json'));
  headers = {
    authorization: `Bearer ${await demoApiToken(pg.url, 'owner@acme.example', 'bench')}`,
  };
  const env = {
    ...process.env,
    DATABASE_URL: pg.url,
    NODE_ENV: 'production',
    API_DB_POOL_SIZE: '20',
    POOL_SIZE: '20',
  };
  const apiPort = await freePort();
  const barePort = await freePort();
  const api = startProcess(
    'api',
    process.execPath,
    // BENCH_API_NODE_ARGS: e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to see where time goes.
    [
      ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean),
      path.join(root, 'dist/apps/api/src/main.js'),
    ],
    { ...env, API_PORT: String(apiPort), API_HOST: '127.0.0.1' },
    root,
    () => undefined,
  );
  const bare = startProcess(
    'bare',
    process.execPath,
    [path.join(root, 'scripts/bench/bare-server.mjs')],
    { ...env, PORT: String(barePort) },
    root,
    () => undefined,
  );
  processes.push(api, bare);
  await Promise.all([
    waitForHttp(`http://127.0.0.1:${apiPort}/api/health`, 60_000, api),
    waitForLine(bare, 'bare ready', 30_000),
  ]);

  const targets = {
    api: `http://127.0.0.1:${apiPort}/api/movements?limit=100`,
    bare: `http://127.0.0.1:${barePort}/movements?limit=100`,
  };
  for (const [name, url] of Object.entries(targets)) {
    const sample = await fetch(url, { headers }).then((r) => r.json());
    if (sample.items?.length !== 100)
      throw new Error(`${name} returned ${sample.items?.length} items, expected 100`);
    await load(url, warmup);
  }
  // Alternate the two targets, so that drift of the machine hits both alike; keep the best round.
  const best = { api: null, bare: null };
  for (let round = 0; round < rounds; round++) {
    for (const [name, url] of Object.entries(targets)) {
      const result = await load(url, duration);
      if (result.non2xx || result.errors)
        throw new Error(`${name}: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
      log(
        `round ${round + 1} ${name}: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms`,
      );
      if (!best[name] || result.requests.average > best[name].requests.average) best[name] = result;
    }
  }
  const figures = {
    bench: 'api',
    route: 'GET /api/movements?limit=100 (ACME owner, API token)',
    connections,
    duration_s: duration,
    rounds,
    rps: Math.round(best.api.requests.average),
    p50_ms: best.api.latency.p50,
    p99_ms: best.api.latency.p99,
    bare_rps: Math.round(best.bare.requests.average),
    bare_p50_ms: best.bare.latency.p50,
    bare_p99_ms: best.bare.latency.p99,
    ratio: Math.round((best.api.requests.average / best.bare.requests.average) * 1000) / 1000,
    target_ratio: 0.8,
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(figures));
} finally {
  await Promise.all(processes.map((p) => stopProcess(p)));
  await pg.stop();
  await fs.rm(tmp, { recursive: true, force: true });
}

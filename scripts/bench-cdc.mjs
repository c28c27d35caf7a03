// `npm run bench:cdc`: the pgoutput CDC runner's production build end to end, on two throw-away
// embedded Postgres servers (the source and Sextant's). Source table `orders` of 12 columns
// (bigint, int, text, numeric, double, boolean, jsonb, timestamptz), 50,000 rows in the initial
// snapshot. Writers (4 connections) commit transactions of 20 changes: 12 inserts, 6 updates,
// 2 deletes (60/30/10). A heartbeat row in the same publication is updated every 50 ms and the
// mirror polled every 5 ms for it: latency = commit on the source → visible in the mirror.
//   1. Throughput: the writers unthrottled for BENCH_CHANGES changes; changes/s from the first
//      change to the mirror showing the heartbeat committed after the last.
//   2. Latency: the writers paced at BENCH_RATE changes/s for BENCH_LATENCY_SECONDS; p50/p99.
//   3. The CDC alone: BENCH_BACKLOG_CHANGES written while the runner is stopped, then drained
//      by the restarted runner (from its start to the mirror showing the last heartbeat).
// Baseline in the same run: the server decoding the same WAL (both phases) through a second
// pgoutput slot (pg_logical_slot_get_binary_changes), the ceiling of any logical-replication reader.
// `cpu_us_per_change`: CPU of each process in phase 1 (Linux /proc), since all share the CPUs.
// BENCH_CPU_PROF=<dir> writes a V8 CPU profile of the runner; BENCH_BATCH sets its batch size.
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

const throughputChanges = Number(process.env.BENCH_CHANGES || 400_000);
const latencyRate = Number(process.env.BENCH_RATE || 20_000);
const latencySeconds = Number(process.env.BENCH_LATENCY_SECONDS || 10);
const writers = Number(process.env.BENCH_WRITERS || 4);
const backlogChanges = Number(process.env.BENCH_BACKLOG_CHANGES || 200_000);
const seedRows = 50_000;
const heartbeatMs = 50;
// Per transaction: 12 inserts, 6 updates, 2 deletes.
const mix = { insert: 12, update: 6, delete: 2 };
const txChanges = mix.insert + mix.update + mix.delete;
const log = (line) => console.error(line);
const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const insertRows = `
  INSERT INTO orders (id, customer_id, sku, status, quantity, amount, discount, paid, attrs, note,
                      created_at, updated_at)
  SELECT id, (id % 9973)::int, 'SKU-' || (id % 5000), 'new', 1 + (id % 7)::int,
         round((id % 100000) / 7.0, 2), (id % 13) / 100.0, false,
         jsonb_build_object('channel', 'web', 'lines', id % 5, 'tags', jsonb_build_array('a', id % 3)),
         CASE WHEN id % 4 = 0 THEN NULL ELSE 'gift wrap' END, now(), NULL
    FROM unnest($1::bigint[]) AS id`;
const updateRows = `
  UPDATE orders SET status = (ARRAY['paid', 'packed', 'shipped', 'returned'])[1 + quantity % 4],
         quantity = quantity + 1, amount = amount + 1.25, paid = NOT paid,
         attrs = attrs || jsonb_build_object('rev', quantity), updated_at = now()
   WHERE id = ANY($1::bigint[])`;
const deleteRows = `DELETE FROM orders WHERE id = ANY($1::bigint[])`;
/** A statement above with its ids written in (integers we made): a transaction is one round trip. */
const withIds = (sql, ids) => sql.replace('$1::bigint[]', `'{${ids.join(',')}}'::bigint[]`);

/**
 * CPU seconds used so far by each part, from /proc (Linux; empty elsewhere): everything shares
 * the same CPUs, so this says where the time goes. Postgres processes by server and role; the
 * bench's own connections carry application_name 'bench'.
 */
async function cpuSeconds(runnerPid) {
  const ticks = async (pid) => {
    try {
      const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime + stime, in USER_HZ (100 per second on Linux)
      return (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      return 0;
    }
  };
  if (!(await ticks(process.pid))) return {};
  const parts = {
    bench_node: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
    runner: await ticks(runnerPid),
  };
  for (const [server, pool] of [
    ['source', source],
    ['sextant', sextant],
  ]) {
    const { rows } = await pool.query(
      `SELECT pid, backend_type, application_name FROM pg_stat_activity WHERE pid <> pg_backend_pid()`,
    );
    for (const row of rows) {
      const part =
        row.backend_type === 'walsender'
          ? `${server}_walsender`
          : row.backend_type !== 'client backend'
            ? `${server}_server_other`
            : row.application_name === 'bench'
              ? `${server}_bench_sessions`
              : `${server}_applier`;
      parts[part] = (parts[part] ?? 0) + (await ticks(row.pid));
    }
  }
  return parts;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** One writer's rows (ids ≡ w mod writers) and its transactions of the fixed mix. */
function writer(w) {
  const live = [];
  for (let id = w + 1; id <= seedRows; id += writers) live.push(id);
  let nextId = seedRows + 1 + w;
  const take = (n) => {
    const ids = [];
    for (let i = 0; i < n && live.length > 0; i++) {
      const at = Math.floor(Math.random() * live.length);
      ids.push(live[at]);
      live[at] = live[live.length - 1];
      live.pop();
    }
    return ids;
  };
  return {
    /**
     * Commits one transaction; returns the rows it changed. One simple query, so the writers
     * (on the same 2 CPUs as what they measure) spend no more than they must.
     */
    async transaction(client) {
      const fresh = Array.from({ length: mix.insert }, () => (nextId += writers));
      const updated = take(mix.update);
      const deleted = take(mix.delete);
      const results = await client.query(
        `BEGIN; ${withIds(insertRows, fresh)}; ${withIds(updateRows, updated)}; ${withIds(deleteRows, deleted)}; COMMIT`,
      );
      live.push(...fresh, ...updated);
      return results[1].rowCount + results[2].rowCount + results[3].rowCount;
    },
  };
}

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-cdc-'));
let sourceDb;
let sextantDb;
let source;
let sextant;
let runner;
let stopHeartbeat = false;
try {
  [sourceDb, sextantDb] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(tmp, 'source'), port: 0, database: 'shop' }),
    startEmbeddedPostgres({ dataDir: path.join(tmp, 'sextant'), port: 0 }),
  ]);
  await migrate(sextantDb.url);
  source = new pg.Pool({
    connectionString: sourceDb.url,
    max: writers + 3,
    application_name: 'bench',
  });
  sextant = new pg.Pool({ connectionString: sextantDb.url, max: 3, application_name: 'bench' });
  // A client still closing when its server stops gets a FATAL: not a failure of the bench.
  for (const pool of [source, sextant]) pool.on('error', () => undefined);
  const nodes = [uuidv7(), uuidv7()];
  await sextant.query(
    `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
       ($1, 'database', 'bench.shop', 'Shop', '{}', now()), ($2, 'database', 'bench.lake', 'Lake', '{}', now())`,
    nodes,
  );
  await source.query(`
    CREATE TABLE orders (
      id bigint PRIMARY KEY, customer_id int NOT NULL, sku text NOT NULL, status text NOT NULL,
      quantity int NOT NULL, amount numeric(12, 2), discount double precision, paid boolean NOT NULL,
      attrs jsonb, note text, created_at timestamptz NOT NULL, updated_at timestamptz);
    CREATE TABLE heartbeat (id int PRIMARY KEY, seq bigint NOT NULL, at timestamptz NOT NULL);
    INSERT INTO heartbeat VALUES (1, 0, now());`);
  await source.query(insertRows, [Array.from({ length: seedRows }, (_, i) => i + 1)]);

  const startRunner = () =>
    startProcess(
      'cdc',
      process.execPath,
      [
        // BENCH_CPU_PROF=<dir>: a V8 CPU profile of the runner, written when it stops.
        ...(process.env.BENCH_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF)}`]
          : []),
        path.join(root, 'dist/apps/cdc/src/cdc-main.js'),
      ],
      {
        ...process.env,
        CDC_SOURCE_URL: sourceDb.url,
        DATABASE_URL: sextantDb.url,
        CDC_SOURCE_NAME: 'bench',
        CDC_TABLES: 'public.orders,public.heartbeat',
        CDC_SOURCE_NODE_ID: nodes[0],
        CDC_DESTINATION_NODE_ID: nodes[1],
        ...(process.env.BENCH_BATCH ? { CDC_MAX_BATCH_CHANGES: process.env.BENCH_BATCH } : {}),
        NODE_ENV: 'production',
      },
      root,
      log,
    );
  runner = startRunner();
  const s0 = performance.now();
  await waitForLine(runner, 'cdc ready', 120_000);
  log(`snapshot of ${seedRows} rows applied, streaming (${Math.round(performance.now() - s0)} ms)`);
  // The baseline's slot starts here, so it decodes the same WAL as phase 1.
  await source.query(`SELECT pg_create_logical_replication_slot('bench_baseline', 'pgoutput')`);

  // Heartbeat: commit times by sequence number, and a poller of the mirror.
  const committedAt = new Map();
  const latencies = { phase: null, throughput: [], latency: [] };
  let seq = 0;
  let seen = 0;
  let seenAt = 0;
  const beat = async () => {
    seq += 1;
    const mine = seq;
    await source.query(`UPDATE heartbeat SET seq = $1, at = now() WHERE id = 1`, [mine]);
    committedAt.set(mine, performance.now());
    return mine;
  };
  const heartbeat = (async () => {
    while (!stopHeartbeat) {
      await beat().catch((error) => (stopHeartbeat ? undefined : Promise.reject(error)));
      await sleep(heartbeatMs);
    }
  })();
  const poller = (async () => {
    while (!stopHeartbeat) {
      const { rows } = await sextant
        .query(`SELECT seq FROM lake_bench."public.heartbeat" WHERE id = 1`)
        .catch(() => ({ rows: [] }));
      const now = performance.now();
      const latest = rows.length > 0 ? Number(rows[0].seq) : 0;
      for (let s = seen + 1; s <= latest; s++) {
        const at = committedAt.get(s);
        // A beat whose commit has not returned to its writer yet: not measurable.
        if (at !== undefined && latencies.phase) latencies[latencies.phase].push(now - at);
        committedAt.delete(s);
      }
      if (latest > seen) {
        seen = latest;
        seenAt = now;
      }
      await sleep(5);
    }
  })();
  /** Commits a heartbeat and waits until the mirror shows it: everything before is applied. */
  const drain = async () => {
    const mine = await beat();
    while (seen < mine) await sleep(1);
    return seenAt;
  };

  const state = Array.from({ length: writers }, (_, w) => writer(w));
  /** Runs the writers until `budget` changes, each paced at `rate / writers` when rate > 0. */
  async function write(budget, rate, seconds) {
    let made = 0;
    let transactions = 0;
    const t0 = performance.now();
    const interval = rate > 0 ? (writers * txChanges * 1000) / rate : 0;
    await Promise.all(
      state.map(async (w, i) => {
        const client = await source.connect();
        try {
          for (let k = 0; ; k++) {
            if (budget && transactions * txChanges >= budget) break;
            if (seconds && performance.now() - t0 >= seconds * 1000) break;
            transactions += 1;
            if (interval > 0) {
              const due = t0 + (k + i / writers) * interval;
              const wait = due - performance.now();
              if (wait > 0) await sleep(wait);
            }
            const changed = await w.transaction(client);
            made += changed;
          }
        } finally {
          client.release();
        }
      }),
    );
    return { made, seconds: (performance.now() - t0) / 1000 };
  }

  // Phase 1: throughput. The writers' sessions open first, so their CPU counts from here.
  const opened = await Promise.all(state.map(() => source.connect()));
  for (const client of opened) client.release();
  const cpu0 = await cpuSeconds(runner.child.pid);
  log(`phase 1: ${throughputChanges} changes from ${writers} writers, unthrottled`);
  latencies.phase = 'throughput';
  const t1 = performance.now();
  const phase1 = await write(throughputChanges, 0, 0);
  log(
    `  written in ${round(phase1.seconds)} s (${Math.round(phase1.made / phase1.seconds)} changes/s offered)`,
  );
  const applied1 = await drain();
  const seconds1 = (applied1 - t1) / 1000;
  const changesPerS = phase1.made / seconds1;
  log(`  applied in ${round(seconds1)} s = ${Math.round(changesPerS)} changes/s end to end`);
  const cpu1 = await cpuSeconds(runner.child.pid);
  // Microseconds of CPU per change in phase 1, by part.
  const cpuPerChange = Object.fromEntries(
    Object.entries(cpu1)
      .map(([part, s]) => [part, round(((s - (cpu0[part] ?? 0)) * 1e6) / phase1.made, 1)])
      .sort((a, b) => b[1] - a[1]),
  );
  log(`  CPU µs per change: ${JSON.stringify(cpuPerChange)}`);

  // Phase 2: latency at a steady rate.
  log(`phase 2: ${latencyRate} changes/s for ${latencySeconds} s`);
  latencies.phase = 'latency';
  const phase2 = await write(0, latencyRate, latencySeconds);
  log(`  written ${phase2.made} changes = ${Math.round(phase2.made / phase2.seconds)} changes/s`);
  await drain();
  latencies.phase = null;

  // Phase 3: the CDC alone. The runner stops, the writers leave a backlog in the WAL, and the
  // runner (restarted, resuming from its confirmed position) drains it with the CPUs to itself.
  log(`phase 3: ${backlogChanges} changes written while the runner is stopped, then drained`);
  await stopProcess(runner);
  runner = null;
  const phase3 = await write(backlogChanges, 0, 0);
  const t3 = performance.now();
  runner = startRunner();
  await waitForLine(runner, 'cdc ready', 120_000);
  const applied3 = await drain();
  const backlogPerS = phase3.made / ((applied3 - t3) / 1000);
  log(`  drained in ${round((applied3 - t3) / 1000)} s = ${Math.round(backlogPerS)} changes/s`);
  stopHeartbeat = true;
  await Promise.all([heartbeat, poller]);
  const sorted = latencies.latency.sort((a, b) => a - b);
  const sorted1 = latencies.throughput.sort((a, b) => a - b);
  log(
    `  heartbeat latency: p50 ${round(percentile(sorted, 50))} ms, p99 ${round(percentile(sorted, 99))} ms (${sorted.length} samples)`,
  );

  // Nothing lost or doubled: the movements count every change (snapshot, heartbeats, writers).
  const { rows: moved } = await sextant.query(
    `SELECT sum(quantity)::bigint::text AS n FROM movement WHERE origin = 'cdc'`,
  );
  const expected = seedRows + 1 + phase1.made + phase2.made + phase3.made + seq;
  log(`movements count ${moved[0].n} changes, expected ${expected}`);

  // Baseline: the server decoding phase 1's WAL with pgoutput into a slot's binary changes.
  const b0 = performance.now();
  const { rows: decoded } = await source.query(
    `SELECT count(*) FILTER (WHERE get_byte(data, 0) IN (73, 85, 68))::int AS changes
       FROM pg_logical_slot_get_binary_changes('bench_baseline', NULL, NULL,
            'proto_version', '1', 'publication_names', 'sextant_bench')`,
  );
  const decodeSeconds = (performance.now() - b0) / 1000;
  const decodePerS = decoded[0].changes / decodeSeconds;
  log(
    `baseline: pg_logical_slot_get_binary_changes decoded ${decoded[0].changes} changes (both phases) in ${round(decodeSeconds)} s = ${Math.round(decodePerS)} changes/s`,
  );
  await source.query(`SELECT pg_drop_replication_slot('bench_baseline')`);

  // Stopped before the result, so its last lines come before the JSON.
  await stopProcess(runner);
  runner = null;
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  console.log(
    JSON.stringify({
      bench: 'cdc',
      cpus: os.cpus().length,
      writers,
      transaction_changes: txChanges,
      mix: '60% insert, 30% update, 10% delete',
      changes: phase1.made,
      changes_per_s: Math.round(changesPerS),
      offered_changes_per_s: Math.round(phase1.made / phase1.seconds),
      p50_ms: round(p50),
      p99_ms: round(p99),
      latency_at_changes_per_s: Math.round(phase2.made / phase2.seconds),
      latency_samples: sorted.length,
      p99_ms_unthrottled: round(percentile(sorted1, 99)),
      backlog_changes: phase3.made,
      backlog_changes_per_s: Math.round(backlogPerS),
      movements_match: Number(moved[0].n) === expected,
      baseline_wal_decode_changes_per_s: Math.round(decodePerS),
      ratio_to_wal_decode: round(changesPerS / decodePerS, 3),
      cpu_us_per_change: cpuPerChange,
      targets: { changes_per_s: 20_000, p99_ms: 500 },
    }),
  );
} finally {
  stopHeartbeat = true;
  if (runner) await stopProcess(runner).catch(() => undefined);
  await source?.end().catch(() => undefined);
  await sextant?.end().catch(() => undefined);
  await Promise.all([sourceDb?.stop(), sextantDb?.stop()]);
  await fs.rm(tmp, { recursive: true, force: true });
}

// `npm run bench:ingest`: the ingest gateway's production build end to end, on one throw-away
// embedded Postgres. Line protocol over HTTP: 1,000 series (tag sets) with 4 float fields per
// line, 5,000-line batches, 4 concurrent keep-alive clients, 10 million points; the clock
// stops when the last batch is answered 204 (committed). Baseline in the same run: the same
// bodies to an HTTP server that only reads them (the transport's ceiling here). Forward
// protocol: 500,000 events in PackedForward messages of 1,000 with acks and the shared-key
// handshake (as fluent-bit sends them), beside a sink that acknowledges at once, and 100,000
// events from @fluent-org/logger. Where the time goes: CPU µs per point (or event) of the
// gateway, Postgres and this process. Peak RSS is the gateway's VmHWM. Last line: one JSON
// object.
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Agent, request } from 'undici';
import { processSeconds, threadSeconds, treeSeconds } from './bench/cpu.mjs';
import { packedMessages, sendForward, sinkSource } from './bench/forward-client.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEmbeddedPostgres, migrate, freePort, allocatorEnv } = require(
  path.join(root, 'dist/libs/db/src'),
);
const { startProcess, stopProcess, waitForLine } = require(path.join(root, 'dist/libs/stack/src'));
const { newToken, uuidv7 } = require(path.join(root, 'dist/libs/ingest/src'));
const { sealSecret } = require(path.join(root, 'dist/libs/config/src'));

const totalPoints = Number(process.env.BENCH_POINTS || 10_000_000);
const seriesCount = 1000;
const fieldsPerLine = 4;
const linesPerBatch = Number(process.env.BENCH_BATCH_LINES || 5000);
const clients = Number(process.env.BENCH_CLIENTS || 4);
const log = (line) => console.error(line);
const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

/** Line-protocol batches, built before the clock starts: 5 timestamps x 1,000 series each. */
function buildBatches() {
  const lines = totalPoints / fieldsPerLine;
  const batches = [];
  const start = 1_767_225_600n * 1_000_000_000n;
  let line = 0;
  let v = 0;
  while (line < lines) {
    const parts = [];
    for (let i = 0; i < linesPerBatch && line < lines; i++, line++) {
      const series = line % seriesCount;
      const tick = BigInt(Math.floor(line / seriesCount));
      v = (v * 1103515245 + 12345) % 2147483648;
      const r = v / 2147483648;
      parts.push(
        `scada,site=north,turbine=T${String(series).padStart(4, '0')} ` +
          `active_power_kw=${(1200 + 800 * r).toFixed(1)},wind_speed_ms=${(6 + 4 * r).toFixed(2)},` +
          `wind_direction_deg=${(180 + 90 * r).toFixed(1)},theoretical_power_kw=${(1300 + 700 * r).toFixed(1)} ` +
          `${start + tick * 10_000_000_000n}`,
      );
    }
    batches.push(Buffer.from(parts.join('\n')));
  }
  return batches;
}

function peakRssMb(pid) {
  let status;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    throw new Error(`the gateway (pid ${pid}) is gone: it died during the benchmark`);
  }
  const match = /VmHWM:\s+(\d+) kB/.exec(status);
  return match ? Math.round(Number(match[1]) / 1024) : null;
}

const batches = buildBatches();
log(`line protocol: ${batches.length} batches of ${linesPerBatch} lines, ${totalPoints} points`);

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-ingest-'));
const db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: 0 });
const pool = new pg.Pool({ connectionString: db.url, max: 2 });
// An idle connection the server closes (it stops at the end) must not end the benchmark
// before its JSON line.
pool.on('error', (error) => log(`database connection closed: ${error.message}`));
let gateway;
try {
  await migrate(db.url);
  // A source node, a destination and a path with a token.
  const [source, destination, pathId] = [uuidv7(), uuidv7(), uuidv7()];
  await pool.query(
    `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
       ($1, 'site', 'bench.farm', 'Bench farm', '{}', now()), ($2, 'database', 'bench.lake', 'Bench lake', '{}', now())`,
    [source, destination],
  );
  await pool.query(
    `INSERT INTO path (id, name, source_id, destination_id, protocol, mapping, settings, updated_at)
     VALUES ($1, 'bench', $2, $3, 'line', '{}', '{}', now())`,
    [pathId, source, destination],
  );
  const token = newToken();
  // The platform secret that seals the token's forward shared key, as the API stores it.
  const secretKey = randomBytes(32).toString('base64');
  await pool.query(
    `INSERT INTO path_token (id, path_id, name, prefix, token_hash, shared_key_sealed)
     VALUES ($1, $2, 'bench', $3, $4, $5)`,
    [uuidv7(), pathId, token.prefix, token.hash, sealSecret(secretKey, token.sharedKey)],
  );

  const httpPort = await freePort();
  const forwardPort = await freePort();
  gateway = startProcess(
    'ingest',
    process.execPath,
    [
      // e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the gateway
      ...(process.env.BENCH_GATEWAY_NODE_ARGS || '').split(' ').filter(Boolean),
      path.join(root, 'dist/apps/ingest/src/main.js'),
    ],
    {
      // As the launcher starts it (npm start).
      ...allocatorEnv(process.env),
      DATABASE_URL: db.url,
      INGEST_HTTP_PORT: String(httpPort),
      INGEST_FORWARD_PORT: String(forwardPort),
      INGEST_HOST: '127.0.0.1',
      NODE_ENV: 'production',
      SEXTANT_SECRET_KEY: secretKey,
    },
    root,
    (line) => (process.env.BENCH_VERBOSE ? log(line) : undefined),
  );
  await waitForLine(gateway, 'ingest ready', 30_000);

  /** Sends every batch from `clients` keep-alive connections; seconds after the warm-up. */
  const sendAll = async (port, settled = async () => undefined) => {
    const agent = new Agent({ connections: clients, pipelining: 1, keepAliveTimeout: 60_000 });
    const url = `http://127.0.0.1:${port}/api/v2/write?org=bench&bucket=lake&precision=ns`;
    const headers = { authorization: `Token ${token.token}`, 'content-type': 'text/plain' };
    const latencies = [];
    const send = async (body) => {
      for (;;) {
        const r0 = performance.now();
        const reply = await request(url, { method: 'POST', body, headers, dispatcher: agent });
        const text = await reply.body.text();
        latencies.push(performance.now() - r0);
        if (reply.statusCode === 204) return;
        if (reply.statusCode === 503 || reply.statusCode === 429) {
          await new Promise((r) => setTimeout(r, 50));
          continue; // back-pressure: retry, as clients do
        }
        throw new Error(`write answered ${reply.statusCode}: ${text.slice(0, 300)}`);
      }
    };
    // Warm-up outside the clock: the first batch's series are created here.
    await send(batches[0]);
    latencies.length = 0;
    let next = 1;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        while (next < batches.length) await send(batches[next++]);
      }),
    );
    const acked = (performance.now() - t0) / 1000;
    await settled();
    const elapsed = (performance.now() - t0) / 1000;
    if (elapsed > acked)
      log(`  (all answered after ${round(acked)} s, all in chunks after ${round(elapsed)} s)`);
    await agent.close();
    latencies.sort((a, b) => a - b);
    const at = (q) =>
      round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))], 1);
    log(`  request latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    return { elapsed, acked, p50: at(0.5), p99: at(0.99) };
  };

  // Baseline: the HTTP transport alone, a server in its own process that reads each body and
  // answers 204 — the ceiling any HTTP gateway on this machine has.
  const sinkPort = await freePort();
  const sink = startProcess(
    'sink',
    process.execPath,
    [
      '-e',
      `require('node:http').createServer((q, r) => { q.on('data', () => {}); q.on('end', () => { r.statusCode = 204; r.end(); }); }).listen(${sinkPort}, '127.0.0.1', () => console.log('sink ready'))`,
    ],
    process.env,
    root,
    () => undefined,
  );
  await waitForLine(sink, 'sink ready', 10_000);
  const { elapsed: sinkSeconds } = await sendAll(sinkPort);
  await stopProcess(sink);
  const measured = totalPoints - linesPerBatch * fieldsPerLine;
  const sinkPointsPerS = measured / sinkSeconds;
  log(`baseline: HTTP sink takes the same bodies at ${Math.round(sinkPointsPerS)} points/s`);

  // Where the time goes: CPU seconds of the gateway (all its threads), of Postgres (server,
  // background processes and backends) and of this process (the clients), over the phase.
  const cpu = async () => ({
    gateway: await processSeconds(gateway.child.pid),
    postgres: await treeSeconds(db.pid),
    bench_clients: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  });
  const cpuPer = (before, after, count) =>
    Object.fromEntries(
      Object.keys(after)
        .filter((part) => after[part] !== null && before[part] !== null)
        .map((part) => [part, round(((after[part] - before[part]) * 1e6) / count, 3)]),
    );
  const cpuBefore = await cpu();
  // The clock stops when every point is in a chunk, visible to queries: staged commits
  // (durable already when answered) must have been settled too.
  const line = await sendAll(httpPort, async () => {
    for (;;) {
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM ingest_stage');
      if (rows[0].n === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  const seconds = line.elapsed;
  const linePointsPerS = measured / seconds;
  const cpuAfter = await cpu();
  const cpuUsPerPoint = cpuPer(cpuBefore, cpuAfter, totalPoints);
  log(`  CPU µs per point: ${JSON.stringify(cpuUsPerPoint)}`);
  if (process.env.BENCH_VERBOSE)
    log(`  gateway threads (CPU s): ${JSON.stringify(await threadSeconds(gateway.child.pid))}`);
  const stored = await pool.query(
    'SELECT sum(count)::bigint AS n, count(*)::int AS chunks FROM chunk',
  );
  log(
    `line protocol: ${measured} points in ${round(seconds)} s = ${Math.round(linePointsPerS)} points/s; stored ${stored.rows[0].n} in ${stored.rows[0].chunks} chunks`,
  );
  if (Number(stored.rows[0].n) !== totalPoints)
    throw new Error(`stored ${stored.rows[0].n} points, sent ${totalPoints}`);

  // Forward protocol: PackedForward messages of 1,000 events as fluent-bit sends them, with
  // acks and the shared-key handshake, 4 connections with 2 messages in flight on each; the
  // clock stops at the last ack (each sent only once its events are committed). Encoded before
  // the clock starts, as the line-protocol bodies are. Baseline: the same messages to a server
  // that acknowledges each at once. The line batches (hundreds of MB) are let go first.
  batches.length = 0;
  const forwardEvents = Number(process.env.BENCH_FORWARD_EVENTS || 500_000);
  const messages = packedMessages({
    tag: 'bench.forward',
    events: forwardEvents,
    perMessage: 1000,
    start: 1_767_225_600,
    record: (i) => ({ turbine: `T${String(i % 1000).padStart(4, '0')}`, power: (i % 3000) + 0.5 }),
  });
  const forwardSend = (port, sharedKey) =>
    sendForward({ port, sharedKey, messages, connections: 4, window: 2 });
  const forwardSinkPort = await freePort();
  const forwardSink = startProcess(
    'forward-sink',
    process.execPath,
    ['-e', sinkSource(forwardSinkPort)],
    process.env,
    root,
    () => undefined,
  );
  await waitForLine(forwardSink, 'forward sink ready', 10_000);
  const s0 = performance.now();
  await forwardSend(forwardSinkPort, null);
  const forwardSinkEventsPerS = Math.round(forwardEvents / ((performance.now() - s0) / 1000));
  await stopProcess(forwardSink);
  log(`baseline: forward sink acknowledges the same messages at ${forwardSinkEventsPerS} events/s`);
  const forwardCpuBefore = await cpu();
  const f0 = performance.now();
  // The forward shared key is the sha256 (hex) of a path token.
  await forwardSend(forwardPort, token.sharedKey);
  const forwardEventsPerS = Math.round(forwardEvents / ((performance.now() - f0) / 1000));
  const forwardCpuUsPerEvent = cpuPer(forwardCpuBefore, await cpu(), forwardEvents);
  log(`  CPU µs per event: ${JSON.stringify(forwardCpuUsPerEvent)}`);
  log(
    `forward: ${forwardEvents} events in PackedForward with acks = ${forwardEventsPerS} events/s`,
  );

  // The same through a Node.js client from npm (@fluent-org/logger, one connection, in this
  // process): what a Node.js application gets, the client's own encoding included.
  const nodeEvents = Math.min(100_000, forwardEvents);
  const { FluentClient } = require('@fluent-org/logger');
  const client = new FluentClient('bench.node', {
    socket: { host: '127.0.0.1', port: forwardPort, timeout: 5_000 },
    security: { clientHostname: 'bench', sharedKey: token.sharedKey },
    eventMode: 'PackedForward',
    ack: { ackTimeout: 30_000 },
    flushInterval: 5,
    eventRetry: { attempts: 0 },
  });
  await client.emit({ probe: 1 });
  const n0 = performance.now();
  const pending = [];
  for (let i = 0; i < nodeEvents; i++)
    pending.push(client.emit({ turbine: `T${i % 1000}`, power: i % 3000 }));
  await Promise.all(pending);
  const nodeClientEventsPerS = Math.round(nodeEvents / ((performance.now() - n0) / 1000));
  await client.disconnect();
  log(`forward: ${nodeEvents} events from @fluent-org/logger = ${nodeClientEventsPerS} events/s`);

  const peak = peakRssMb(gateway.child.pid);
  log(`gateway peak RSS: ${peak} MB`);
  console.log(
    JSON.stringify({
      bench: 'ingest',
      cpus: os.cpus().length,
      points: totalPoints,
      series: seriesCount,
      fields_per_line: fieldsPerLine,
      batch_lines: linesPerBatch,
      clients,
      line_points_per_s: Math.round(linePointsPerS),
      line_seconds: round(seconds),
      line_acked_points_per_s: Math.round(measured / line.acked),
      line_request_p50_ms: line.p50,
      line_request_p99_ms: line.p99,
      baseline_http_sink_points_per_s: Math.round(sinkPointsPerS),
      ratio_to_http_sink: round(linePointsPerS / sinkPointsPerS, 3),
      line_cpu_us_per_point: cpuUsPerPoint,
      forward_events_per_s: forwardEventsPerS,
      baseline_forward_sink_events_per_s: forwardSinkEventsPerS,
      ratio_to_forward_sink: round(forwardEventsPerS / forwardSinkEventsPerS, 3),
      forward_cpu_us_per_event: forwardCpuUsPerEvent,
      forward_node_client_events_per_s: nodeClientEventsPerS,
      peak_rss_mb: peak,
      targets: { line_points_per_s: 1_200_000, forward_events_per_s: 100_000, peak_rss_mb: 300 },
    }),
  );
} finally {
  if (gateway) await stopProcess(gateway).catch(() => undefined);
  await pool.end().catch(() => undefined);
  await db.stop();
  await fs.rm(tmp, { recursive: true, force: true });
}

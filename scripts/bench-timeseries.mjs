// `npm run bench:timeseries`: the time-series store against a row-per-point table, in one run on
// one throw-away embedded Postgres. 1,000 turbine SCADA series shaped like
// ../shared/data/wind/T1.csv (see bench/scada-signal.mjs), 10 s spacing, 10 million points:
// 100 series hold 7 days (60,480 points each), the other 900 about 12 hours.
// Progress goes to stderr; the last line on stdout is one JSON object.
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { loadT1, scadaFields, scadaValues } from './bench/scada-signal.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { startEmbeddedPostgres, migrate } = require(path.join(root, 'dist/libs/db/src'));
const { TimeSeriesStore, TimeSeriesQueries, compact } = require(
  path.join(root, 'dist/libs/timeseries/src'),
);

const totalPoints = Number(process.env.BENCH_POINTS || 10_000_000);
const seriesCount = 1000;
const longSeries = 100;
const longPoints = Math.min(60_480, Math.floor(totalPoints / seriesCount) * 6); // 7 days at 10 s
/** Points per series in one write call (the first chunk of each series is compacted later). */
const window = Number(process.env.BENCH_WINDOW || 1024);
const pointsPerCall = Number(process.env.BENCH_CALL_POINTS || 1_000_000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT || 2);
const repeats = Number(process.env.BENCH_REPEATS || 7);
const step = 10_000_000_000n; // 10 s
const start = 1_767_225_600_000_000_000n; // 2026-01-01T00:00:00Z
const log = (line) => console.error(line);
const round = (v, d = 2) => Math.round(v * 10 ** d) / 10 ** d;

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(name, run) {
  await run(); // warm-up
  const times = [];
  let result;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    result = await run();
    times.push(performance.now() - t);
  }
  log(`${name}: median ${round(median(times))} ms of ${repeats}`);
  return { ms: round(median(times)), result };
}

// ---- the signal, generated before any timing (a client holds its data in memory) ----
const t1 = loadT1(path.resolve(root, '../shared/data/wind/T1.csv'));
const shortTotal = totalPoints - longSeries * longPoints;
const shortCount = seriesCount - longSeries;
const series = Array.from({ length: seriesCount }, (_, i) => {
  const long = i < longSeries;
  const count = long
    ? longPoints
    : Math.floor(shortTotal / shortCount) + (i - longSeries < shortTotal % shortCount ? 1 : 0);
  const spec = scadaFields[i % scadaFields.length];
  const turbine = `T${String(Math.floor(i / scadaFields.length) + 1).padStart(3, '0')}`;
  const values = scadaValues(t1, spec, {
    count,
    stepSeconds: 10,
    offset: (i * 37) % 40_000,
    seed: i + 1,
  });
  const times = new BigInt64Array(count);
  for (let k = 0; k < count; k++) times[k] = start + BigInt(k) * step;
  return {
    measurement: 'scada',
    tags: { fleet: long ? 'history' : 'recent', turbine },
    field: spec.field,
    type: 'float',
    times,
    values,
  };
});
const points = series.reduce((n, s) => n + s.times.length, 0);
log(`signal: ${series.length} series, ${points} points (T1.csv-shaped, 1-2 decimals, 10 s)`);

const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-ts-'));
const db = await startEmbeddedPostgres({ dataDir: path.join(tmp, 'pg'), port: 0 });
const pool = new pg.Pool({ connectionString: db.url, max: inFlight + 2 });
try {
  await migrate(db.url);
  const store = new TimeSeriesStore(pool);
  const queries = new TimeSeriesQueries(store);

  // ---- write through the library: calls of ~1M points, `window` points per series ----
  const calls = [];
  for (let offset = 0; offset < longPoints; offset += window) {
    let call = [];
    let size = 0;
    for (const s of series) {
      if (offset >= s.times.length) continue;
      const end = Math.min(s.times.length, offset + window);
      call.push({
        ...s,
        times: s.times.subarray(offset, end),
        values: s.values.subarray(offset, end),
      });
      size += end - offset;
      if (size >= pointsPerCall) {
        calls.push(call);
        call = [];
        size = 0;
      }
    }
    if (call.length) calls.push(call);
  }
  // Register the series first (a one-off per series, as in any store).
  await store.writeColumns(
    series.map((s) => ({ ...s, times: s.times.subarray(0, 0), values: s.values.subarray(0, 0) })),
  );
  let next = 0;
  let written = 0;
  const writeStart = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < calls.length) {
        const result = await store.writeColumns(calls[next++]);
        if (result.rejected.length) throw new Error(`rejected: ${result.rejected[0].reason}`);
        written += result.accepted;
      }
    }),
  );
  const writeSeconds = (performance.now() - writeStart) / 1000;
  if (written !== points) throw new Error(`wrote ${written} of ${points} points`);
  const writeRate = points / writeSeconds;
  log(
    `write: ${points} points in ${round(writeSeconds)} s = ${Math.round(writeRate)} points/s (${calls.length} calls, ${inFlight} in flight)`,
  );

  const compactStart = performance.now();
  const compaction = await compact(store, pool);
  const compactSeconds = (performance.now() - compactStart) / 1000;
  log(
    `compaction: ${compaction.chunksBefore} chunks into ${compaction.chunksAfter} (${compaction.points} points) in ${round(compactSeconds)} s`,
  );
  const sizeOf = async (tables) => {
    const { rows } = await pool.query(
      `SELECT sum(pg_total_relation_size(t))::bigint AS bytes FROM unnest($1::regclass[]) AS t`,
      [tables],
    );
    return Number(rows[0].bytes);
  };
  const bytesBeforeVacuum = await sizeOf(['chunk', 'series']);
  // Compaction leaves dead rows whose space autovacuum hands to later writes; VACUUM FULL
  // shows the steady state.
  await pool.query('VACUUM FULL ANALYZE chunk');
  await pool.query('VACUUM FULL ANALYZE series');
  const storeBytes = await sizeOf(['chunk', 'series']);
  const { rows: chunkRows } = await pool.query('SELECT count(*)::int AS n FROM chunk');
  const { rows: parts } = await pool.query(
    `SELECT c.relname AS name, pg_relation_size(c.oid)::bigint AS bytes FROM pg_class c
      WHERE c.oid IN (SELECT 'chunk'::regclass UNION SELECT reltoastrelid FROM pg_class WHERE oid = 'chunk'::regclass
                      UNION SELECT indexrelid FROM pg_index WHERE indrelid IN ('chunk'::regclass, 'series'::regclass,
                        (SELECT reltoastrelid FROM pg_class WHERE oid = 'chunk'::regclass))
                      UNION SELECT 'series'::regclass)`,
  );
  const { rows: payload } = await pool.query(
    'SELECT sum(octet_length(data))::bigint AS data, sum(coalesce(octet_length(segments), 0))::bigint AS segments FROM chunk',
  );
  log(
    `  chunk data ${payload[0].data} B, segments ${payload[0].segments} B; ${parts.map((p) => `${p.name} ${p.bytes}`).join(', ')}`,
  );
  log(
    `store size: ${storeBytes} bytes (${round(storeBytes / points, 3)} B/point; ${bytesBeforeVacuum} before VACUUM FULL) in ${chunkRows[0].n} chunks`,
  );

  // ---- baseline: one row per point, loaded with COPY (binary), `inFlight` streams ----
  await pool.query(
    'CREATE TABLE baseline (series_id integer NOT NULL, ts bigint NOT NULL, value double precision NOT NULL)',
  );
  const copyRows = (list) =>
    Readable.from(
      (function* () {
        yield Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
        const rowsPerBuffer = 8192;
        for (const { id, s } of list) {
          for (let k = 0; k < s.times.length; k += rowsPerBuffer) {
            const n = Math.min(rowsPerBuffer, s.times.length - k);
            const buf = Buffer.allocUnsafe(n * 34);
            for (let r = 0; r < n; r++) {
              const o = r * 34;
              buf.writeInt16BE(3, o);
              buf.writeInt32BE(4, o + 2);
              buf.writeInt32BE(id, o + 6);
              buf.writeInt32BE(8, o + 10);
              buf.writeBigInt64BE(s.times[k + r], o + 14);
              buf.writeInt32BE(8, o + 22);
              buf.writeDoubleBE(s.values[k + r], o + 26);
            }
            yield buf;
          }
        }
        yield Buffer.from([0xff, 0xff]);
      })(),
    );
  const baselineStart = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async (_, lane) => {
      const client = await pool.connect();
      try {
        const list = series
          .map((s, id) => ({ id: id + 1, s }))
          .filter((_, id) => id % inFlight === lane);
        await pipeline(
          copyRows(list),
          client.query(copyFrom('COPY baseline FROM STDIN (FORMAT binary)')),
        );
      } finally {
        client.release();
      }
    }),
  );
  await pool.query('CREATE INDEX baseline_series_ts ON baseline (series_id, ts)');
  const baselineSeconds = (performance.now() - baselineStart) / 1000;
  const baselineRate = points / baselineSeconds;
  await pool.query('VACUUM ANALYZE baseline');
  const baselineBytes = await sizeOf(['baseline']);
  log(
    `baseline: COPY + index in ${round(baselineSeconds)} s = ${Math.round(baselineRate)} points/s, ${baselineBytes} bytes (${round(baselineBytes / points, 2)} B/point)`,
  );

  // ---- queries, through the library ----
  const end = start + BigInt(longPoints) * step;
  const hour = 3_600_000_000_000n;
  const hourly = await timed('hourly means, 7 days x 100 series', () =>
    queries.aggregate({
      measurement: 'scada',
      tags: { fleet: 'history' },
      from: start,
      to: end,
      every: hour,
      aggregates: ['mean'],
      groupBy: ['turbine'],
    }),
  );
  const h = hourly.result;
  const hourlyPoints = h.groups.reduce((n, g) => n + g.buckets.length, 0);
  log(
    `  ${h.stats.series} series, ${hourlyPoints} group buckets, chunks: ${h.stats.chunks} (${h.stats.chunksFromSummary} from summary, ${h.stats.chunksFromSegments} from segments, ${h.stats.chunksDecoded} decoded)`,
  );
  const all = await queries.findSeries({ measurement: 'scada' });
  if (all.length !== seriesCount) throw new Error(`found ${all.length} series`);
  const last = await timed('last point of 1,000 series', async () =>
    queries.last(await queries.findSeries({ measurement: 'scada' })),
  );
  if (last.result.length !== seriesCount) throw new Error('last point missing');
  const longId = all.find((s) => s.tags.fleet === 'history').id;
  const raw = await timed('10,000 raw points of one series', () =>
    queries.raw(longId, { from: start, to: end, limit: 10_000, order: 'asc' }),
  );
  if (raw.result.points.times.length !== Math.min(10_000, longPoints))
    throw new Error('raw page short');
  const chart = await timed('1,000-point chart of one series over 7 days', () =>
    queries.chart(longId, start, end, 1000),
  );
  log(`  chart: ${chart.result.points.length} points from ${chart.result.stats.chunks} chunks`);
  const baselineHourly = await timed('baseline: hourly means in SQL, 7 days x 100 series', () =>
    pool.query(
      `SELECT series_id, (ts - $1::bigint) / $2::bigint AS bucket, avg(value)
         FROM baseline WHERE series_id <= $3 AND ts >= $1::bigint AND ts < $4::bigint
        GROUP BY 1, 2`,
      [String(start), String(hour), longSeries, String(end)],
    ),
  );

  console.log(
    JSON.stringify({
      bench: 'timeseries',
      cpus: os.cpus().length,
      points,
      series: seriesCount,
      write_points_per_s: Math.round(writeRate),
      bytes_per_point: round(storeBytes / points, 3),
      baseline_write_points_per_s: Math.round(baselineRate),
      baseline_bytes_per_point: round(baselineBytes / points, 2),
      write_ratio: round(writeRate / baselineRate),
      size_ratio: round(baselineBytes / storeBytes, 1),
      hourly_mean_ms: hourly.ms,
      lastpoint_ms: last.ms,
      raw_10k_ms: raw.ms,
      chart_1k_ms: chart.ms,
      baseline_hourly_mean_ms: baselineHourly.ms,
      compaction_s: round(compactSeconds),
      bytes_per_point_before_vacuum: round(bytesBeforeVacuum / points, 3),
      targets: {
        write_points_per_s: 3_000_000,
        write_ratio: 5,
        bytes_per_point: 1.0,
        size_ratio: 30,
        hourly_mean_ms: 100,
        lastpoint_ms: 50,
        chart_1k_ms: 50,
      },
    }),
  );
} finally {
  await pool.end().catch(() => undefined);
  await db.stop();
  await fs.rm(tmp, { recursive: true, force: true });
}

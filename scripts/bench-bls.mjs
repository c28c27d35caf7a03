// `npm run bench:bls`: the BLS periodogram of libs/analytics (production build in dist/) against
// astropy's BoxLeastSquares on the same data in the same run. A light curve of 10,000 points
// (the first 10,000 good cadences of the TESS light curve of WASP-126 in ../shared/data,
// detrended), 10,000 trial periods uniform in frequency from 0.5 d to half the baseline, 3
// durations, oversample 10, astropy's default "likelihood" objective on both sides; both must
// find the same best period, and the power of every trial period is compared (the fraction
// equal to 1e-9 of the peak is printed). Times are the
// best of BENCH_REPEATS runs each (default 5), after one warm-up run.
// Progress goes to stderr; the last line on stdout is one JSON object.
import { execFileSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const analytics = require(path.join(root, 'dist/libs/analytics/src'));
const { readLightCurve, detrend, prepareBls, periodGrid, blsPeriodogramPrepared, argMax, BlsPool } =
  analytics;

const points = 10_000;
const periodCount = 10_000;
const durations = [0.05, 0.1, 0.15]; // days: 1.2, 2.4 and 3.6 h
const oversample = 10;
const repeats = Number(process.env.BENCH_REPEATS || 5);
const threads = Number(process.env.BENCH_THREADS || os.availableParallelism());
const python = process.env.BENCH_PYTHON || '/usr/bin/python3';
const log = (line) => console.error(line);
const round = (v, d = 3) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);
const file = path.resolve(
  root,
  '../shared/data/lightcurves/tess/tess2018206045859-s0001-0000000025155310-0120-s_lc.fits',
);
if (!existsSync(file)) {
  throw new Error(`the benchmark reads ${file} (../shared/data), which is missing`);
}

const lc = detrend(readLightCurve(new Uint8Array(readFileSync(file))));
const t = lc.time.slice(0, points);
const y = lc.flux.slice(0, points);
const dy = lc.fluxErr.slice(0, points);
const baseline = t[points - 1] - t[0];
const periods = periodGrid({
  baseline,
  minDuration: Math.min(...durations),
  minPeriod: 0.5,
  maxPeriod: baseline / 2,
  count: periodCount,
});
const options = { periods, durations, oversample, objective: 'likelihood' };
log(
  `light curve: ${points} points over ${baseline.toFixed(2)} d; ${periodCount} periods ` +
    `${periods[0]}–${periods[periodCount - 1].toFixed(3)} d; durations ${durations.join(', ')} d`,
);

async function best(label, fn) {
  await fn(); // warm-up
  let min = Infinity;
  let result;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    result = await fn();
    const seconds = (performance.now() - started) / 1000;
    min = Math.min(min, seconds);
    log(`${label}: ${seconds.toFixed(3)} s`);
  }
  return { seconds: min, result };
}

// Sextant, one thread (the caller's).
const input = prepareBls(t, y, dy, true);
const single = await best('sextant, 1 thread', () => blsPeriodogramPrepared(input, options));

// Sextant, a pool of worker threads (started once, as a worker process keeps it).
const poolStarted = performance.now();
const pool = new BlsPool(threads);
await pool.ready();
const poolStartSeconds = (performance.now() - poolStarted) / 1000;
let threaded;
try {
  threaded = await best(`sextant, ${threads} threads`, () =>
    pool.periodogramPrepared(input, options),
  );
} finally {
  await pool.close();
}
const sextantBest = argMax(threaded.result.power);
const sextantPeriod = periods[sextantBest];
for (let i = 0; i < periodCount; i++) {
  if (threaded.result.power[i] !== single.result.power[i]) {
    throw new Error(`threaded and single-thread power differ at period ${periods[i]}`);
  }
}

// astropy, same arrays through files, same run.
let astropy = null;
let astropyReason = null;
try {
  execFileSync(python, ['-c', 'import astropy.timeseries'], { stdio: 'ignore' });
} catch {
  astropyReason = `${python} cannot import astropy (Debian: apt-get install python3-astropy)`;
}
let maxRelDiff = null;
let equal = null;
if (!astropyReason) {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-bench-bls-'));
  try {
    const write = (name, values) =>
      fs.writeFile(path.join(tmp, `${name}.f64`), Buffer.from(Float64Array.from(values).buffer));
    await Promise.all([
      write('t', t),
      write('y', y),
      write('dy', dy),
      write('periods', periods),
      write('durations', durations),
    ]);
    log('astropy BoxLeastSquares...');
    const out = execFileSync(
      python,
      [
        path.join(root, 'scripts/bench/astropy-bls.py'),
        tmp,
        String(repeats + 1),
        String(oversample),
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    );
    astropy = JSON.parse(out.trim().split('\n').pop());
    astropy.all_seconds.forEach((s) => log(`astropy: ${s.toFixed(3)} s`));
    const power = new Float64Array(
      (await fs.readFile(path.join(tmp, 'power.f64'))).buffer.slice(0),
    );
    maxRelDiff = 0;
    equal = 0;
    let maxPower = 0;
    for (let i = 0; i < periodCount; i++) maxPower = Math.max(maxPower, power[i]);
    for (let i = 0; i < periodCount; i++) {
      // Relative to the periodogram's peak: empty-phase periods have power near 0.
      const diff = Math.abs(power[i] - single.result.power[i]) / maxPower;
      maxRelDiff = Math.max(maxRelDiff, diff);
      if (diff <= 1e-9) equal++;
    }
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}
if (astropyReason) log(`astropy skipped: ${astropyReason}`);

const astropySeconds = astropy ? astropy.seconds : null;
console.log(
  JSON.stringify({
    bench: 'bls',
    cpus: os.availableParallelism(),
    data: 'TESS sector 1 WASP-126 (TIC 25155310), first 10,000 good 2-min cadences, detrended',
    points,
    periods: periodCount,
    durations_days: durations,
    oversample,
    objective: 'likelihood',
    threads,
    seconds: round(threaded.seconds),
    single_thread_seconds: round(single.seconds),
    pool_start_seconds: round(poolStartSeconds),
    astropy_seconds: round(astropySeconds),
    ratio_to_astropy: astropySeconds ? round(threaded.seconds / astropySeconds) : null,
    single_thread_ratio_to_astropy: astropySeconds ? round(single.seconds / astropySeconds) : null,
    best_period: sextantPeriod,
    astropy_best_period: astropy ? astropy.best_period : null,
    same_best_period: astropy ? astropy.best_period === sextantPeriod : null,
    // astropy 5.2's fast BLS wraps the phase by only `oversample` bins and overwrites the
    // last phase bin with the first (see docs/benchmarks.md): at periods whose best box straddles phase 0
    // the two differ; everywhere else they agree to rounding.
    power_equal_fraction: equal === null ? null : round(equal / periodCount, 4),
    max_power_difference_relative_to_peak:
      maxRelDiff === null ? null : Number(maxRelDiff.toExponential(2)),
    astropy_version: astropy ? astropy.astropy : null,
    astropy_skipped: astropyReason,
    targets: { ratio_to_astropy: 1, stretch_ratio_to_astropy: 0.5 },
  }),
);

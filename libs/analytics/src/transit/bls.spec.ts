import { afterAll, describe, expect, it } from '@jest/globals';
import { seededRandom } from '../common/stats';
import { argMax, blsPeriodogram, blsSetup, periodGrid, prepareBls, unpackPeriodogram } from './bls';
import { BLS_STRIDE, blsKernel } from './bls-kernel';
import { BlsPool } from './bls-pool';
import { detrend, runningMedian } from './detrend';
import { binFold, downsamplePeriodogram, foldLightCurve } from './fold';

/** A light curve with Gaussian noise and a box transit. */
function synthetic(options: {
  n: number;
  span: number;
  regular: boolean;
  period: number;
  epoch: number;
  duration: number;
  depth: number;
  seed: number;
}) {
  const random = seededRandom(options.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const time = new Float64Array(options.n);
  for (let i = 0; i < options.n; i++) {
    // The regular cadence is stretched by an irrational factor, so that no point lies exactly
    // on a phase-bin edge (where rounding alone would decide its bin).
    time[i] = options.regular
      ? ((i * options.span) / options.n) * (1 + Math.SQRT2 * 1e-7)
      : random() * options.span;
  }
  time.sort();
  const flux = new Float64Array(options.n);
  const fluxErr = new Float64Array(options.n);
  for (let i = 0; i < options.n; i++) {
    const x = (time[i] - options.epoch) / options.period;
    const inTransit = Math.abs(x - Math.round(x)) * options.period < options.duration / 2;
    fluxErr[i] = 0.001 * (0.5 + random());
    flux[i] = 1 + fluxErr[i] * gauss() - (inTransit ? options.depth : 0);
  }
  return { time, flux, fluxErr };
}

/**
 * The periodogram by brute force: every phase start on the bin grid, every duration, the
 * in-transit points found one by one (what the binned kernel must reproduce).
 */
function bruteForce(
  lc: { time: Float64Array; flux: Float64Array; fluxErr: Float64Array },
  periods: Float64Array,
  durations: number[],
  useSnr: boolean,
) {
  const t0 = Math.min(...lc.time);
  const sorted = Array.from(lc.flux).sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const y0 = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  const bin = Math.min(...durations) / 10;
  return Array.from(periods, (period) => {
    let best = -Infinity;
    const nb = Math.ceil(period / bin);
    const bins = Array.from(lc.time, (t) => Math.floor(((t - t0) % period) / bin));
    for (const duration of durations) {
      const d = Math.round(duration / bin);
      for (let s = 0; s < nb; s++) {
        let wIn = 0, yIn = 0, wAll = 0, yAll = 0; // prettier-ignore
        for (let i = 0; i < lc.time.length; i++) {
          const w = 1 / lc.fluxErr[i] ** 2;
          const y = lc.flux[i] - y0;
          wAll += w;
          yAll += w * y;
          if ((bins[i] - s + nb) % nb < d) {
            wIn += w;
            yIn += w * y;
          }
        }
        const wOut = wAll - wIn;
        if (wIn <= 0 || wOut <= 0) continue;
        const depth = (yAll - yIn) / wOut - yIn / wIn;
        if (depth <= 0) continue;
        const value = useSnr ? depth / Math.sqrt(1 / wIn + 1 / wOut) : 0.5 * wIn * depth * depth;
        if (value > best) best = value;
      }
    }
    return best;
  });
}

describe(blsPeriodogram.name, () => {
  const durations = [0.08, 0.12, 0.2];
  const periods = periodGrid({
    baseline: 6,
    minDuration: 0.08,
    minPeriod: 0.8,
    maxPeriod: 3,
    count: 60,
  });

  it.each([
    // regular cadence with 3 points per bin, and random times (1 in 3 bins empty)
    ['regular cadence', true, 2500],
    ['random times', false, 300],
  ])(
    'equals the brute-force box search, bins filled per point and per edge (%s)',
    (_, regular, n) => {
      const lc = synthetic({
        n,
        span: 6,
        regular,
        period: 1.7,
        epoch: 0.4,
        duration: 0.12,
        depth: 0.003,
        seed: 7,
      });
      const input = prepareBls(lc.time, lc.flux, lc.fluxErr);
      const { binDuration, durations: d } = blsSetup({ periods, durations });
      for (const objective of ['likelihood', 'snr'] as const) {
        const expected = bruteForce(lc, periods, durations, objective === 'snr');
        for (const fill of [1, 2]) {
          const raw = new Float64Array(periods.length * BLS_STRIDE);
          blsKernel(
            input.t,
            input.wy,
            input.w,
            input.sumWy,
            input.sumW,
            periods,
            0,
            periods.length,
            d,
            binDuration,
            objective === 'snr',
            raw,
            fill,
          );
          const pg = unpackPeriodogram(periods, raw, input.tRef, objective);
          pg.power.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 6));
        }
        // The default choice gives the same.
        const auto = blsPeriodogram(lc, { periods, durations, objective });
        auto.power.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 6));
      }
    },
  );

  it('finds the period, epoch, duration and depth of a box transit', () => {
    const lc = synthetic({
      n: 8000,
      span: 12,
      regular: true,
      period: 2.3,
      epoch: 0.7,
      duration: 0.12,
      depth: 0.002,
      seed: 3,
    });
    const grid = periodGrid({ baseline: 12, minDuration: 0.08 });
    const pg = blsPeriodogram(lc, { periods: grid, durations });
    const k = argMax(pg.power);
    expect(pg.period[k]).toBeCloseTo(2.3, 2);
    expect(pg.duration[k]).toBe(0.12);
    expect(pg.depth[k]).toBeCloseTo(0.002, 3);
    const x = (pg.transitTime[k] - 0.7) / 2.3;
    expect(Math.abs(x - Math.round(x)) * 2.3).toBeLessThan(0.01);
    expect(pg.depthSnr[k]).toBeCloseTo(pg.depth[k] / pg.depthErr[k], 9);
  });

  it('rejects durations as long as a period and an empty grid, naming the field', () => {
    const lc = synthetic({
      n: 100,
      span: 5,
      regular: true,
      period: 2,
      epoch: 0,
      duration: 0.1,
      depth: 0.01,
      seed: 1,
    });
    expect(() =>
      blsPeriodogram(lc, { periods: Float64Array.of(0.5, 1), durations: [0.6] }),
    ).toThrow('durations: the longest must be shorter than the shortest period');
    expect(() => blsPeriodogram(lc, { periods: new Float64Array(0), durations: [0.1] })).toThrow(
      'periods: needs at least one trial period',
    );
  });
});

describe(periodGrid.name, () => {
  it('is uniform in frequency with the astropy autoperiod step', () => {
    // baseline 10 d, shortest duration 0.05 d: df = 0.05/100 = 5e-4 per day, from 1/5 to 2 per day.
    const grid = periodGrid({ baseline: 10, minDuration: 0.05, minPeriod: 0.5 });
    expect(grid.length).toBe(1 + Math.round((2 - 0.2) / 5e-4));
    expect(grid[0]).toBeCloseTo(0.5, 12);
    expect(grid[grid.length - 1]).toBeCloseTo(5, 9);
    expect(1 / grid[1] - 1 / grid[2]).toBeCloseTo(5e-4, 12);
  });
});

describe(BlsPool.name, () => {
  const pool = new BlsPool(2);
  afterAll(() => pool.close());

  it('computes the same periodogram as the calling thread', async () => {
    const lc = synthetic({
      n: 5000,
      span: 10,
      regular: true,
      period: 3.1,
      epoch: 1,
      duration: 0.1,
      depth: 0.002,
      seed: 5,
    });
    const options = {
      periods: periodGrid({ baseline: 10, minDuration: 0.05 }),
      durations: [0.05, 0.1, 0.15],
    };
    const single = blsPeriodogram(lc, options);
    const threaded = await pool.periodogram(lc, options);
    expect(Array.from(threaded.power)).toEqual(Array.from(single.power));
    expect(Array.from(threaded.transitTime)).toEqual(Array.from(single.transitTime));
    // Two jobs at once share the threads.
    const [a, b] = await Promise.all([
      pool.periodogram(lc, options),
      pool.periodogram(lc, options),
    ]);
    expect(Array.from(a.depth)).toEqual(Array.from(b.depth));
  });

  it('is ready also when asked after its threads started', async () => {
    const late = new BlsPool(1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await expect(late.ready()).resolves.toBeUndefined();
    await late.close();
    await expect(
      late.periodogram(
        synthetic({
          n: 100,
          span: 5,
          regular: true,
          period: 2,
          epoch: 0,
          duration: 0.1,
          depth: 0.01,
          seed: 1,
        }),
        { periods: Float64Array.of(1), durations: [0.1] },
      ),
    ).rejects.toThrow('the BLS pool is closed');
  });
});

describe(detrend.name, () => {
  it('takes the running median over a time window', () => {
    const time = Float64Array.of(0, 1, 2, 3, 10, 11);
    const values = Float64Array.of(5, 1, 9, 3, 100, 7);
    // window 3: ±1.5 around each time; the gap before 10 separates the last two points.
    expect(Array.from(runningMedian(time, values, 3))).toEqual([3, 5, 3, 6, 53.5, 53.5]);
  });

  it('removes a slow trend, keeps a transit, and clips a flare', () => {
    const lc = synthetic({
      n: 3000,
      span: 6,
      regular: true,
      period: 1.5,
      epoch: 0.3,
      duration: 0.1,
      depth: 0.004,
      seed: 11,
    });
    const flux = lc.flux.map((f, i) => f * (1 + 0.01 * Math.sin(lc.time[i])));
    flux[1234] += 0.05; // a flare
    const out = detrend({ ...lc, flux }, { windowDays: 0.75 });
    expect(out.clipped).toBe(1);
    expect(out.sigma).toBeGreaterThan(0.0008);
    expect(out.sigma).toBeLessThan(0.0012);
    const pg = blsPeriodogram(out, {
      periods: periodGrid({ baseline: 6, minDuration: 0.05 }),
      durations: [0.05, 0.1],
    });
    expect(pg.period[argMax(pg.power)]).toBeCloseTo(1.5, 2);
  });
});

describe(foldLightCurve.name, () => {
  it('folds around the epoch and bins for a chart', () => {
    const time = Float64Array.of(0, 0.5, 1, 1.5, 2, 2.5, 3);
    const flux = Float64Array.of(0.99, 1, 0.99, 1, 0.99, 1, 0.99);
    const folded = foldLightCurve({ time, flux }, 1, 1);
    // The transits at whole days fold to phase 0, the others to −0.5 d.
    expect(Array.from(folded.phaseDays)).toEqual([-0.5, -0.5, -0.5, 0, 0, 0, 0]);
    expect(Array.from(folded.flux)).toEqual([1, 1, 1, 0.99, 0.99, 0.99, 0.99]);
    const chart = binFold(folded, 4, 1);
    expect(chart).toEqual({ phaseHours: [-9, 3], flux: [1, 0.99], count: [3, 4] });
    expect(JSON.parse(JSON.stringify(chart))).toEqual(chart);
  });

  it('keeps the highest point of each run when thinning a periodogram', () => {
    const period = Float64Array.from({ length: 10 }, (_, i) => i + 1);
    const power = Float64Array.of(1, 5, 2, 2, 9, 1, 0, 3, 3, 4);
    expect(downsamplePeriodogram({ period, power }, 3)).toEqual({
      period: [2, 5, 10],
      power: [5, 9, 4],
    });
  });
});

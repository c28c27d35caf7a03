// Box-least-squares periodogram (Kovács, Zucker & Mazeh 2002) in the binned, cumulative-sum
// formulation with astropy's "likelihood" objective, on typed arrays.
import { check } from '../common/errors';
import { median } from '../common/stats';
import { BLS_FIELDS, BLS_STRIDE, blsKernel } from './bls-kernel';

export interface BlsOptions {
  /** Trial periods in days. */
  periods: Float64Array;
  /** Trial transit durations in days (each shorter than the shortest period). */
  durations: ArrayLike<number>;
  /** Phase bins per shortest duration (default 10, as astropy). */
  oversample?: number;
  /** `likelihood` (default, as astropy) or `snr`. */
  objective?: 'likelihood' | 'snr';
}

/** A periodogram: one value per trial period in each typed array. */
export interface BlsPeriodogram {
  period: Float64Array;
  /** The objective (log likelihood gain, or depth SNR). */
  power: Float64Array;
  depth: Float64Array;
  depthErr: Float64Array;
  duration: Float64Array;
  /** Mid-transit time of the best box, in the light curve's time scale. */
  transitTime: Float64Array;
  depthSnr: Float64Array;
  logLikelihood: Float64Array;
  objective: 'likelihood' | 'snr';
}

/** The inputs of the kernel, prepared once per light curve. */
export interface BlsInput {
  t: Float64Array;
  wy: Float64Array;
  w: Float64Array;
  sumWy: number;
  sumW: number;
  tRef: number;
}

/**
 * Prepares a light curve for the kernel: times relative to the first, y minus its median,
 * weights 1/σ² (1 without errors). Points with a non-finite value or error are left out.
 */
export function prepareBls(
  time: Float64Array,
  flux: Float64Array,
  fluxErr?: Float64Array,
  share = false,
): BlsInput {
  check(time.length === flux.length, 'flux', 'must have one value per time');
  check(!fluxErr || fluxErr.length === time.length, 'fluxErr', 'must have one value per time');
  let n = 0;
  let tRef = Infinity;
  for (let i = 0; i < time.length; i++) {
    const e = fluxErr ? fluxErr[i] : 1;
    if (Number.isFinite(time[i]) && Number.isFinite(flux[i]) && Number.isFinite(e) && e > 0) {
      n++;
      if (time[i] < tRef) tRef = time[i];
    }
  }
  check(n >= 10, 'flux', 'needs at least 10 finite points');
  const alloc = (size: number) =>
    share
      ? new Float64Array(new SharedArrayBuffer(size * 8))
      : new Float64Array(new ArrayBuffer(size * 8));
  const t = alloc(n);
  const wy = alloc(n);
  const w = alloc(n);
  const y0 = median(flux);
  let sumWy = 0;
  let sumW = 0;
  for (let i = 0, j = 0; i < time.length; i++) {
    const e = fluxErr ? fluxErr[i] : 1;
    if (!(Number.isFinite(time[i]) && Number.isFinite(flux[i]) && Number.isFinite(e) && e > 0)) {
      continue;
    }
    const wi = 1 / (e * e);
    t[j] = time[i] - tRef;
    w[j] = wi;
    wy[j] = wi * (flux[i] - y0);
    sumW += wi;
    sumWy += wy[j];
    j++;
  }
  return { t, wy, w, sumWy, sumW, tRef };
}

/** Checks BLS options and returns the bin width and durations as typed arrays. */
export function blsSetup(options: BlsOptions): { binDuration: number; durations: Float64Array } {
  const durations = Float64Array.from(options.durations);
  const oversample = options.oversample ?? 10;
  check(options.periods.length > 0, 'periods', 'needs at least one trial period');
  check(durations.length > 0, 'durations', 'needs at least one duration');
  check(Number.isInteger(oversample) && oversample >= 1, 'oversample', 'must be an integer ≥ 1');
  let minPeriod = Infinity;
  for (const p of options.periods) {
    check(Number.isFinite(p) && p > 0, 'periods', 'must be positive numbers of days');
    if (p < minPeriod) minPeriod = p;
  }
  let minDuration = Infinity;
  let maxDuration = 0;
  for (const d of durations) {
    check(Number.isFinite(d) && d > 0, 'durations', 'must be positive numbers of days');
    minDuration = Math.min(minDuration, d);
    maxDuration = Math.max(maxDuration, d);
  }
  check(
    maxDuration < minPeriod,
    'durations',
    'the longest must be shorter than the shortest period',
  );
  return { binDuration: minDuration / oversample, durations };
}

/** An empty periodogram for `periods`, ready for the kernel's output to be unpacked into. */
export function unpackPeriodogram(
  periods: Float64Array,
  raw: Float64Array,
  tRef: number,
  objective: 'likelihood' | 'snr',
): BlsPeriodogram {
  const n = periods.length;
  const field = (offset: number, add = 0) => {
    const out = new Float64Array(n);
    for (let p = 0; p < n; p++) out[p] = raw[p * BLS_STRIDE + offset] + add;
    return out;
  };
  return {
    period: periods,
    power: field(BLS_FIELDS.power),
    depth: field(BLS_FIELDS.depth),
    depthErr: field(BLS_FIELDS.depthErr),
    duration: field(BLS_FIELDS.duration),
    transitTime: field(BLS_FIELDS.transitTime, tRef),
    depthSnr: field(BLS_FIELDS.depthSnr),
    logLikelihood: field(BLS_FIELDS.logLikelihood),
    objective,
  };
}

/** The box-least-squares periodogram of a light curve on the calling thread. */
export function blsPeriodogram(
  lc: { time: Float64Array; flux: Float64Array; fluxErr?: Float64Array },
  options: BlsOptions,
): BlsPeriodogram {
  const input = prepareBls(lc.time, lc.flux, lc.fluxErr);
  return blsPeriodogramPrepared(input, options);
}

/** As `blsPeriodogram`, on a light curve already prepared by `prepareBls`. */
export function blsPeriodogramPrepared(input: BlsInput, options: BlsOptions): BlsPeriodogram {
  const { binDuration, durations } = blsSetup(options);
  const objective = options.objective ?? 'likelihood';
  const raw = new Float64Array(options.periods.length * BLS_STRIDE);
  blsKernel(
    input.t,
    input.wy,
    input.w,
    input.sumWy,
    input.sumW,
    options.periods,
    0,
    options.periods.length,
    durations,
    binDuration,
    objective === 'snr',
    raw,
  );
  return unpackPeriodogram(options.periods, raw, input.tRef, objective);
}

export interface PeriodGridOptions {
  /** Time span of the data in days. */
  baseline: number;
  /** Shortest transit duration searched, days (sets the frequency step). */
  minDuration: number;
  /** Default: twice `maxDuration`, else 0.5 d. */
  minPeriod?: number;
  /** Default: baseline / (minTransits − 1). */
  maxPeriod?: number;
  maxDuration?: number;
  /** Transits a period must show at least (default 3) when `maxPeriod` is not given. */
  minTransits?: number;
  /** Multiplies the frequency step (default 1; smaller is finer). */
  frequencyFactor?: number;
  /** Instead of the step: exactly this many periods, uniform in frequency. */
  count?: number;
}

/**
 * The usual BLS period grid, uniform in frequency with step
 * `frequencyFactor·minDuration/baseline²` (astropy's autoperiod heuristic), ascending in period.
 */
export function periodGrid(options: PeriodGridOptions): Float64Array {
  const { baseline, minDuration } = options;
  check(baseline > 0, 'baseline', 'must be positive');
  check(minDuration > 0, 'minDuration', 'must be positive');
  const minTransits = options.minTransits ?? 3;
  const minPeriod = options.minPeriod ?? (options.maxDuration ? 2 * options.maxDuration : 0.5);
  const maxPeriod = options.maxPeriod ?? baseline / Math.max(1, minTransits - 1);
  check(maxPeriod > minPeriod, 'maxPeriod', 'must be greater than the minimum period');
  const fMin = 1 / maxPeriod;
  const fMax = 1 / minPeriod;
  let count: number;
  let df: number;
  if (options.count !== undefined) {
    check(Number.isInteger(options.count) && options.count >= 2, 'count', 'must be an integer ≥ 2');
    count = options.count;
    df = (fMax - fMin) / (count - 1);
  } else {
    df = (options.frequencyFactor ?? 1) * (minDuration / (baseline * baseline));
    count = 1 + Math.round((fMax - fMin) / df);
  }
  const periods = new Float64Array(count);
  for (let i = 0; i < count; i++) periods[i] = 1 / (fMax - df * i);
  return periods;
}

/** Index of the highest power (the first one on ties). */
export function argMax(values: Float64Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

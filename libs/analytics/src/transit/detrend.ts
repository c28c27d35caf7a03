// Detrending of light curves: a running median over a time window (robust to transits shorter
// than a third of the window) divides the flux, and upward outliers (flares, cosmic rays) are
// clipped.
import { check } from '../common/errors';
import { robustSigma } from '../common/stats';

export interface DetrendOptions {
  /** Width of the running-median window in days (default 0.75: 18 h, > 4× a long transit). */
  windowDays?: number;
  /** Points more than this many robust σ above the trend are dropped (default 5; 0: none). */
  clipSigma?: number;
}

/** A detrended light curve: relative flux around 1 (flux / trend), on the kept points. */
export interface DetrendedLightCurve {
  time: Float64Array;
  /** flux / trend: 1 out of transit, 1 − depth in transit. */
  flux: Float64Array;
  /** fluxErr / trend. */
  fluxErr: Float64Array;
  /** The running median at each kept point, in the input's flux unit. */
  trend: Float64Array;
  /** Robust σ of the relative flux (MAD × 1.4826). */
  sigma: number;
  clipped: number;
}

/**
 * Running median of `values` over a centred time window: for each point, the median of the
 * values whose time lies within ±window/2. `time` must be ascending. O(n·w) with a sorted
 * window kept by binary search, so gaps in the data are handled exactly.
 */
export function runningMedian(
  time: Float64Array,
  values: Float64Array,
  windowDays: number,
): Float64Array {
  check(windowDays > 0, 'windowDays', 'must be a positive number of days');
  const n = time.length;
  const out = new Float64Array(n);
  const sorted = new Float64Array(n);
  let size = 0;
  let lo = 0; // first index in the window
  let hi = 0; // one past the last index in the window
  const half = windowDays / 2;
  for (let i = 0; i < n; i++) {
    const t = time[i];
    while (hi < n && time[hi] <= t + half) {
      const v = values[hi++];
      const at = lowerBound(sorted, size, v);
      sorted.copyWithin(at + 1, at, size);
      sorted[at] = v;
      size++;
    }
    while (time[lo] < t - half) {
      const v = values[lo++];
      const at = lowerBound(sorted, size, v);
      sorted.copyWithin(at, at + 1, size);
      size--;
    }
    out[i] = size & 1 ? sorted[size >> 1] : 0.5 * (sorted[(size >> 1) - 1] + sorted[size >> 1]);
  }
  return out;
}

function lowerBound(sorted: Float64Array, size: number, v: number): number {
  let a = 0;
  let b = size;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m] < v) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Divides a light curve by its running median and drops upward outliers. Time must be
 * ascending and flux finite (as `readLightCurve` returns them).
 */
export function detrend(
  lc: { time: Float64Array; flux: Float64Array; fluxErr?: Float64Array },
  options: DetrendOptions = {},
): DetrendedLightCurve {
  const windowDays = options.windowDays ?? 0.75;
  const clipSigma = options.clipSigma ?? 5;
  check(lc.time.length === lc.flux.length, 'flux', 'must have one value per time');
  check(lc.time.length >= 10, 'time', 'a light curve needs at least 10 points');
  const trend = runningMedian(lc.time, lc.flux, windowDays);
  const n = lc.time.length;
  const rel = new Float64Array(n);
  for (let i = 0; i < n; i++) rel[i] = lc.flux[i] / trend[i];
  const sigma = robustSigma(rel);
  const limit = clipSigma > 0 ? 1 + clipSigma * sigma : Infinity;
  let kept = 0;
  for (let i = 0; i < n; i++) if (rel[i] <= limit && Number.isFinite(rel[i])) kept++;
  const out: DetrendedLightCurve = {
    time: new Float64Array(kept),
    flux: new Float64Array(kept),
    fluxErr: new Float64Array(kept),
    trend: new Float64Array(kept),
    sigma,
    clipped: n - kept,
  };
  for (let i = 0, j = 0; i < n; i++) {
    if (!(rel[i] <= limit && Number.isFinite(rel[i]))) continue;
    out.time[j] = lc.time[i];
    out.flux[j] = rel[i];
    out.fluxErr[j] = lc.fluxErr ? lc.fluxErr[i] / trend[i] : sigma;
    out.trend[j] = trend[i];
    j++;
  }
  return out;
}

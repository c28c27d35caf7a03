// Folding a light curve on a period and thinning a periodogram, for charts.
import { check } from '../common/errors';

/** A light curve folded on a period: points sorted by their time from mid-transit. */
export interface FoldedLightCurve {
  /** Days from the nearest mid-transit, in [−period/2, period/2). */
  phaseDays: Float64Array;
  flux: Float64Array;
}

/** Folds a light curve on `period` around the mid-transit time `epoch` (same time scale). */
export function foldLightCurve(
  lc: { time: Float64Array; flux: Float64Array },
  period: number,
  epoch: number,
): FoldedLightCurve {
  check(period > 0, 'period', 'must be positive');
  const n = lc.time.length;
  const phase = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = (lc.time[i] - epoch) / period + 0.5;
    phase[i] = (x - Math.floor(x) - 0.5) * period;
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => phase[a] - phase[b]);
  const out = { phaseDays: new Float64Array(n), flux: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    out.phaseDays[i] = phase[order[i]];
    out.flux[i] = lc.flux[order[i]];
  }
  return out;
}

/** A folded curve in bins, as plain arrays ready for a chart (JSON-serializable). */
export interface BinnedFold {
  /** Bin centres in hours from mid-transit. */
  phaseHours: number[];
  flux: number[];
  count: number[];
}

/**
 * Bins a folded light curve into `bins` equal bins over ±`windowDays`/2 around the transit
 * (default the whole period); empty bins are left out.
 */
export function binFold(folded: FoldedLightCurve, bins: number, windowDays?: number): BinnedFold {
  check(Number.isInteger(bins) && bins >= 1, 'bins', 'must be an integer ≥ 1');
  const n = folded.phaseDays.length;
  const span = windowDays ?? (n ? 2 * Math.max(-folded.phaseDays[0], folded.phaseDays[n - 1]) : 1);
  const sum = new Float64Array(bins);
  const count = new Uint32Array(bins);
  const lo = -span / 2;
  for (let i = 0; i < n; i++) {
    const b = Math.floor(((folded.phaseDays[i] - lo) / span) * bins);
    if (b < 0 || b >= bins) continue;
    sum[b] += folded.flux[i];
    count[b]++;
  }
  const out: BinnedFold = { phaseHours: [], flux: [], count: [] };
  for (let b = 0; b < bins; b++) {
    if (!count[b]) continue;
    out.phaseHours.push((lo + ((b + 0.5) * span) / bins) * 24);
    out.flux.push(sum[b] / count[b]);
    out.count.push(count[b]);
  }
  return out;
}

/** A periodogram thinned for a chart: plain arrays. */
export interface PeriodogramChart {
  period: number[];
  power: number[];
}

/**
 * Thins a periodogram to at most `maxPoints` points: the grid is cut into equal runs of trial
 * periods and each run keeps its highest point, so no peak is lost.
 */
export function downsamplePeriodogram(
  pg: { period: Float64Array; power: Float64Array },
  maxPoints: number,
): PeriodogramChart {
  check(Number.isInteger(maxPoints) && maxPoints >= 1, 'maxPoints', 'must be an integer ≥ 1');
  const n = pg.period.length;
  const out: PeriodogramChart = { period: [], power: [] };
  const runs = Math.min(n, maxPoints);
  for (let r = 0; r < runs; r++) {
    const from = Math.floor((r * n) / runs);
    const to = Math.floor(((r + 1) * n) / runs);
    let best = from;
    for (let i = from + 1; i < to; i++) if (pg.power[i] > pg.power[best]) best = i;
    out.period.push(pg.period[best]);
    out.power.push(pg.power[best]);
  }
  return out;
}

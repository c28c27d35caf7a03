// A turbine's power curve learned from its own SCADA, in the manner of IEC 61400-12-1: wind
// speed bins of 0.5 m/s, the mean power of each bin over normal operation only.
import { check } from '../common/errors';
import { median, round } from '../common/stats';
import type { TurbineScada } from './scada';

/** One wind-speed bin of the curve. */
export interface PowerCurveBin {
  /** Bin centre and edges, m/s. */
  speed: number;
  from: number;
  to: number;
  /** Mean power of the normal-operation rows in the bin, kW, and their count. */
  power: number;
  rows: number;
}

/** A learned power curve: bins and the figures read from it. */
export interface PowerCurve {
  bins: PowerCurveBin[];
  /** Highest bin mean, kW. */
  ratedPower: number;
  /** Lowest wind speed whose bin gives at least 1 % of rated power, m/s. */
  cutInSpeed: number;
  /** Lowest wind speed whose bin gives at least 99 % of rated power, m/s. */
  ratedSpeed: number;
  /** Rows used after the filters. */
  rowsUsed: number;
}

export interface PowerCurveOptions {
  /** Bin width, m/s (default 0.5, as IEC 61400-12-1). */
  binWidth?: number;
  /** Bins with fewer normal rows are left out (default 10). */
  minRows?: number;
  /** Rows further than this many robust σ from their bin's median are not normal (default 2.5). */
  outlierSigma?: number;
}

/**
 * Learns the power curve from normal operation: rows without power while the wind blows
 * (downtime), rows of a flat plateau below the bin's median (curtailment) and robust outliers
 * of each bin are left out; each remaining bin's mean is the curve.
 */
export function learnPowerCurve(scada: TurbineScada, options: PowerCurveOptions = {}): PowerCurve {
  const width = options.binWidth ?? 0.5;
  const minRows = options.minRows ?? 10;
  const k = options.outlierSigma ?? 2.5;
  check(width > 0, 'binWidth', 'must be positive');
  const n = scada.power.length;
  const binOf = (v: number) => Math.floor(v / width);
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const v = scada.windSpeed[i];
    const p = scada.power[i];
    if (!Number.isFinite(v) || !Number.isFinite(p) || v < 0) continue;
    const list = groups.get(binOf(v)) ?? [];
    list.push(i);
    groups.set(binOf(v), list);
  }
  // A rough rated power from the bin medians, to scale the downtime and plateau filters.
  let roughRated = 0;
  for (const rows of groups.values()) {
    if (rows.length >= minRows)
      roughRated = Math.max(roughRated, median(rows.map((i) => scada.power[i])));
  }
  check(roughRated > 0, 'power', 'no wind-speed bin has positive power');
  const flat = flatRows(scada.power, 0.005 * roughRated);

  const bins: PowerCurveBin[] = [];
  let rowsUsed = 0;
  for (const [bin, rows] of [...groups.entries()].sort(([a], [b]) => a - b)) {
    const med = median(rows.map((i) => scada.power[i]));
    const candidates = rows.filter((i) => {
      const p = scada.power[i];
      const stopped = p <= 0.01 * roughRated && med > 0.05 * roughRated;
      const plateau = flat[i] === 1 && p < med - 0.02 * roughRated;
      return !stopped && !plateau;
    });
    if (candidates.length < minRows) continue;
    const values = candidates.map((i) => scada.power[i]);
    const m = median(values);
    const spread = 1.4826 * median(values.map((p) => Math.abs(p - m)));
    const kept = spread > 0 ? values.filter((p) => Math.abs(p - m) <= k * spread) : values;
    if (kept.length < minRows) continue;
    bins.push({
      speed: round((bin + 0.5) * width, 3),
      from: round(bin * width, 3),
      to: round((bin + 1) * width, 3),
      power: round(kept.reduce((s, p) => s + p, 0) / kept.length, 2),
      rows: kept.length,
    });
    rowsUsed += kept.length;
  }
  check(bins.length >= 2, 'windSpeed', 'too few wind-speed bins with normal operation');
  const ratedPower = Math.max(...bins.map((b) => b.power));
  const cutIn = bins.find((b) => b.power >= 0.01 * ratedPower);
  const rated = bins.find((b) => b.power >= 0.99 * ratedPower);
  return {
    bins,
    ratedPower,
    cutInSpeed: cutIn ? cutIn.from : NaN,
    ratedSpeed: rated ? rated.from : NaN,
    rowsUsed,
  };
}

/**
 * Rows that belong to a plateau: at least 3 consecutive rows whose power changes by at most
 * `tolerance` from one row to the next (1 for those rows).
 */
export function flatRows(power: Float64Array, tolerance: number, minRun = 3): Uint8Array {
  const n = power.length;
  const out = new Uint8Array(n);
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && Math.abs(power[i] - power[i - 1]) <= tolerance) continue;
    if (i - start >= minRun) out.fill(1, start, i);
    start = i;
  }
  return out;
}

/**
 * Expected power at a wind speed from the curve: linear between bin centres, 0 below the
 * first bin, the last bin's power above the last (the turbine's cut-out is not modelled).
 */
export function expectedPower(curve: PowerCurve, windSpeed: number): number {
  const bins = curve.bins;
  if (!Number.isFinite(windSpeed) || windSpeed < bins[0].from) return 0;
  if (windSpeed <= bins[0].speed) return bins[0].power;
  for (let b = 1; b < bins.length; b++) {
    if (windSpeed <= bins[b].speed) {
      const a = bins[b - 1];
      const c = bins[b];
      return a.power + ((c.power - a.power) * (windSpeed - a.speed)) / (c.speed - a.speed);
    }
  }
  return bins[bins.length - 1].power;
}

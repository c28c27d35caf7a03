// Health and remaining life of a machine from a daily performance figure (a turbine's output
// against its power curve, an inverter's against its peers): health is the recent median, the
// trend a robust slope, and the remaining life the days until the trend brings health down to a
// threshold, capped. Pure, unit tested in health-trend.spec.ts.

export interface HealthTrendOptions {
  /** Health is the median of the daily values over this many last days. */
  healthDays: number;
  /** The trend is fitted over this many last days. */
  trendDays: number;
  /** Fewer days than this in the trend window give no trend. */
  minTrendDays: number;
  /** The health at which maintenance is due: the remaining life ends there. */
  threshold: number;
  /** The remaining life when health does not fall, or falls too slowly to reach the threshold sooner. */
  capDays: number;
}

export interface HealthTrend {
  /** The last day with a value, YYYY-MM-DD. */
  lastDate: string;
  /** Median of the last `healthDays` days, clamped to 0-1 (1 = as its reference). */
  health: number;
  /** Theil–Sen slope over the last `trendDays` days, per day (null with too few days). */
  slopePerDay: number | null;
  trendDays: number;
  /** Days until the trend reaches the threshold: 0 when already there, `capDays` at most. */
  remainingDays: number;
  /** Whether `remainingDays` is the cap rather than a crossing of the trend. */
  capped: boolean;
}

const day = 86_400_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Health, trend and remaining life from daily values (null when there is no day). */
export function healthTrend(
  daily: readonly { date: string; value: number }[],
  options: HealthTrendOptions,
): HealthTrend | null {
  const days = daily
    .filter((d) => Number.isFinite(d.value))
    .map((d) => ({ t: Date.parse(`${d.date}T00:00:00Z`) / day, value: d.value, date: d.date }))
    .sort((a, b) => a.t - b.t);
  if (days.length === 0) return null;
  const last = days[days.length - 1];
  const recent = days.filter((d) => d.t > last.t - options.healthDays);
  const health = Math.min(1, Math.max(0, median(recent.map((d) => d.value))));
  const window = days.filter((d) => d.t > last.t - options.trendDays);
  let slope: number | null = null;
  if (window.length >= options.minTrendDays) {
    const slopes: number[] = [];
    for (let i = 0; i < window.length; i++) {
      for (let j = i + 1; j < window.length; j++) {
        slopes.push((window[j].value - window[i].value) / (window[j].t - window[i].t));
      }
    }
    slope = median(slopes);
  }
  let remaining = options.capDays;
  if (health <= options.threshold) remaining = 0;
  else if (slope !== null && slope < 0) {
    remaining = Math.min(options.capDays, (health - options.threshold) / -slope);
  }
  return {
    lastDate: last.date,
    health: round(health, 4),
    slopePerDay: slope === null ? null : round(slope, 6),
    trendDays: window.length,
    remainingDays: round(remaining, 1),
    capped: remaining === options.capDays,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

// The arithmetic of the series-health job: gaps, staleness and coverage of one series' point
// times over a window. Pure, unit tested in series-health-stats.spec.ts.

export interface SeriesHealthOptions {
  /**
   * Whether points come at a steady interval (measurements). Event series (state changes,
   * string values) come when something happens: their gaps and age mean nothing.
   */
  regular: boolean;
  /** An interval longer than this many times the series' usual interval is a gap. */
  gapFactor: number;
  /** Stale when the last point is older than this at the end of the window. */
  staleAfterSeconds: number;
}

export interface SeriesHealth {
  points: number;
  /** Median interval between points, in seconds (null under 2 points). */
  intervalSeconds: number | null;
  gaps: number;
  /** Total time in gaps, beyond the usual interval, in seconds. */
  gapSeconds: number;
  longestGapSeconds: number;
  firstPoint: string | null;
  lastPoint: string | null;
  /** Seconds from the last point to the end of the window (the whole window with no point). */
  ageSeconds: number;
  stale: boolean;
  /** Points present over points expected at the usual interval, 0-1 (null if unknown). */
  coverage: number | null;
}

const nsPerSecond = 1_000_000_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Health of one series from its point times (ns, ascending) in the window [from, to). */
export function seriesHealth(
  times: readonly bigint[],
  from: Date,
  to: Date,
  options: SeriesHealthOptions,
): SeriesHealth {
  const windowSeconds = (to.getTime() - from.getTime()) / 1000;
  const seconds = (t: bigint) => Number(t) / nsPerSecond;
  if (times.length === 0) {
    return {
      points: 0,
      intervalSeconds: null,
      gaps: 0,
      gapSeconds: 0,
      longestGapSeconds: 0,
      firstPoint: null,
      lastPoint: null,
      ageSeconds: windowSeconds,
      stale: options.regular && windowSeconds > options.staleAfterSeconds,
      coverage: null,
    };
  }
  const intervals: number[] = [];
  for (let i = 1; i < times.length; i++) intervals.push(seconds(times[i] - times[i - 1]));
  const interval = intervals.length && options.regular ? median(intervals) : null;
  let gaps = 0;
  let gapSeconds = 0;
  let longest = 0;
  if (interval !== null && interval > 0) {
    for (const gap of intervals) {
      if (gap > options.gapFactor * interval) {
        gaps++;
        gapSeconds += gap - interval;
        longest = Math.max(longest, gap);
      }
    }
  }
  const last = times[times.length - 1];
  const ageSeconds = Math.max(0, to.getTime() / 1000 - seconds(last));
  const spanSeconds = seconds(last - times[0]);
  const expected = interval && interval > 0 ? Math.floor(spanSeconds / interval) + 1 : null;
  return {
    points: times.length,
    intervalSeconds: interval,
    gaps,
    gapSeconds: Math.round(gapSeconds),
    longestGapSeconds: Math.round(longest),
    firstPoint: new Date(Math.floor(seconds(times[0]) * 1000)).toISOString(),
    lastPoint: new Date(Math.floor(seconds(last) * 1000)).toISOString(),
    ageSeconds: Math.round(ageSeconds),
    stale: options.regular && ageSeconds > options.staleAfterSeconds,
    coverage: expected ? Math.min(1, Math.round((times.length / expected) * 1000) / 1000) : null,
  };
}

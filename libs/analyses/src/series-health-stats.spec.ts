import { describe, expect, it } from '@jest/globals';
import { seriesHealth } from './series-health-stats';

const from = new Date('2026-11-01T00:00:00Z');
const to = new Date('2026-11-01T02:00:00Z');
const minute = 60_000_000_000n;
const at = (minutes: number) => BigInt(from.getTime()) * 1_000_000n + BigInt(minutes) * minute;
const options = { regular: true, gapFactor: 3, staleAfterSeconds: 600 };

describe(seriesHealth.name, () => {
  it('counts the gaps longer than gapFactor times the usual interval', () => {
    // Every minute from 0 to 119, without 30-39 (one 11-minute gap) and 60-64 (a 6-minute gap).
    const times = Array.from({ length: 120 }, (_, i) => i)
      .filter((i) => !(i >= 30 && i < 40) && !(i >= 60 && i < 65))
      .map(at);
    expect(seriesHealth(times, from, to, options)).toEqual({
      points: 105,
      intervalSeconds: 60,
      gaps: 2,
      // (11 - 1) + (6 - 1) minutes beyond the usual interval.
      gapSeconds: 900,
      longestGapSeconds: 660,
      firstPoint: '2026-11-01T00:00:00.000Z',
      lastPoint: '2026-11-01T01:59:00.000Z',
      ageSeconds: 60,
      stale: false,
      // 105 of the 120 minutes between the first and the last point.
      coverage: 0.875,
    });
  });

  it('calls a series stale when its last point is older than the limit', () => {
    const times = Array.from({ length: 60 }, (_, i) => at(i));
    // The last point at 00:59, the window ends at 02:00: 61 minutes.
    expect(seriesHealth(times, from, to, options)).toMatchObject({
      ageSeconds: 3660,
      stale: true,
      gaps: 0,
    });
  });

  it('judges neither gaps nor age of an event series', () => {
    const times = [at(1), at(2), at(50)];
    expect(seriesHealth(times, from, to, { ...options, regular: false })).toMatchObject({
      points: 3,
      intervalSeconds: null,
      gaps: 0,
      stale: false,
      coverage: null,
    });
  });

  it('handles a series without points, and with one', () => {
    expect(seriesHealth([], from, to, options)).toMatchObject({
      points: 0,
      intervalSeconds: null,
      ageSeconds: 7200,
      stale: true,
      coverage: null,
    });
    expect(seriesHealth([at(115)], from, to, options)).toMatchObject({
      points: 1,
      intervalSeconds: null,
      gaps: 0,
      stale: false,
      coverage: null,
    });
  });
});

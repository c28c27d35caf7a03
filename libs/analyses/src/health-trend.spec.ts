import { describe, expect, it } from '@jest/globals';
import { healthTrend } from './health-trend';

const options = { healthDays: 7, trendDays: 30, minTrendDays: 10, threshold: 0.8, capDays: 365 };
/** `n` days from 1 June 2026, the value of day i given by `value`. */
const days = (n: number, value: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => ({
    date: new Date(Date.UTC(2026, 5, 1 + i)).toISOString().slice(0, 10),
    value: value(i),
  }));

describe(healthTrend.name, () => {
  it('projects a falling health to the threshold', () => {
    // 0.99 falling 0.002 a day: the last 7 days' median is day 26's 0.938; 0.138 / 0.002 = 69.
    expect(
      healthTrend(
        days(30, (i) => 0.99 - 0.002 * i),
        options,
      ),
    ).toEqual({
      lastDate: '2026-06-30',
      health: 0.938,
      slopePerDay: -0.002,
      trendDays: 30,
      remainingDays: 69,
      capped: false,
    });
  });

  it('is not thrown off by a few days of outage', () => {
    const trend = healthTrend(
      days(30, (i) => ([5, 17, 18].includes(i) ? 0.1 : 0.99 - 0.002 * i)),
      options,
    )!;
    expect(trend.slopePerDay).toBeCloseTo(-0.002, 4);
    expect(trend.remainingDays).toBeGreaterThan(60);
    expect(trend.remainingDays).toBeLessThan(75);
  });

  it.each([
    // Health is the median of days 23-29; a slope of -0.0001 needs 1,874 days to fall 0.1874.
    ['a steady health', (i: number) => 0.97 + (i % 2) * 0.01, 0.98, 365, true],
    ['a health over 1 (better than the reference)', () => 1.04, 1, 365, true],
    ['a health already under the threshold', () => 0.7, 0.7, 0, false],
    [
      'a health falling too slowly to cross within the cap',
      (i: number) => 0.99 - 0.0001 * i,
      0.9874,
      365,
      true,
    ],
  ])('gives %s', (_, value, health, remaining, capped) => {
    expect(healthTrend(days(30, value), options)).toMatchObject({
      health,
      remainingDays: remaining,
      capped,
    });
  });

  it('gives the cap without a trend when there are too few days, and nothing without days', () => {
    expect(
      healthTrend(
        days(5, (i) => 0.99 - 0.05 * i),
        options,
      ),
    ).toMatchObject({
      slopePerDay: null,
      remainingDays: 365,
      capped: true,
    });
    expect(healthTrend([], options)).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { pointsPerSecond } from './ingest-rate';

describe(pointsPerSecond.name, () => {
  it.each([
    // previous minute, current minute, seconds into the current minute, expected points/s
    [0, 0, 30, 0],
    [600, 0, 0, 10], // the whole previous minute is the window: 600 / 60
    [600, 300, 30, 10], // half of the previous minute (300) + 300 now, over 60 s
    [600, 0, 30, 5], // the source stopped at the minute's turn
    [0, 120, 59.5, 2], // almost all of the window is the current minute
    [600, 600, 75, 10], // a clock beyond the minute counts as its end
    [1, 0, 0, 0.02], // rounded to hundredths: 1 / 60
  ])('previous %d, current %d, %d s in: %d points/s', (previous, current, seconds, expected) => {
    expect(pointsPerSecond(previous, current, seconds)).toBe(expected);
  });
});

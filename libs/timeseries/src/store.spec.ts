import { describe, expect, it } from 'vitest';
import { sortAndDedupe } from './store';

describe(sortAndDedupe.name, () => {
  it.each([
    ['sorted input, returned as is', [1n, 2n, 3n], [1, 2, 3], [1n, 2n, 3n], [1, 2, 3]],
    ['reversed', [3n, 2n, 1n], [3, 2, 1], [1n, 2n, 3n], [1, 2, 3]],
    // The later of equal timestamps wins, wherever it stands.
    ['ties: the last arrival wins', [5n, 1n, 5n, 5n], [1, 2, 3, 4], [1n, 5n], [2, 4]],
    // Differ only in the low 32 bits, and across the sign and the 2^32 boundary.
    [
      'negative, large and close timestamps',
      [2n ** 62n + 1n, -(2n ** 62n), 2n ** 32n, 2n ** 32n - 1n, 2n ** 62n, -1n],
      [1, 2, 3, 4, 5, 6],
      [-(2n ** 62n), -1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 62n, 2n ** 62n + 1n],
      [2, 6, 4, 3, 5, 1],
    ],
  ])('%s', (_, times, values, expectedTimes, expectedValues) => {
    const out = sortAndDedupe(BigInt64Array.from(times), Float64Array.from(values));
    expect([...out.times]).toEqual(expectedTimes);
    expect([...(out.values as Float64Array)]).toEqual(expectedValues);
  });
});

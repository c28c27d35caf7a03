import { describe, expect, it } from '@jest/globals';
import { sortAndDedupe, timeOrder } from './store';

describe(sortAndDedupe.name, () => {
  it.each([
    ['sorted input, returned as is', [1n, 2n, 3n], [1, 2, 3], [1n, 2n, 3n], [1, 2, 3]],
    ['reversed', [3n, 2n, 1n], [3, 2, 1], [1n, 2n, 3n], [1, 2, 3]],
    // Two writers' batches arriving out of order, one repeating a time of the other.
    [
      'interleaved runs',
      [4n, 5n, 6n, 1n, 2n, 4n],
      [1, 2, 3, 4, 5, 6],
      [1n, 2n, 4n, 5n, 6n],
      [4, 5, 6, 2, 3],
    ],
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

describe(timeOrder.name, () => {
  it('orders like a stable sort, for runs, ties and random keys', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let round = 0; round < 500; round++) {
      const n = Math.floor(random() * 300);
      const keys = new Float64Array(n);
      // Sorted runs of 1-20 keys from a small range (ties) shuffled as writers would send them.
      for (let i = 0; i < n;) {
        const run = 1 + Math.floor(random() * 20);
        const start = Math.floor(random() * 50);
        for (let k = 0; k < run && i < n; k++, i++) keys[i] = start + k;
      }
      const expected = Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => keys[a] - keys[b] || a - b,
      );
      expect([...timeOrder(keys)]).toEqual(expected);
    }
  });
});

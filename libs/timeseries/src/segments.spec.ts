import { describe, expect, it } from '@jest/globals';
import { decodeSegments, encodeSegments } from './segments';
import { summarise } from './summary';

const s = 1_000_000_000n;
const t0 = 1_795_219_200n * s + 37n * s; // not on a grain edge

function bruteForce(times: BigInt64Array, values: Float64Array, grain: bigint) {
  const groups = new Map<bigint, number[]>();
  times.forEach((t, i) => {
    const key = t / grain;
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  return [...groups.values()].map((indexes) => {
    const v = indexes.map((i) => values[i]);
    return {
      count: v.length,
      first: v[0],
      last: v[v.length - 1],
      min: Math.min(...v),
      max: Math.max(...v),
      sum: v.reduce((a, b) => a + b, 0),
      sumSq: v.reduce((a, b) => a + b * b, 0),
      startTime: times[indexes[0]],
      endTime: times[indexes[indexes.length - 1]],
    };
  });
}

describe('segment summaries', () => {
  const cases: [string, BigInt64Array, Float64Array, bigint][] = [
    [
      '4096 points at 10 s, 1 decimal: hourly segments',
      BigInt64Array.from({ length: 4096 }, (_, i) => t0 + BigInt(i) * 10n * s),
      Float64Array.from({ length: 4096 }, (_, i) => Math.round(Math.sin(i / 50) * 5000) / 10),
      3600n * s,
    ],
    [
      'a gap of several grains, doubles',
      // 32 points a second apart, then 32 more three hours later: a 15-minute grain.
      BigInt64Array.from({ length: 64 }, (_, i) =>
        i < 32 ? t0 + BigInt(i) * s : t0 + 3n * 3600n * s + BigInt(i) * s,
      ),
      Float64Array.from({ length: 64 }, (_, i) => [Math.PI, -Math.E, 1e-9, 2 ** 70][i % 4] * i),
      900n * s,
    ],
  ];

  it.each(cases)('%s', (_, times, values, grain) => {
    const data = encodeSegments(times, values)!;
    const segments = decodeSegments(data, summarise('float', times, values));
    const expected = bruteForce(times, values, grain);
    expect(segments).toHaveLength(expected.length);
    segments.forEach((segment, k) => {
      const e = expected[k];
      expect(segment.count).toBe(e.count);
      expect(segment.first).toBe(e.first);
      expect(segment.last).toBe(e.last);
      expect(segment.min).toBe(e.min);
      expect(segment.max).toBe(e.max);
      expect(segment.sum).toBeCloseTo(e.sum, 6);
      expect(segment.sumSq! / e.sumSq).toBeCloseTo(1, 9);
      // The bounds hold the segment's points and stay inside its grain.
      expect(segment.startTime <= e.startTime && segment.endTime >= e.endTime).toBe(true);
      expect(segment.startTime / grain).toBe(segment.endTime / grain);
    });
  });

  it('costs well under 0.1 byte per point on 10-second data', () => {
    const [, times, values] = cases[0];
    expect(encodeSegments(times, values)!.length / times.length).toBeLessThan(0.1);
  });

  it('has nothing to add for a chunk inside one grain, or a small chunk', () => {
    const ms = 1_000_000n;
    const withinASecond = BigInt64Array.from({ length: 100 }, (_, i) => t0 + BigInt(i) * ms);
    expect(encodeSegments(withinASecond, new Float64Array(100))).toBeNull();
    const small = BigInt64Array.from({ length: 10 }, (_, i) => t0 + BigInt(i) * 3600n * s);
    expect(encodeSegments(small, new Float64Array(10))).toBeNull();
  });
});

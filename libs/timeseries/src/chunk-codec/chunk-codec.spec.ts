import { describe, expect, it } from '@jest/globals';
import { decimalsOf, decodeChunk, encodeChunk } from './chunk-codec';

const s = 1_000_000_000n;
const t0 = 1_795_219_200n * s;

function regular(n: number, step = 10n * s): BigInt64Array {
  return BigInt64Array.from({ length: n }, (_, i) => t0 + BigInt(i) * step);
}

// Deterministic pseudo-random numbers for repeatable cases.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

describe('chunk codec', () => {
  it.each([
    [[1, 2, 3], 0],
    [[1.5, 2.25], 2],
    [[380.05, -12.3], 2],
    [[0.1 + 0.2], -1], // 0.30000000000000004 needs 17 decimals
    [[Math.PI], -1],
    [[-0], 0],
    [[123456.789012], 6],
  ])('finds the decimals of %j: %i', (values, decimals) => {
    expect(decimalsOf(Float64Array.from(values))).toBe(decimals);
  });

  const rand = random(42);
  const walk = (n: number, decimals: number, step = 20) => {
    let v = 500;
    return Float64Array.from({ length: n }, () => {
      v += (rand() - 0.5) * step;
      return Math.round(v * 10 ** decimals) / 10 ** decimals;
    });
  };

  it.each([
    ['1 point', regular(1), Float64Array.of(42.5)],
    ['4096 regular points, 1 decimal', regular(4096), walk(4096, 1)],
    ['4096 regular points, 2 decimals', regular(4096), walk(4096, 2)],
    ['arbitrary doubles', regular(100), Float64Array.from({ length: 100 }, () => Math.PI * rand())],
    ['negative values and -0', regular(3), Float64Array.of(-1.5, -0, -1e300)],
    ['-0 among decimals', regular(5), Float64Array.of(1.5, -0, 0, -2.25, -0)],
    [
      'a ramp (linear predictor)',
      regular(500),
      Float64Array.from({ length: 500 }, (_, i) => i * 1.5),
    ],
    [
      'irregular timestamps',
      BigInt64Array.from([t0, t0 + 7n, t0 + 1_000n, t0 + 10n * s, t0 + 11n * s + 3n]),
      Float64Array.of(1, 2, 3, 4, 5),
    ],
    [
      'a span beyond 2^53 ns',
      BigInt64Array.from([0n, 2n ** 60n, 2n ** 61n]),
      Float64Array.of(1, 2, 3),
    ],
    [
      'negative timestamps',
      BigInt64Array.from([-5n * s, -1n, 0n, 1n]),
      Float64Array.of(1, 2, 3, 4),
    ],
  ])('round-trips floats: %s', (_name, timestamps, values) => {
    const decoded = decodeChunk(encodeChunk({ type: 'float', timestamps, values }));
    expect(decoded.type).toBe('float');
    expect(decoded.timestamps).toEqual(timestamps);
    expect(
      Array.from(decoded.values as Float64Array).map((v) => (Object.is(v, -0) ? '-0' : v)),
    ).toEqual(Array.from(values).map((v) => (Object.is(v, -0) ? '-0' : v)));
  });

  it.each([
    ['integer', 'beyond 2^53', [1n, -5n, 2n ** 62n, -(2n ** 63n)]],
    ['integer', 'small', [10n, 11n, 12n]],
    ['unsigned', 'up to 2^64-1', [0n, 2n ** 64n - 1n]],
  ] as const)('round-trips %s values (%s)', (type, _label, values) => {
    const timestamps = regular(values.length);
    const decoded = decodeChunk(encodeChunk({ type, timestamps, values: [...values] }));
    expect(decoded.values).toEqual(values);
  });

  it('round-trips booleans and strings, including the empty string and many distinct ones', () => {
    const booleans = Array.from({ length: 77 }, (_, i) => i % 3 === 0);
    expect(
      decodeChunk(encodeChunk({ type: 'boolean', timestamps: regular(77), values: booleans }))
        .values,
    ).toEqual(booleans);
    const states = Array.from(
      { length: 500 },
      (_, i) => ['running', 'curtailed', '', 'ärger ⚡'][i % 4],
    );
    expect(
      decodeChunk(encodeChunk({ type: 'string', timestamps: regular(500), values: states })).values,
    ).toEqual(states);
    const distinct = Array.from({ length: 300 }, (_, i) => `event-${i}`);
    expect(
      decodeChunk(encodeChunk({ type: 'string', timestamps: regular(300), values: distinct }))
        .values,
    ).toEqual(distinct);
  });

  it('keeps 4096 regular 2-decimal sensor points under 1 byte each', () => {
    const values = walk(4096, 2, 1);
    const size = encodeChunk({ type: 'float', timestamps: regular(4096), values }).length;
    // a ±0.5 random walk at 2 decimals: deltas span 100 steps, log2(100) ≈ 6.6 bits each
    expect(size / 4096).toBeLessThan(1);
  });

  it('decodes a chunk left undeflated (for compaction to rewrite) exactly, a little larger', () => {
    const values = walk(1000, 2, 1);
    const input = { type: 'float' as const, timestamps: regular(1000), values };
    const raw = encodeChunk(input, { deflate: false });
    expect(decodeChunk(raw).values).toEqual(values);
    expect(raw.length).toBeGreaterThan(encodeChunk(input).length);
  });

  it('rejects an empty chunk and mismatched lengths', () => {
    expect(() =>
      encodeChunk({ type: 'float', timestamps: new BigInt64Array(0), values: new Float64Array(0) }),
    ).toThrow(/at least one point/);
    expect(() =>
      encodeChunk({ type: 'float', timestamps: regular(2), values: Float64Array.of(1) }),
    ).toThrow(/2 timestamps but 1 values/);
  });
});

// Times at the API edge: RFC 3339 with up to nanosecond digits, or integers of nanoseconds;
// durations like 10s, 15m, 1h, 1d, 500ms.

const units: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
  d: 86_400_000_000_000n,
  w: 604_800_000_000_000n,
};

/** Parses `2026-11-21T10:00:00.123456789Z` or `1795600000000000000` into nanoseconds. */
export function parseTime(text: string): bigint | null {
  if (/^-?\d{1,19}$/.test(text)) return BigInt(text);
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(
    text,
  );
  if (!match) return null;
  const ms = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(ms)) return null;
  const fraction = (match[2] ?? '').padEnd(9, '0');
  return BigInt(ms) * 1_000_000n + BigInt(fraction);
}

/** Parses `10s`, `1h30m`, `500ms` into nanoseconds. */
export function parseDuration(text: string): bigint | null {
  const parts = text.match(/(\d+)(ns|us|µs|ms|s|m|h|d|w)/g);
  if (!parts || parts.join('') !== text) return null;
  let total = 0n;
  for (const part of parts) {
    const [, amount, unit] = /(\d+)(ns|us|µs|ms|s|m|h|d|w)/.exec(part)!;
    total += BigInt(amount) * units[unit];
  }
  return total;
}

/** RFC 3339 with nanoseconds when there are any: 2026-11-21T10:00:00.000000123Z. */
export function formatTime(ns: bigint): string {
  const ms = ns / 1_000_000n - (ns < 0n && ns % 1_000_000n !== 0n ? 1n : 0n);
  const rest = ns - ms * 1_000_000n;
  const iso = new Date(Number(ms)).toISOString();
  if (rest === 0n) return iso;
  return `${iso.slice(0, -1)}${rest.toString().padStart(6, '0')}Z`;
}

const two32 = 4294967296;
const maxExact = Number.MAX_SAFE_INTEGER;

/**
 * The offsets in nanoseconds of times from `times[0]`, as exact doubles read from the times'
 * 32-bit words (reading a BigInt64Array element allocates a BigInt), or null when one is
 * 2^53 ns (104 days) or more away.
 */
export function timeOffsets(times: BigInt64Array): Float64Array | null {
  const n = times.length;
  const offsets = new Float64Array(n);
  if (n === 0) return offsets;
  const words = new Int32Array(times.buffer, times.byteOffset, n * 2);
  const high0 = words[1];
  const low0 = words[0] >>> 0;
  for (let i = 1; i < n; i++) {
    const offset = (words[2 * i + 1] - high0) * two32 + ((words[2 * i] >>> 0) - low0);
    if (offset > maxExact || offset < -maxExact) return null;
    offsets[i] = offset;
  }
  return offsets;
}

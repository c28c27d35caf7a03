import { ByteReader, ByteWriter } from './chunk-codec/bytes';
import { decimalsOf } from './chunk-codec/chunk-codec';
import type { ChunkSummary } from './summary';
import { timeOffsets } from './time';

// Segment summaries: the summary of each run of a chunk's points that falls between two
// consecutive multiples of a grain G since the epoch (1 s ... 1 week, chosen per chunk so that
// it has at most `maxSegments` segments). A query bucket that is a multiple of G, or any bucket
// that wholly holds a segment, takes the segment's summary and leaves the chunk undecoded: hourly
// means over a week never decode a chunk of 10-second data.
//
// Format: version, mode (the values' decimals 0-9: summaries as exact scaled integers; 255:
// float64), grain in seconds, segment count, then per segment: grain number delta, count and
// the summary (scaled: first - previous last, last - first, first - min, max - first,
// Σ(v - min), Σ(v - min)²; float64: first, last, min, max, sum, sum of squares).

const version = 1;
const doubles = 255;
const second = 1_000_000_000n;
export const grainsSeconds = [1, 10, 60, 300, 900, 3600, 21_600, 86_400, 604_800];
export const maxSegments = 24;
/** Chunks with fewer points carry no segments. */
export const minPoints = 64;
const maxSafe = Number.MAX_SAFE_INTEGER;

/** A segment: its summary, with its time range bounded by the grain edges and the chunk. */
export type Segment = ChunkSummary;

function grainFor(span: bigint): bigint {
  for (const seconds of grainsSeconds) {
    const grain = BigInt(seconds) * second;
    if (span / grain < BigInt(maxSegments)) return grain;
  }
  return BigInt(grainsSeconds[grainsSeconds.length - 1]) * second;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/**
 * Segment summaries of a chunk's sorted, unique points with numeric values, or null when one
 * segment would be the whole chunk (its row summary says it all).
 */
export function encodeSegments(times: BigInt64Array, values: Float64Array): Buffer | null {
  const n = times.length;
  const start = times[0];
  const span = times[n - 1] - start;
  // Small chunks decode in no time (and compaction merges them): no segments.
  if (n < minPoints || span > BigInt(maxSafe)) return null;
  const grain = grainFor(span);
  const firstGrain = floorDiv(start, grain);
  if (floorDiv(times[n - 1], grain) === firstGrain) return null;
  const grainNs = Number(grain);
  // Offsets from the chunk start, where the next grain begins.
  let edge = Number((firstGrain + 1n) * grain - start);
  const ends: number[] = [];
  const grainNumbers: number[] = [0];
  const offsets = timeOffsets(times)!;
  for (let i = 0; i < n; i++) {
    const offset = offsets[i];
    if (offset >= edge) {
      ends.push(i);
      const skipped = Math.floor((offset - edge) / grainNs) + 1;
      grainNumbers.push(grainNumbers[grainNumbers.length - 1] + skipped);
      edge += skipped * grainNs;
    }
  }
  ends.push(n);

  const decimals = decimalsOf(values);
  let scale = decimals >= 0 ? 10 ** decimals : 0;
  if (scale) {
    let largest = 0;
    for (let i = 0; i < n; i++) largest = Math.max(largest, Math.abs(values[i] * scale));
    // Σ(v - min)² must stay exact.
    if (n * 4 * largest * largest > maxSafe) scale = 0;
  }
  const out = new ByteWriter(16 + ends.length * 24);
  out.byte(version);
  out.byte(scale ? decimals : doubles);
  out.uvarint(Number(grain / second));
  out.uvarint(ends.length);
  const float = new Float64Array(1);
  const floatBytes = new Uint8Array(float.buffer);
  const double = (v: number) => {
    float[0] = v;
    out.bytes(floatBytes);
  };
  let from = 0;
  let previousLast = 0;
  let previousGrain = 0;
  for (let k = 0; k < ends.length; k++) {
    const to = ends[k];
    out.uvarint(grainNumbers[k] - previousGrain);
    previousGrain = grainNumbers[k];
    out.uvarint(to - from);
    if (scale) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = from; i < to; i++) {
        const v = Math.round(values[i] * scale);
        if (v < min) min = v;
        if (v > max) max = v;
      }
      let sum = 0;
      let sumSq = 0;
      for (let i = from; i < to; i++) {
        const d = Math.round(values[i] * scale) - min;
        sum += d;
        sumSq += d * d;
      }
      const first = Math.round(values[from] * scale);
      const last = Math.round(values[to - 1] * scale);
      out.varint(first - previousLast);
      out.varint(last - first);
      out.uvarint(first - min);
      out.uvarint(max - first);
      out.uvarint(sum);
      out.uvarint(sumSq);
      previousLast = last;
    } else {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sumSq = 0;
      for (let i = from; i < to; i++) {
        const v = values[i];
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        sumSq += v * v;
      }
      for (const v of [values[from], values[to - 1], min, max, sum, sumSq]) double(v);
    }
    from = to;
  }
  return Buffer.from(out.result());
}

/** The segments of a chunk, in time order; time ranges are bounded by grain edges and chunk. */
export function decodeSegments(data: Uint8Array, chunk: ChunkSummary): Segment[] {
  const reader = new ByteReader(data);
  const v = reader.byte();
  if (v !== version) throw new RangeError(`unknown segment format version ${v}`);
  const mode = reader.byte();
  const grain = BigInt(reader.uvarint()) * second;
  const count = reader.uvarint();
  const firstGrain = floorDiv(chunk.startTime, grain);
  const scale = mode === doubles ? 0 : 10 ** mode;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const double = () => {
    const value = view.getFloat64(reader.pos, true);
    reader.pos += 8;
    return value;
  };
  const segments: Segment[] = [];
  let grainNumber = 0;
  let previousLast = 0;
  for (let k = 0; k < count; k++) {
    grainNumber += reader.uvarint();
    const n = reader.uvarint();
    const grainStart = (firstGrain + BigInt(grainNumber)) * grain;
    const startTime = grainStart > chunk.startTime ? grainStart : chunk.startTime;
    const grainEnd = grainStart + grain - 1n;
    const endTime = grainEnd < chunk.endTime ? grainEnd : chunk.endTime;
    if (scale) {
      const first = previousLast + reader.varint();
      const last = first + reader.varint();
      const min = first - reader.uvarint();
      const max = first + reader.uvarint();
      const shiftedSum = reader.uvarint();
      const shiftedSumSq = reader.uvarint();
      const sum = shiftedSum + n * min;
      const sumSq = shiftedSumSq + 2 * min * shiftedSum + n * min * min;
      previousLast = last;
      segments.push({
        count: n,
        startTime,
        endTime,
        first: first / scale,
        last: last / scale,
        min: min / scale,
        max: max / scale,
        sum: sum / scale,
        sumSq: sumSq / (scale * scale),
      });
    } else {
      const [first, last, min, max, sum, sumSq] = [
        double(),
        double(),
        double(),
        double(),
        double(),
        double(),
      ];
      segments.push({ count: n, startTime, endTime, first, last, min, max, sum, sumSq });
    }
  }
  return segments;
}

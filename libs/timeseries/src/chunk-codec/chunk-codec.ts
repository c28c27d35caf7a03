import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import type { SeriesValueType } from '../types';
import { timeOffsets } from '../time';
import { ByteReader, ByteWriter } from './bytes';

// Chunk format, version 2:
//   header (plain):  version, type, count, first timestamp, timestamp mode (+ step when
//                    regular), value mode (+ decimals), body encoding
//   body (deflated): irregular timestamps as zigzag varints of delta-of-delta, then values
// Floats with few decimals (most sensors) are scaled to integers and stored as zigzag varint
// residuals of a predictor (the previous value, or the line through the two previous values,
// whichever leaves smaller residuals for the chunk); the final deflate step (run-length
// matches and Huffman codes: sensor noise has few longer repeats) entropy-codes what remains. -0 stays exact through a list of its positions. Other doubles are XORed with
// their predecessor (as in Gorilla) before deflate.

export type ChunkValues = Float64Array | bigint[] | boolean[] | string[];

export interface ChunkInput {
  type: SeriesValueType;
  /** Sorted ascending, unique, nanoseconds since the epoch. */
  timestamps: BigInt64Array;
  values: ChunkValues;
}

const version = 2;
const typeCodes: SeriesValueType[] = ['float', 'integer', 'unsigned', 'boolean', 'string'];
const enum TimeMode {
  Regular = 0,
  DeltaOfDelta = 1,
  BigDeltas = 2,
}
const enum ValueMode {
  Decimal = 0,
  XorDouble = 1,
  IntDeltas = 2,
  BigIntDeltas = 3,
  Bits = 4,
  Dictionary = 5,
  /** Decimal floats predicted by the line through the two previous values. */
  DecimalLinear = 6,
}
const enum Body {
  Raw = 0,
  Deflate = 1,
}

const maxSafe = Number.MAX_SAFE_INTEGER;
const powers = Array.from({ length: 10 }, (_, d) => 10 ** d);
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** The fewest decimals that represent every value exactly, or -1 when none up to 9 do. */
export function decimalsOf(values: Float64Array): number {
  let decimals = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let d = decimals;
    for (; d < 10; d++) {
      const scaled = Math.round(v * powers[d]);
      if (Math.abs(scaled) <= maxSafe && scaled / powers[d] === v) break;
    }
    if (d === 10) return -1;
    decimals = d;
  }
  return decimals;
}

function writeTimestamps(header: ByteWriter, body: ByteWriter, ts: BigInt64Array): void {
  const n = ts.length;
  header.bigVarint(ts[0]);
  if (n === 1) {
    header.byte(TimeMode.Regular);
    header.bigUvarint(0n);
    return;
  }
  // Offsets from the first timestamp fit a double exactly while the chunk spans < 2^53 ns.
  const offsets = timeOffsets(ts);
  if (offsets) {
    const step = offsets[1];
    let regular = true;
    for (let i = 2; i < n && regular; i++)
      if (offsets[i] - offsets[i - 1] !== step) regular = false;
    if (regular) {
      header.byte(TimeMode.Regular);
      header.bigUvarint(BigInt(step));
      return;
    }
    header.byte(TimeMode.DeltaOfDelta);
    let previous = 0;
    let previousDelta = 0;
    for (let i = 1; i < n; i++) {
      const offset = offsets[i];
      const delta = offset - previous;
      body.varint(delta - previousDelta);
      previous = offset;
      previousDelta = delta;
    }
    return;
  }
  const step = ts[1] - ts[0];
  let regular = true;
  for (let i = 2; i < n && regular; i++) if (ts[i] - ts[i - 1] !== step) regular = false;
  if (regular) {
    header.byte(TimeMode.Regular);
    header.bigUvarint(step);
    return;
  }
  header.byte(TimeMode.BigDeltas);
  for (let i = 1; i < n; i++) body.bigUvarint(ts[i] - ts[i - 1]);
}

function readTimestamps(header: ByteReader, reader: ByteReader, n: number): BigInt64Array {
  const ts = new BigInt64Array(n);
  ts[0] = header.bigVarint();
  const mode = header.byte() as TimeMode;
  if (mode === TimeMode.Regular) {
    const step = header.bigUvarint();
    for (let i = 1; i < n; i++) ts[i] = ts[i - 1] + step;
    return ts;
  }
  if (mode === TimeMode.DeltaOfDelta) {
    const base = ts[0];
    let offset = 0;
    let delta = 0;
    for (let i = 1; i < n; i++) {
      delta += reader.varint();
      offset += delta;
      ts[i] = base + BigInt(offset);
    }
    return ts;
  }
  for (let i = 1; i < n; i++) ts[i] = ts[i - 1] + reader.bigUvarint();
  return ts;
}

function writeFloats(header: ByteWriter, body: ByteWriter, values: Float64Array): void {
  const decimals = decimalsOf(values);
  if (decimals >= 0) {
    const n = values.length;
    const scale = powers[decimals];
    const scaled = new Float64Array(n);
    const negativeZeros: number[] = [];
    let deltaCost = 0;
    let linearCost = 0;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v === 0 && 1 / v < 0) negativeZeros.push(i);
      const s = Math.round(v * scale);
      scaled[i] = s;
      if (i >= 2) {
        deltaCost += Math.abs(s - scaled[i - 1]);
        linearCost += Math.abs(s - 2 * scaled[i - 1] + scaled[i - 2]);
      }
    }
    const linear = linearCost < deltaCost;
    header.byte(linear ? ValueMode.DecimalLinear : ValueMode.Decimal);
    header.byte(decimals);
    header.uvarint(negativeZeros.length);
    let previousZero = 0;
    for (const index of negativeZeros) {
      header.uvarint(index - previousZero);
      previousZero = index;
    }
    if (n > 0) body.varint(scaled[0]);
    if (n > 1) body.varint(scaled[1] - scaled[0]);
    if (linear)
      for (let i = 2; i < n; i++) body.varint(scaled[i] - 2 * scaled[i - 1] + scaled[i - 2]);
    else for (let i = 2; i < n; i++) body.varint(scaled[i] - scaled[i - 1]);
    return;
  }
  header.byte(ValueMode.XorDouble);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const xored = new Uint32Array(words.length);
  xored[0] = words[0];
  xored[1] = words[1];
  for (let i = 2; i < words.length; i++) xored[i] = words[i] ^ words[i - 2];
  body.bytes(new Uint8Array(xored.buffer));
}

function readFloats(
  header: ByteReader,
  reader: ByteReader,
  n: number,
  mode: ValueMode,
): Float64Array {
  const values = new Float64Array(n);
  if (mode === ValueMode.Decimal || mode === ValueMode.DecimalLinear) {
    const scale = powers[header.byte()];
    const negativeZeros: number[] = [];
    let zero = 0;
    for (let k = header.uvarint(); k > 0; k--) negativeZeros.push((zero += header.uvarint()));
    let previous = 0;
    let current = 0;
    for (let i = 0; i < n; i++) {
      const residual = reader.varint();
      const next =
        i === 0
          ? residual
          : i === 1 || mode === ValueMode.Decimal
            ? current + residual
            : 2 * current - previous + residual;
      previous = current;
      current = next;
      values[i] = current / scale;
    }
    for (const index of negativeZeros) values[index] = -0;
    return values;
  }
  // Copy: the bytes may be a view into a shared Node.js Buffer pool, at any alignment.
  const bytes = new Uint8Array(n * 8);
  bytes.set(reader.bytes(n * 8));
  const words = new Uint32Array(bytes.buffer);
  const out = new Uint32Array(values.buffer);
  out[0] = words[0];
  out[1] = words[1];
  for (let i = 2; i < words.length; i++) out[i] = words[i] ^ out[i - 2];
  return values;
}

function writeIntegers(header: ByteWriter, body: ByteWriter, values: bigint[]): void {
  const safe = values.every((v) => v >= -BigInt(maxSafe) && v <= BigInt(maxSafe));
  if (safe) {
    header.byte(ValueMode.IntDeltas);
    let previous = 0;
    for (const v of values) {
      const n = Number(v);
      body.varint(n - previous);
      previous = n;
    }
    return;
  }
  header.byte(ValueMode.BigIntDeltas);
  let previous = 0n;
  for (const v of values) {
    body.bigVarint(v - previous);
    previous = v;
  }
}

function readIntegers(reader: ByteReader, n: number, mode: ValueMode): bigint[] {
  const values: bigint[] = new Array(n);
  if (mode === ValueMode.IntDeltas) {
    let current = 0;
    for (let i = 0; i < n; i++) {
      current += reader.varint();
      values[i] = BigInt(current);
    }
    return values;
  }
  let current = 0n;
  for (let i = 0; i < n; i++) {
    current += reader.bigVarint();
    values[i] = current;
  }
  return values;
}

function writeBooleans(header: ByteWriter, body: ByteWriter, values: boolean[]): void {
  header.byte(ValueMode.Bits);
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v) bits[i >> 3] |= 1 << (i & 7);
  });
  body.bytes(bits);
}

function readBooleans(reader: ByteReader, n: number): boolean[] {
  const bits = reader.bytes(Math.ceil(n / 8));
  return Array.from({ length: n }, (_, i) => (bits[i >> 3] & (1 << (i & 7))) !== 0);
}

function writeStrings(header: ByteWriter, body: ByteWriter, values: string[]): void {
  header.byte(ValueMode.Dictionary);
  const dictionary = new Map<string, number>();
  const indexes = values.map((v) => {
    let index = dictionary.get(v);
    if (index === undefined) {
      index = dictionary.size;
      dictionary.set(v, index);
    }
    return index;
  });
  body.uvarint(dictionary.size);
  for (const text of dictionary.keys()) body.block(textEncoder.encode(text));
  for (const index of indexes) body.uvarint(index);
}

function readStrings(reader: ByteReader, n: number): string[] {
  const dictionary = Array.from({ length: reader.uvarint() }, () =>
    textDecoder.decode(reader.block()),
  );
  return Array.from({ length: n }, () => dictionary[reader.uvarint()]);
}

/** Encodes one chunk: sorted unique timestamps and their values of one type. */
export function encodeChunk(input: ChunkInput, options: { deflate?: boolean } = {}): Buffer {
  const n = input.timestamps.length;
  if (n === 0) throw new RangeError('a chunk holds at least one point');
  if (input.values.length !== n)
    throw new RangeError(`${n} timestamps but ${input.values.length} values`);
  const header = new ByteWriter(64);
  const body = new ByteWriter(n * 3 + 16);
  header.byte(version);
  header.byte(typeCodes.indexOf(input.type));
  header.uvarint(n);
  writeTimestamps(header, body, input.timestamps);
  switch (input.type) {
    case 'float':
      writeFloats(header, body, input.values as Float64Array);
      break;
    case 'integer':
    case 'unsigned':
      writeIntegers(header, body, input.values as bigint[]);
      break;
    case 'boolean':
      writeBooleans(header, body, input.values as boolean[]);
      break;
    case 'string':
      writeStrings(header, body, input.values as string[]);
      break;
  }
  const plain = body.result();
  const packed =
    plain.length > 32 && options.deflate !== false
      ? deflateRawSync(plain, { level: 6, memLevel: 9, strategy: constants.Z_RLE })
      : null;
  if (packed && packed.length < plain.length) {
    header.byte(Body.Deflate);
    return Buffer.concat([header.result(), packed]);
  }
  header.byte(Body.Raw);
  return Buffer.concat([header.result(), plain]);
}

/** Decodes a chunk written by encodeChunk. */
export function decodeChunk(data: Uint8Array): {
  type: SeriesValueType;
  timestamps: BigInt64Array;
  values: ChunkValues;
} {
  const header = new ByteReader(data);
  const v = header.byte();
  if (v !== version) throw new RangeError(`unknown chunk format version ${v}`);
  const type = typeCodes[header.byte()];
  if (!type) throw new RangeError('unknown chunk value type');
  const n = header.uvarint();
  // The body follows the header, whose length depends on its modes: probe them first.
  const probe = new ByteReader(data);
  probe.pos = header.pos;
  probe.bigVarint();
  if ((probe.byte() as TimeMode) === TimeMode.Regular) probe.bigUvarint();
  const valueMode = probe.byte() as ValueMode;
  if (valueMode === ValueMode.Decimal || valueMode === ValueMode.DecimalLinear) {
    probe.byte();
    for (let k = probe.uvarint(); k > 0; k--) probe.uvarint();
  }
  const encoding = probe.byte() as Body;
  const rest = data.subarray(probe.pos);
  const body = new ByteReader(encoding === Body.Deflate ? inflateRawSync(rest) : rest);
  const timestamps = readTimestamps(header, body, n);
  header.byte(); // value mode, known from the probe
  let values: ChunkValues;
  switch (type) {
    case 'float':
      values = readFloats(header, body, n, valueMode);
      break;
    case 'integer':
    case 'unsigned':
      values = readIntegers(body, n, valueMode);
      break;
    case 'boolean':
      values = readBooleans(body, n);
      break;
    case 'string':
      values = readStrings(body, n);
      break;
  }
  return { type, timestamps, values };
}

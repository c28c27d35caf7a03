import { constants, deflateRawSync, inflateRawSync } from 'node:zlib';
import { BitReader, BitWriter, ByteReader, ByteWriter, TWO32 } from './bits';

// Residuals are the small non-negative integers left once a value is predicted from its
// predecessors and zigzagged. Each is split, like deflate's distance codes, into a symbol
// (its bit length and the bit below the leading one: 2 symbols per octave, 0..127) and the
// remaining low bits. Only the symbols carry information an entropy coder can use, so they
// go through deflate (Huffman + runs) while the low bits, nearly uniform, are stored raw.
// Measured on random-walk data this lands within ~0.02 B/value of the zero-order entropy
// of the residuals, where deflating LEB128 varints lands up to 0.3 B/value above it.
//
// Block layout: method byte, then
//   Zero:     nothing (every residual is 0)
//   Raw:      n symbol bytes, block(low bits)
//   Deflated: block(deflated symbols), block(low bits)

const enum Method {
  Zero = 0,
  Raw = 1,
  Deflated = 2,
}

/** Fewer residuals than this are not deflated: zlib's ~20 µs per call would dominate. */
export const DEFLATE_FROM = 256;

// Z_RLE: Huffman codes plus runs of one symbol (constant stretches). Full LZ matching was
// slower and slightly larger on these streams, and brotli no smaller at a usable speed.
const deflateOptions = { level: 6, strategy: constants.Z_RLE };

// Scratch reused across calls (JavaScript is single-threaded); results are copied out.
let symbols = new Uint8Array(4096);
let lowBits = new Uint8Array(4096 * 8);

function scratchFor(n: number): void {
  if (symbols.length < n) symbols = new Uint8Array(n);
  // At most 62 low bits per residual, plus a pending byte.
  if (lowBits.length < n * 8 + 8) lowBits = new Uint8Array(n * 8 + 8);
}

function writeSymbols(w: ByteWriter, n: number, low: Uint8Array): void {
  const sym = symbols.subarray(0, n);
  if (n >= DEFLATE_FROM) {
    const packed = deflateRawSync(sym, deflateOptions);
    if (packed.length < n) {
      w.byte(Method.Deflated);
      w.block(packed);
      w.block(low);
      return;
    }
  }
  w.byte(Method.Raw);
  w.bytes(sym);
  w.block(low);
}

function readSymbols(r: ByteReader, n: number): { sym: Uint8Array; low: Uint8Array } | null {
  const method = r.byte();
  if (method === Method.Zero) return null;
  if (method === Method.Raw) return { sym: r.bytes(n), low: r.block() };
  if (method !== Method.Deflated) r.fail(`unknown residual method ${method}`);
  const at = r.pos;
  const packed = r.block();
  let sym: Uint8Array;
  try {
    sym = inflateRawSync(packed, { chunkSize: Math.max(64, n), maxOutputLength: n });
  } catch (error) {
    r.pos = at;
    return r.fail(`bad deflate stream: ${(error as Error).message}`);
  }
  if (sym.length !== n) {
    r.pos = at;
    r.fail(`expected ${n} symbols, found ${sym.length}`);
  }
  return { sym, low: r.block() };
}

/** Writes `n` residuals, each a safe integer in 0..2^53 - 1. */
export function writeResiduals(w: ByteWriter, z: Float64Array, n: number): void {
  let nonZero = false;
  for (let i = 0; i < n; i++) {
    if (z[i] !== 0) {
      nonZero = true;
      break;
    }
  }
  if (!nonZero) {
    w.byte(Method.Zero);
    return;
  }
  scratchFor(n);
  const sym = symbols;
  const out = lowBits;
  // Bit accumulator in locals: this loop is the hot path of every numeric codec.
  let acc = 0;
  let count = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const v = z[i];
    if (v < 4) {
      sym[i] = v;
      continue;
    }
    let extra: number; // low bits below the two leading ones
    let bits: number;
    if (v < TWO32) {
      const u = v >>> 0;
      const k = 32 - Math.clz32(u);
      bits = k - 2;
      sym[i] = 2 * k - 2 + ((u >>> bits) & 1);
      extra = bits === 30 ? u & 0x3fffffff : u & ((1 << bits) - 1);
    } else {
      const hi = Math.floor(v / TWO32);
      const k = 64 - Math.clz32(hi);
      bits = k - 2;
      const top = Math.floor(v / 2 ** bits);
      sym[i] = 2 * k - 2 + (top & 1);
      extra = v - top * 2 ** bits;
    }
    // Emit `extra` least significant bits first, at most 24 bits at a time.
    while (bits > 24) {
      const piece = extra % 16_777_216;
      acc |= piece << count;
      count += 24;
      while (count >= 8) {
        out[pos++] = acc;
        acc >>>= 8;
        count -= 8;
      }
      extra = (extra - piece) / 16_777_216;
      bits -= 24;
    }
    acc |= extra << count;
    count += bits;
    while (count >= 8) {
      out[pos++] = acc;
      acc >>>= 8;
      count -= 8;
    }
  }
  if (count > 0) out[pos++] = acc;
  writeSymbols(w, n, out.subarray(0, pos));
}

/** Reads `n` residuals written by writeResiduals into `z`. */
export function readResiduals(r: ByteReader, z: Float64Array, n: number): void {
  const at = r.pos;
  const block = readSymbols(r, n);
  if (block === null) {
    z.fill(0, 0, n);
    return;
  }
  const { sym, low } = block;
  const end = low.length;
  let acc = 0;
  let count = 0;
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const s = sym[i];
    if (s < 4) {
      z[i] = s;
      continue;
    }
    let bits = (s >>> 1) - 1;
    const top = 2 + (s & 1);
    if (bits <= 24) {
      while (count < bits) {
        acc |= low[pos++] << count;
        count += 8;
      }
      z[i] = top * (1 << bits) + (acc & ((1 << bits) - 1));
      acc >>>= bits;
      count -= bits;
      continue;
    }
    if (bits > 51) {
      r.pos = at;
      r.fail(`residual of ${bits + 2} bits exceeds 2^53`);
    }
    let value = top * 2 ** bits;
    let scale = 1;
    while (bits > 0) {
      const take = bits > 24 ? 24 : bits;
      while (count < take) {
        acc |= low[pos++] << count;
        count += 8;
      }
      value += (acc & ((1 << take) - 1)) * scale;
      acc >>>= take;
      count -= take;
      scale *= 16_777_216;
      bits -= take;
    }
    z[i] = value;
  }
  if (pos > end) {
    r.pos = at;
    r.fail('truncated residual bits');
  }
}

/** Writes `n` 64-bit residuals given as low and high 32-bit words (the BigInt fallbacks). */
export function writeResiduals64(w: ByteWriter, lo: Uint32Array, hi: Uint32Array, n: number): void {
  let nonZero = false;
  for (let i = 0; i < n && !nonZero; i++) nonZero = lo[i] !== 0 || hi[i] !== 0;
  if (!nonZero) {
    w.byte(Method.Zero);
    return;
  }
  scratchFor(n);
  const sym = symbols;
  const bitsOut = new BitWriter(n * 2 + 16);
  for (let i = 0; i < n; i++) {
    const h = hi[i];
    const l = lo[i];
    if (h === 0 && l < 4) {
      sym[i] = l;
      continue;
    }
    const k = h === 0 ? 32 - Math.clz32(l) : 64 - Math.clz32(h);
    const bits = k - 2;
    const second = bits >= 32 ? (h >>> (bits - 32)) & 1 : (l >>> bits) & 1;
    sym[i] = 2 * k - 2 + second;
    if (bits <= 32) {
      bitsOut.write32(l, bits);
    } else {
      bitsOut.write32(l, 32);
      bitsOut.write32(h, bits - 32);
    }
  }
  writeSymbols(w, n, bitsOut.finish());
}

/** Reads `n` 64-bit residuals written by writeResiduals64 into `lo` and `hi`. */
export function readResiduals64(r: ByteReader, lo: Uint32Array, hi: Uint32Array, n: number): void {
  const at = r.pos;
  const block = readSymbols(r, n);
  if (block === null) {
    lo.fill(0, 0, n);
    hi.fill(0, 0, n);
    return;
  }
  const { sym, low } = block;
  const bitsIn = new BitReader(low, at);
  for (let i = 0; i < n; i++) {
    const s = sym[i];
    if (s < 4) {
      lo[i] = s;
      hi[i] = 0;
      continue;
    }
    const bits = (s >>> 1) - 1;
    const top = 2 + (s & 1);
    if (bits < 30) {
      lo[i] = (top << bits) | bitsIn.read32(bits);
      hi[i] = 0;
    } else if (bits <= 32) {
      // The leading ones sit at bits 30..33: split them across the two words.
      const l = bitsIn.read32(bits);
      lo[i] = (bits === 32 ? l : l + (top % 2 ** (32 - bits)) * 2 ** bits) >>> 0;
      hi[i] = Math.floor((top * 2 ** bits) / TWO32);
    } else {
      lo[i] = bitsIn.read32(32);
      hi[i] = (top << (bits - 32)) | bitsIn.read32(bits - 32);
    }
  }
  bitsIn.done();
}

const enum Predictor {
  Delta = 0,
  DeltaOfDelta = 1,
}

let zDelta = new Float64Array(4096);
let zDod = new Float64Array(4096);

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function bitLength(z: number): number {
  return z < TWO32 ? 32 - Math.clz32(z) : 64 - Math.clz32(z / TWO32);
}

/**
 * Writes `n` integers predicted from their predecessors: by the previous value (delta) or by
 * the previous slope (delta-of-delta), whichever leaves the fewer residual bits. Every
 * delta and delta-of-delta must stay below 2^52 in magnitude (so |value| < 2^50 is safe).
 */
export function writeSequence(w: ByteWriter, s: Float64Array, n: number): void {
  w.varint(s[0]);
  if (n === 1) return;
  if (zDelta.length < n) {
    zDelta = new Float64Array(n);
    zDod = new Float64Array(n);
  }
  const zd = zDelta;
  const zdd = zDod;
  let costDelta = 0;
  let costDod = 0;
  let previous = s[0];
  let previousDelta = 0;
  for (let i = 1; i < n; i++) {
    const v = s[i];
    const delta = v - previous;
    const a = zigzag(delta);
    const b = zigzag(delta - previousDelta);
    zd[i - 1] = a;
    zdd[i - 1] = b;
    costDelta += bitLength(a);
    costDod += bitLength(b);
    previous = v;
    previousDelta = delta;
  }
  // Ties go to delta: random walks (most sensors) favour it and it decodes slightly faster.
  if (costDod < costDelta) {
    w.byte(Predictor.DeltaOfDelta);
    writeResiduals(w, zdd, n - 1);
  } else {
    w.byte(Predictor.Delta);
    writeResiduals(w, zd, n - 1);
  }
}

/** Reads `n` integers written by writeSequence into `out`. */
export function readSequence(r: ByteReader, out: Float64Array, n: number): void {
  let v = r.varint();
  out[0] = v;
  if (n === 1) return;
  const predictor = r.byte();
  if (predictor !== Predictor.Delta && predictor !== Predictor.DeltaOfDelta) {
    r.fail(`unknown predictor ${predictor}`);
  }
  if (zDelta.length < n) {
    zDelta = new Float64Array(n);
    zDod = new Float64Array(n);
  }
  const z = zDelta;
  readResiduals(r, z, n - 1);
  if (predictor === Predictor.Delta) {
    for (let i = 1; i < n; i++) {
      const u = z[i - 1];
      v += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      out[i] = v;
    }
  } else {
    let delta = 0;
    for (let i = 1; i < n; i++) {
      const u = z[i - 1];
      delta += u % 2 === 0 ? u / 2 : -(u + 1) / 2;
      v += delta;
      out[i] = v;
    }
  }
}

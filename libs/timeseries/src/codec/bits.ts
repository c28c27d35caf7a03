// Byte and bit buffers shared by the codecs. Multi-byte values are little-endian, and the
// codecs read 64-bit values through 32-bit views of typed arrays, which assumes a
// little-endian CPU (x64, arm64): checked once here rather than in every hot loop.

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('the time-series codecs need a little-endian CPU');
}

/** 2^32, to split and join 64-bit values held as two 32-bit words. */
export const TWO32 = 4_294_967_296;

/** Thrown when a chunk cannot be decoded; `offset` is the byte where decoding failed. */
export class ChunkDecodeError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(`cannot decode chunk at byte ${offset}: ${reason}`);
    this.name = 'ChunkDecodeError';
  }
}

// Staging for float64 and int64 <-> bytes without a DataView per call.
const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const i64 = new BigInt64Array(1);
const i64Bytes = new Uint8Array(i64.buffer);

/** A growable byte buffer with LEB128 varints. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** Makes room for `extra` more bytes, doubling the capacity as needed. */
  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** One byte, 0..255. */
  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** Unsigned LEB128 varint of a safe integer in 0..2^53. */
  uvarint(value: number): void {
    this.ensure(8);
    const buf = this.buf;
    let pos = this.pos;
    // Bit operators only see 32 bits: divide while the value is above that.
    while (value > 0x7fffffff) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    while (value > 0x7f) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** Zigzag varint of a safe integer (|value| < 2^52). */
  varint(value: number): void {
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Raw bytes. */
  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Length-prefixed bytes. */
  block(data: Uint8Array): void {
    this.uvarint(data.length);
    this.bytes(data);
  }

  /** A double as its 8 IEEE 754 bytes, so that any value (-0, NaN payloads) survives. */
  float64(value: number): void {
    f64[0] = value;
    this.bytes(f64Bytes);
  }

  /** A 64-bit integer given as two 32-bit words. */
  words(lo: number, hi: number): void {
    this.ensure(8);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = lo;
    buf[pos + 1] = lo >>> 8;
    buf[pos + 2] = lo >>> 16;
    buf[pos + 3] = lo >>> 24;
    buf[pos + 4] = hi;
    buf[pos + 5] = hi >>> 8;
    buf[pos + 6] = hi >>> 16;
    buf[pos + 7] = hi >>> 24;
    this.pos = pos + 8;
  }

  /** A bigint as 8 bytes, two's complement (signed and unsigned 64-bit values alike). */
  int64(value: bigint): void {
    i64[0] = BigInt.asIntN(64, value);
    this.bytes(i64Bytes);
  }

  /** The bytes written so far, copied into a right-sized Buffer. */
  finish(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    out.set(this.buf.subarray(0, this.pos));
    return out;
  }
}

/** Reads what ByteWriter wrote; every read is bounds-checked and throws ChunkDecodeError. */
export class ByteReader {
  pos: number;
  readonly end: number;

  constructor(
    readonly buf: Uint8Array,
    start = 0,
    end = buf.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  /** Throws a ChunkDecodeError at the current position. */
  fail(reason: string): never {
    throw new ChunkDecodeError(this.pos, reason);
  }

  private need(count: number): void {
    if (this.pos + count > this.end) this.fail(`needs ${count} more bytes, has ${this.end - this.pos}`);
  }

  byte(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  uvarint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) this.fail('truncated varint');
      const b = this.buf[this.pos++];
      value += (b & 0x7f) * scale;
      if (b < 0x80) return value;
      scale *= 128;
      if (scale > 2 ** 53) this.fail('varint too long');
    }
  }

  varint(): number {
    const z = this.uvarint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  /** A view (not a copy) of the next `count` bytes. */
  bytes(count: number): Uint8Array {
    this.need(count);
    const out = this.buf.subarray(this.pos, this.pos + count);
    this.pos += count;
    return out;
  }

  block(): Uint8Array {
    return this.bytes(this.uvarint());
  }

  float64(): number {
    f64Bytes.set(this.bytes(8));
    return f64[0];
  }

  /** The next 8 bytes into `out` at word index `at` (low word first). */
  wordsInto(out: Int32Array, at: number): void {
    const b = this.bytes(8);
    out[at] = b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
    out[at + 1] = b[4] | (b[5] << 8) | (b[6] << 16) | (b[7] << 24);
  }

  int64(): bigint {
    i64Bytes.set(this.bytes(8));
    return i64[0];
  }

  /** Fails unless every byte was read: a longer input is not what the writer wrote. */
  done(): void {
    if (this.pos !== this.end) this.fail(`${this.end - this.pos} unexpected trailing bytes`);
  }
}

/** A growable bit buffer, filled least significant bit first. */
export class BitWriter {
  buf: Uint8Array;
  pos = 0;
  private acc = 0;
  private count = 0;

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity);
  }

  /** The low `bits` (0..24) bits of `value`. */
  write(value: number, bits: number): void {
    // With fewer than 8 pending bits, 24 more still fit the 31 bits of a positive int.
    let acc = this.acc | (value << this.count);
    let count = this.count + bits;
    if (count >= 8) {
      if (this.pos + 4 > this.buf.length) this.grow();
      const buf = this.buf;
      do {
        buf[this.pos++] = acc;
        acc >>>= 8;
        count -= 8;
      } while (count >= 8);
    }
    this.acc = acc;
    this.count = count;
  }

  /** The low `bits` (0..32) bits of `value`. */
  write32(value: number, bits: number): void {
    if (bits <= 24) {
      this.write(value & ((1 << bits) - 1), bits);
    } else {
      this.write(value & 0xffff, 16);
      this.write((value >>> 16) & ((1 << (bits - 16)) - 1), bits - 16);
    }
  }

  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2 + 8);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** The bits written so far, the last byte padded with zeros. */
  finish(): Uint8Array {
    if (this.count > 0) this.write(0, 8 - this.count);
    return this.buf.subarray(0, this.pos);
  }
}

/** Reads what BitWriter wrote. Reading past the end yields zeros; call done() to check. */
export class BitReader {
  private pos: number;
  private acc = 0;
  private count = 0;

  constructor(
    private readonly buf: Uint8Array,
    private readonly offset = 0,
  ) {
    this.pos = 0;
  }

  /** The next `bits` (0..24) bits. */
  read(bits: number): number {
    let acc = this.acc;
    let count = this.count;
    while (count < bits) {
      // Past the end the index is undefined, which shifts as 0.
      acc |= this.buf[this.pos++] << count;
      count += 8;
    }
    this.acc = acc >>> bits;
    this.count = count - bits;
    return acc & ((1 << bits) - 1);
  }

  /** The next `bits` (0..32) bits, as an unsigned number. */
  read32(bits: number): number {
    if (bits <= 24) return this.read(bits);
    const low = this.read(16);
    return (low + this.read(bits - 16) * 65536) >>> 0;
  }

  /** Fails if more bytes were consumed than the buffer holds. */
  done(): void {
    if (this.pos > this.buf.length) {
      throw new ChunkDecodeError(this.offset + this.buf.length, 'truncated bit stream');
    }
  }
}

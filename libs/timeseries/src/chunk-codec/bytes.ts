// A growable byte buffer with LEB128 varints: the building block of the chunk format.

export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  private ensure(extra: number): void {
    if (this.pos + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  /** Unsigned varint of a non-negative safe integer. */
  uvarint(value: number): void {
    this.ensure(10);
    while (value >= 128) {
      this.buf[this.pos++] = (value % 128) | 128;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
  }

  /** Zigzag varint of a safe integer. */
  varint(value: number): void {
    this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  bigUvarint(value: bigint): void {
    this.ensure(11);
    while (value >= 128n) {
      this.buf[this.pos++] = Number(value & 127n) | 128;
      value >>= 7n;
    }
    this.buf[this.pos++] = Number(value);
  }

  bigVarint(value: bigint): void {
    this.bigUvarint(value >= 0n ? value << 1n : (-value << 1n) - 1n);
  }

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

  result(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

export class ByteReader {
  pos = 0;

  constructor(readonly buf: Uint8Array) {}

  byte(): number {
    if (this.pos >= this.buf.length) throw new RangeError('chunk data ends early');
    return this.buf[this.pos++];
  }

  uvarint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('chunk data ends inside a varint');
      result += (b & 127) * scale;
      if (b < 128) return result;
      scale *= 128;
    }
  }

  varint(): number {
    const u = this.uvarint();
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  bigUvarint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('chunk data ends inside a varint');
      result |= BigInt(b & 127) << shift;
      if (b < 128) return result;
      shift += 7n;
    }
  }

  bigVarint(): bigint {
    const u = this.bigUvarint();
    return u & 1n ? -((u + 1n) >> 1n) : u >> 1n;
  }

  bytes(length: number): Uint8Array {
    if (this.pos + length > this.buf.length) throw new RangeError('chunk data ends early');
    const out = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return out;
  }

  block(): Uint8Array {
    return this.bytes(this.uvarint());
  }
}

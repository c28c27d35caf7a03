/** Why a byte sequence is not (or not yet acceptable as) msgpack. */
export class MsgpackScanError extends Error {
  constructor(
    /** Byte offset of the offending item, from the start of the scanned object. */
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MsgpackScanError';
  }
}

export interface ScanLimits {
  /** Largest object, in bytes. */
  maxBytes: number;
  /** Deepest nesting of arrays and maps. */
  maxDepth: number;
}

/**
 * Finds where one complete msgpack object ends in a buffer that grows at its end, without
 * decoding it: it reads only headers and lengths, resumes where it stopped when more bytes
 * arrive (so a large message arriving in many pieces is scanned once), and refuses an object
 * larger than the limit as soon as a header declares it, before its bytes are buffered.
 */
export class MsgpackScanner {
  /** Next header to read, from the start of the object. */
  private pos = 0;
  /** Items still expected by each open array or map, innermost last. */
  private readonly open: number[] = [];

  constructor(private readonly limits: ScanLimits) {}

  /** Forgets progress: the next scan starts a new object at offset 0. */
  reset(): void {
    this.pos = 0;
    this.open.length = 0;
  }

  /**
   * The length of the object at the start of `buf` when it is complete within `length`
   * bytes, or -1 when more bytes are needed. Throws MsgpackScanError for bytes that cannot
   * start an item, and for an object over the limits.
   */
  scan(buf: Uint8Array, length: number): number {
    const { maxBytes, maxDepth } = this.limits;
    for (;;) {
      const pos = this.pos;
      if (pos >= length) return -1;
      const b = buf[pos];
      let header = 1;
      let payload = 0;
      let children = 0;
      // Lengths that follow the type byte: [header bytes, size bytes, what they count].
      let sized: [number, number, 'payload' | 'items' | 'pairs'] | null = null;
      if (b <= 0x7f || b >= 0xe0) header = 1;
      else if (b <= 0x8f) children = 2 * (b & 0x0f);
      else if (b <= 0x9f) children = b & 0x0f;
      else if (b <= 0xbf) payload = b & 0x1f;
      else {
        switch (b) {
          case 0xc0:
          case 0xc2:
          case 0xc3:
            break;
          case 0xc1:
            throw new MsgpackScanError(pos, 'byte 0xc1 is not a msgpack type');
          case 0xc4:
          case 0xd9:
            sized = [2, 1, 'payload'];
            break;
          case 0xc5:
          case 0xda:
            sized = [3, 2, 'payload'];
            break;
          case 0xc6:
          case 0xdb:
            sized = [5, 4, 'payload'];
            break;
          case 0xc7: // ext 8: size, type, data
            sized = [3, 1, 'payload'];
            break;
          case 0xc8:
            sized = [4, 2, 'payload'];
            break;
          case 0xc9:
            sized = [6, 4, 'payload'];
            break;
          case 0xca:
          case 0xce:
          case 0xd2:
            header = 5;
            break;
          case 0xcb:
          case 0xcf:
          case 0xd3:
            header = 9;
            break;
          case 0xcc:
          case 0xd0:
            header = 2;
            break;
          case 0xcd:
          case 0xd1:
            header = 3;
            break;
          case 0xd4:
            header = 3;
            break;
          case 0xd5:
            header = 4;
            break;
          case 0xd6:
            header = 6;
            break;
          case 0xd7:
            header = 10;
            break;
          case 0xd8:
            header = 18;
            break;
          case 0xdc:
            sized = [3, 2, 'items'];
            break;
          case 0xdd:
            sized = [5, 4, 'items'];
            break;
          case 0xde:
            sized = [3, 2, 'pairs'];
            break;
          case 0xdf:
            sized = [5, 4, 'pairs'];
            break;
        }
      }
      if (sized) {
        const [bytes, sizeBytes, counts] = sized;
        header = bytes;
        if (pos + 1 + sizeBytes > length) return -1;
        let n = 0;
        for (let i = 1; i <= sizeBytes; i++) n = n * 256 + buf[pos + i];
        if (counts === 'payload') payload = n;
        else children = counts === 'items' ? n : 2 * n;
      }
      // Every child takes at least one byte, so a count is bounded like a length.
      if (pos + header + payload + children > maxBytes)
        throw new MsgpackScanError(
          pos,
          `message is larger than the limit of ${maxBytes} bytes (INGEST_FORWARD_MAX_MESSAGE_BYTES)`,
        );
      if (pos + header + payload > length) return -1;
      this.pos = pos + header + payload;
      if (children > 0) {
        if (this.open.length >= maxDepth)
          throw new MsgpackScanError(pos, `nesting deeper than ${maxDepth} levels`);
        this.open.push(children);
        continue;
      }
      // An item is complete: close every container it completes.
      for (;;) {
        if (this.open.length === 0) {
          const end = this.pos;
          this.reset();
          return end;
        }
        const top = this.open.length - 1;
        this.open[top]--;
        if (this.open[top] > 0) break;
        this.open.pop();
      }
    }
  }
}

/** The end of the complete object starting at `start`, or -1 if it is cut short. */
export function objectEnd(buf: Uint8Array, start: number, limits: ScanLimits): number {
  const end = new MsgpackScanner(limits).scan(buf.subarray(start), buf.length - start);
  return end < 0 ? -1 : start + end;
}

/** The raw bytes of a msgpack str or bin at `pos`, or null if the item is neither. */
export function rawBytesAt(buf: Uint8Array, pos: number): Uint8Array | null {
  const b = buf[pos];
  let header: number;
  let size: number;
  if (b >= 0xa0 && b <= 0xbf) {
    header = 1;
    size = b & 0x1f;
  } else if (b === 0xd9 || b === 0xc4) {
    header = 2;
    size = buf[pos + 1];
  } else if (b === 0xda || b === 0xc5) {
    header = 3;
    size = buf[pos + 1] * 256 + buf[pos + 2];
  } else if (b === 0xdb || b === 0xc6) {
    header = 5;
    size = ((buf[pos + 1] << 24) >>> 0) + (buf[pos + 2] << 16) + (buf[pos + 3] << 8) + buf[pos + 4];
  } else return null;
  return buf.subarray(pos + header, pos + header + size);
}

/** Where the items of the array at `pos` start, or null if it is not an array. */
export function arrayItemsAt(
  buf: Uint8Array,
  pos: number,
): { count: number; first: number } | null {
  const b = buf[pos];
  if (b >= 0x90 && b <= 0x9f) return { count: b & 0x0f, first: pos + 1 };
  if (b === 0xdc) return { count: buf[pos + 1] * 256 + buf[pos + 2], first: pos + 3 };
  if (b === 0xdd)
    return {
      count:
        ((buf[pos + 1] << 24) >>> 0) + (buf[pos + 2] << 16) + (buf[pos + 3] << 8) + buf[pos + 4],
      first: pos + 5,
    };
  return null;
}

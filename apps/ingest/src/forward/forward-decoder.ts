import { Decoder, ExtData, ExtensionCodec } from '@msgpack/msgpack';
import { gunzipSync } from 'node:zlib';
import {
  arrayItemsAt,
  MsgpackScanError,
  MsgpackScanner,
  objectEnd,
  rawBytesAt,
} from './msgpack-scanner';

/** Where and why a forward-protocol stream could not be decoded. */
export class ForwardDecodeError extends Error {
  constructor(
    /** Byte offset of the message in the connection's stream. */
    readonly offset: number,
    readonly reason: string,
    /** Entry number in the message (1-based), when one entry is at fault. */
    readonly entry?: number,
    /** Byte offset of that entry in the (decompressed) packed entries. */
    readonly entryOffset?: number,
  ) {
    const where =
      entry === undefined
        ? `message at byte ${offset}`
        : `entry ${entry}${entryOffset === undefined ? '' : ` (byte ${entryOffset} of the packed entries)`} of the message at byte ${offset}`;
    super(`${where}: ${reason}`);
    this.name = 'ForwardDecodeError';
  }
}

/** A time as nanoseconds since the epoch. */
export type Nanoseconds = bigint;

/** The EventTime extension (type 0): seconds and nanoseconds, big-endian 32 bits each. */
export class EventTime {
  readonly seconds: number;
  readonly nanos: number;

  constructor(nanoseconds: Nanoseconds) {
    this.seconds = Number(nanoseconds / 1_000_000_000n);
    this.nanos = Number(nanoseconds % 1_000_000_000n);
  }

  /** An EventTime from its two parts (no BigInt on the way). */
  static of(seconds: number, nanos: number): EventTime {
    const time = Object.create(EventTime.prototype) as { seconds: number; nanos: number };
    time.seconds = seconds;
    time.nanos = nanos;
    return time as EventTime;
  }

  get nanoseconds(): Nanoseconds {
    return BigInt(this.seconds) * 1_000_000_000n + BigInt(this.nanos);
  }
}

export interface ForwardOption {
  /** Asks for `{ack: chunk}` once the message is stored. */
  chunk?: string;
  /** Number of entries, as the client counted them. */
  size?: number;
  compressed?: 'gzip';
}

/** One event: its time as whole seconds and nanoseconds, and its record. */
export class ForwardEntry {
  constructor(
    readonly seconds: number,
    readonly nanos: number,
    readonly record: Record<string, unknown>,
  ) {}

  /** The time in nanoseconds since the epoch. */
  get time(): Nanoseconds {
    return BigInt(this.seconds) * 1_000_000_000n + BigInt(this.nanos);
  }
}

export type ForwardMode = 'message' | 'forward' | 'packed-forward' | 'compressed-packed-forward';

export type ForwardFrame =
  /** nil: a client's keep-alive probe, nothing to store. */
  | { kind: 'heartbeat'; offset: number }
  | {
      kind: 'ping';
      offset: number;
      clientHostname: string;
      /** Hashed as sent: text as UTF-8, bin as bytes. */
      salt: string | Uint8Array;
      sharedKeyDigest: string;
      username: string;
      passwordDigest: string;
    }
  | {
      kind: 'events';
      offset: number;
      mode: ForwardMode;
      tag: string;
      entries: ForwardEntry[];
      option: ForwardOption;
    };

export interface ForwardDecoderOptions {
  /** Largest message, and largest decompressed entries, in bytes. */
  maxMessageBytes: number;
  /** Deepest nesting of arrays and maps (default 32). */
  maxDepth?: number;
}

const eventTimeType = 0;

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: eventTimeType,
  encode: (value: unknown) => {
    if (!(value instanceof EventTime)) return null;
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    view.setUint32(0, value.seconds);
    view.setUint32(4, value.nanos);
    return bytes;
  },
  decode: (data: Uint8Array) => {
    if (data.length !== 8) throw new Error(`EventTime must be 8 bytes, got ${data.length}`);
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const nanos = view.getUint32(4);
    if (nanos >= 1_000_000_000) throw new Error(`EventTime nanoseconds ${nanos} exceed 999999999`);
    return EventTime.of(view.getUint32(0), nanos);
  },
});

/** Encoding and decoding with the EventTime extension (for tests and clients). */
export const forwardCodec = extensionCodec;

function describe(value: unknown): string {
  if (value === null) return 'nil';
  if (value instanceof Uint8Array) return 'bin';
  if (value instanceof EventTime) return 'EventTime';
  if (value instanceof ExtData) return `ext type ${value.type}`;
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'bigint') return 'integer';
  return typeof value;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !(value instanceof Uint8Array) &&
    !(value instanceof EventTime) &&
    !(value instanceof ExtData) &&
    !(value instanceof Date)
  );
}

/** Latest second whose nanoseconds fit a signed 64-bit integer (2262-04-11). */
const maxSeconds = 9_223_372_035;

// timeOf's result (module state rather than an object per entry).
let timeSeconds = 0;
let timeNanos = 0;

/**
 * Reads seconds (integer or float) or an EventTime into timeSeconds/timeNanos; false if not a
 * valid time (negative, or beyond what nanoseconds in 64 bits reach).
 */
function readTime(value: unknown): boolean {
  if (value instanceof EventTime) {
    timeSeconds = value.seconds;
    timeNanos = value.nanos;
    return value.seconds <= maxSeconds;
  }
  if (typeof value === 'bigint') {
    if (value < 0n || value > BigInt(maxSeconds)) return false;
    timeSeconds = Number(value);
    timeNanos = 0;
    return true;
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= maxSeconds) {
    timeSeconds = Math.floor(value);
    timeNanos = Math.min(999_999_999, Math.round((value - timeSeconds) * 1e9));
    return true;
  }
  return false;
}

/** Seconds (integer or float) or an EventTime as nanoseconds; null if not a valid time. */
export function timeOf(value: unknown): Nanoseconds | null {
  return readTime(value) ? BigInt(timeSeconds) * 1_000_000_000n + BigInt(timeNanos) : null;
}

// One decoder for every message and entry (making one per call costs more than decoding).
const decoder = new Decoder({ extensionCodec, useBigInt64: true });

function decodeOne(bytes: Uint8Array): unknown {
  return decoder.decode(bytes);
}

/**
 * Decodes the client side of a fluentd forward connection (protocol v1): Message, Forward,
 * PackedForward and CompressedPackedForward modes, the EventTime extension, PING of the
 * handshake and nil heartbeats. Bytes are buffered up to one message (bounded by
 * maxMessageBytes); every error names the message's byte offset and, when one entry is at
 * fault, the entry.
 */
export class ForwardDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private length = 0;
  /** Stream offset of buffer[0]. */
  private consumed = 0;
  private readonly scanner: MsgpackScanner;
  private readonly maxBytes: number;
  private readonly maxDepth: number;

  constructor(options: ForwardDecoderOptions) {
    this.maxBytes = options.maxMessageBytes;
    this.maxDepth = options.maxDepth ?? 32;
    this.scanner = new MsgpackScanner({ maxBytes: this.maxBytes, maxDepth: this.maxDepth });
  }

  /** Bytes received but not yet part of a complete message. */
  get buffered(): number {
    return this.length;
  }

  /** Adds received bytes; returns the messages they complete. Throws ForwardDecodeError. */
  push(chunk: Uint8Array): ForwardFrame[] {
    this.append(chunk);
    const frames: ForwardFrame[] = [];
    let start = 0;
    for (;;) {
      const view = this.buffer.subarray(start, this.length);
      let end: number;
      try {
        end = this.scanner.scan(view, view.length);
      } catch (error) {
        if (error instanceof MsgpackScanError)
          throw new ForwardDecodeError(
            this.consumed + start,
            `${error.reason} (at byte ${this.consumed + start + error.offset})`,
          );
        throw error;
      }
      if (end < 0) break;
      frames.push(this.frame(view.subarray(0, end), this.consumed + start));
      start += end;
    }
    if (start > 0) {
      this.buffer.copyWithin(0, start, this.length);
      this.length -= start;
      this.consumed += start;
      // Give back the room a large message took once it is handled.
      if (this.buffer.length > 1 << 20 && this.length < 1 << 16)
        this.buffer = Buffer.from(this.buffer.subarray(0, this.length));
    }
    return frames;
  }

  private append(chunk: Uint8Array): void {
    const needed = this.length + chunk.length;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(
        Math.max(needed, Math.min(this.buffer.length * 2, this.maxBytes + 65_536), 4096),
      );
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    this.buffer.set(chunk, this.length);
    this.length = needed;
  }

  /** One complete msgpack object as a forward message. */
  private frame(bytes: Uint8Array, offset: number): ForwardFrame {
    const fail = (reason: string): never => {
      throw new ForwardDecodeError(offset, reason);
    };
    let value: unknown;
    try {
      value = decodeOne(bytes);
    } catch (error) {
      fail(`invalid msgpack: ${(error as Error).message}`);
    }
    if (value === null) return { kind: 'heartbeat', offset };
    if (!Array.isArray(value)) return fail(`expected an array [tag, ...], got ${describe(value)}`);
    const [tag, second] = value as unknown[];
    if (tag === 'PING' && value.length === 6) return this.ping(value, offset, fail);
    if (typeof tag !== 'string')
      return fail(`the tag (first element) must be a string, got ${describe(tag)}`);
    if (tag.length === 0) return fail('the tag is empty');
    if (value.length < 2) return fail('a message needs a tag and events');

    if (Array.isArray(second)) {
      if (value.length > 3) return fail(`Forward mode has 2 or 3 elements, got ${value.length}`);
      const option = this.option(value[2], fail);
      if (option.compressed) return fail('compressed is only valid with packed entries');
      const entries = second.map((entry, i) => this.entry(entry, offset, i + 1));
      this.checkSize(option, entries.length, fail);
      return { kind: 'events', offset, mode: 'forward', tag, entries, option };
    }
    if (typeof second === 'string' || second instanceof Uint8Array) {
      if (value.length > 3)
        return fail(`PackedForward mode has 2 or 3 elements, got ${value.length}`);
      const option = this.option(value[2], fail);
      // Old clients send the entries as str; take its bytes, not its (lossy) text.
      const packed = typeof second === 'string' ? this.secondItemBytes(bytes) : second;
      if (!packed) return fail('cannot locate the packed entries');
      let entriesBytes = packed;
      if (option.compressed === 'gzip') {
        try {
          entriesBytes = gunzipSync(packed, { maxOutputLength: this.maxBytes });
        } catch (error) {
          const code = (error as { code?: string }).code;
          return fail(
            code === 'ERR_BUFFER_TOO_LARGE'
              ? `decompressed entries are larger than the limit of ${this.maxBytes} bytes (INGEST_FORWARD_MAX_MESSAGE_BYTES)`
              : `compressed entries are not valid gzip: ${(error as Error).message}`,
          );
        }
      }
      const entries = this.packedEntries(entriesBytes, offset);
      this.checkSize(option, entries.length, fail);
      return {
        kind: 'events',
        offset,
        mode: option.compressed ? 'compressed-packed-forward' : 'packed-forward',
        tag,
        entries,
        option,
      };
    }
    const valid = readTime(second);
    if (valid || typeof second === 'number' || typeof second === 'bigint') {
      if (!valid)
        return fail(`the time must be non-negative seconds or an EventTime, got ${String(second)}`);
      if (value.length < 3 || value.length > 4)
        return fail(`Message mode has 3 or 4 elements, got ${value.length}`);
      const record = value[2];
      if (!isMap(record)) return fail(`the record must be a map, got ${describe(record)}`);
      const option = this.option(value[3], fail);
      if (option.compressed) return fail('compressed is only valid with packed entries');
      const entries = [new ForwardEntry(timeSeconds, timeNanos, record)];
      return { kind: 'events', offset, mode: 'message', tag, entries, option };
    }
    return fail(
      `the second element must be entries (array), packed entries (bin) or a time, got ${describe(second)}`,
    );
  }

  private ping(value: unknown[], offset: number, fail: (reason: string) => never): ForwardFrame {
    const [, clientHostname, salt, sharedKeyDigest, username, passwordDigest] = value;
    if (typeof clientHostname !== 'string') return fail('PING: client hostname must be a string');
    if (typeof salt !== 'string' && !(salt instanceof Uint8Array))
      return fail('PING: salt must be a string or bin');
    if (typeof sharedKeyDigest !== 'string')
      return fail('PING: shared key digest must be a string');
    return {
      kind: 'ping',
      offset,
      clientHostname,
      salt,
      sharedKeyDigest,
      username: typeof username === 'string' ? username : '',
      passwordDigest: typeof passwordDigest === 'string' ? passwordDigest : '',
    };
  }

  private option(value: unknown, fail: (reason: string) => never): ForwardOption {
    if (value === undefined || value === null) return {};
    if (!isMap(value)) return fail(`the option must be a map, got ${describe(value)}`);
    const option: ForwardOption = {};
    const { chunk, size, compressed } = value;
    if (chunk !== undefined) {
      if (typeof chunk !== 'string' || chunk.length > 1024)
        return fail('option chunk must be a string of at most 1024 characters');
      option.chunk = chunk;
    }
    if (size !== undefined) {
      const n = typeof size === 'bigint' ? Number(size) : size;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        return fail('option size must be a whole number');
      option.size = n;
    }
    if (compressed !== undefined && compressed !== null && compressed !== 'text') {
      if (compressed !== 'gzip')
        return fail(
          `option compressed "${String(compressed).slice(0, 20)}" is not supported: use gzip`,
        );
      option.compressed = 'gzip';
    }
    return option;
  }

  private checkSize(option: ForwardOption, count: number, fail: (reason: string) => never): void {
    if (option.size !== undefined && option.size !== count)
      fail(`option size says ${option.size} entries, the message holds ${count}`);
  }

  private entry(value: unknown, offset: number, n: number, entryOffset?: number): ForwardEntry {
    const fail = (reason: string): never => {
      throw new ForwardDecodeError(offset, reason, n, entryOffset);
    };
    if (!Array.isArray(value) || value.length !== 2)
      return fail(
        `an entry must be [time, record], got ${Array.isArray(value) ? `an array of ${value.length}` : describe(value)}`,
      );
    if (!readTime(value[0]))
      return fail(
        `the time must be non-negative seconds or an EventTime, got ${describe(value[0])}`,
      );
    if (!isMap(value[1])) return fail(`the record must be a map, got ${describe(value[1])}`);
    return new ForwardEntry(timeSeconds, timeNanos, value[1]);
  }

  private packedEntries(bytes: Uint8Array, offset: number): ForwardEntry[] {
    const entries: ForwardEntry[] = [];
    const limits = { maxBytes: this.maxBytes, maxDepth: this.maxDepth };
    for (let pos = 0, n = 1; pos < bytes.length; n++) {
      let end: number;
      try {
        end = objectEnd(bytes, pos, limits);
      } catch (error) {
        if (error instanceof MsgpackScanError)
          throw new ForwardDecodeError(offset, error.reason, n, pos + error.offset);
        throw error;
      }
      if (end < 0) throw new ForwardDecodeError(offset, 'the entry is cut short', n, pos);
      let value: unknown;
      try {
        value = decodeOne(bytes.subarray(pos, end));
      } catch (error) {
        throw new ForwardDecodeError(
          offset,
          `invalid msgpack: ${(error as Error).message}`,
          n,
          pos,
        );
      }
      entries.push(this.entry(value, offset, n, pos));
      pos = end;
    }
    return entries;
  }

  /** The raw bytes of the second element of the array that `bytes` holds. */
  private secondItemBytes(bytes: Uint8Array): Uint8Array | null {
    const items = arrayItemsAt(bytes, 0);
    if (!items || items.count < 2) return null;
    const afterTag = objectEnd(bytes, items.first, {
      maxBytes: this.maxBytes,
      maxDepth: this.maxDepth,
    });
    return afterTag < 0 ? null : rawBytesAt(bytes, afterTag);
  }
}

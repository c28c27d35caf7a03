import { isAscii, isUtf8 } from 'node:buffer';
import { PointBatch } from '@sextant/ingest';

// InfluxDB line protocol: `measurement[,tag=value...] field=value[,field=value...] [timestamp]`,
// one point per line (a quoted string field may span lines). The parser walks the body's bytes
// once, straight into the columns of a PointBatch, without turning the body into a string: the
// measurement and tags of a series are recognised by a hash of their bytes and parsed once
// (remembered across bodies by a LineProtocolParser), field keys are matched in place against
// the series' previous line, plain decimals and timestamps are read digit by digit (no slice,
// no BigInt). A bad line becomes an error naming its number and column, and the good lines
// still count (InfluxDB's partial write). Lines that are not valid UTF-8 are such errors too.

export type FieldValue =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: bigint }
  | { type: 'unsigned'; value: bigint }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string };

export interface LineError {
  line: number;
  column: number;
  message: string;
  /** The line's text, shortened. */
  text: string;
}

export type Precision = 'ns' | 'us' | 'ms' | 's' | 'm' | 'h';

/** Nanoseconds per unit of each precision (InfluxDB 1.x names, plus µs and u). */
const precisions: Record<string, bigint> = {
  ns: 1n,
  n: 1n,
  us: 1_000n,
  u: 1_000n,
  µs: 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** Nanoseconds per unit, or null for an unknown precision. */
export function precisionUnit(precision: string | undefined): bigint | null {
  if (precision === undefined || precision === '') return 1n;
  return precisions[precision] ?? null;
}

export interface ParseOptions {
  /** Nanoseconds per timestamp unit (default 1: nanoseconds). */
  unit?: bigint;
  /** Time of points without a timestamp, in nanoseconds (truncated to the unit). */
  defaultTime?: bigint;
  /** Longest line accepted, in characters (default 1 MiB). */
  maxLineLength?: number;
}

const maxInt64 = 2n ** 63n - 1n;
const minInt64 = -(2n ** 63n);
const maxUint64 = 2n ** 64n - 1n;

const SPACE = 32;
const COMMA = 44;
const EQUALS = 61;
const QUOTE = 34;
const BACKSLASH = 92;
const NEWLINE = 10;
const RETURN = 13;
const HASH = 35;
const TAB = 9;

class LineSyntaxError extends Error {
  constructor(
    readonly position: number,
    message: string,
  ) {
    super(message);
  }
}

const floatPattern = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const intPattern = /^-?\d+$/;
const uintPattern = /^\d+$/;
const booleans: Record<string, boolean> = {
  t: true,
  T: true,
  true: true,
  True: true,
  TRUE: true,
  f: false,
  F: false,
  false: false,
  False: false,
  FALSE: false,
};

/** Only the characters of a decimal float, starting with a digit, '-' or '.'. */
function plainNumber(token: string): boolean {
  const first = token.charCodeAt(0);
  if (!((first >= 48 && first <= 57) || first === 45 || first === 46)) return false;
  for (let i = 1; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || c === 46 || c === 101 || c === 69 || c === 45 || c === 43))
      return false;
  }
  return true;
}

function parseFieldValue(token: string, at: number): FieldValue {
  if (token === '') throw new LineSyntaxError(at, 'field value is missing');
  const last = token.charCodeAt(token.length - 1);
  if (last === 105 /* i */) {
    const digits = token.slice(0, -1);
    if (!intPattern.test(digits))
      throw new LineSyntaxError(at, `cannot parse "${token}" as an integer`);
    const value = BigInt(digits);
    if (value > maxInt64 || value < minInt64)
      throw new LineSyntaxError(at, `integer ${token} is out of the signed 64-bit range`);
    return { type: 'integer', value };
  }
  if (last === 117 /* u */) {
    const digits = token.slice(0, -1);
    if (!uintPattern.test(digits))
      throw new LineSyntaxError(at, `cannot parse "${token}" as an unsigned integer`);
    const value = BigInt(digits);
    if (value > maxUint64)
      throw new LineSyntaxError(at, `unsigned ${token} is out of the 0..2^64-1 range`);
    return { type: 'unsigned', value };
  }
  // The usual case, a plain decimal, without the pattern: only digits, '.', '-', 'e', 'E' and
  // '+', not starting with '+' or 'e', and a number where Number() agrees (it rejects "1.2.3",
  // "1e", "-" and "."; the characters rule out hex, "Infinity" and whitespace).
  if (plainNumber(token)) {
    const value = Number(token);
    if (value === value) {
      if (!Number.isFinite(value))
        throw new LineSyntaxError(
          at,
          `cannot parse ${token.slice(0, 40)}…: out of the float64 range`,
        );
      return { type: 'float', value };
    }
  }
  const bool = booleans[token];
  if (bool !== undefined) return { type: 'boolean', value: bool };
  if (!floatPattern.test(token))
    throw new LineSyntaxError(
      at,
      `field value ${JSON.stringify(token.slice(0, 40))} is not a number, boolean or quoted string`,
    );
  const value = Number(token);
  if (!Number.isFinite(value))
    throw new LineSyntaxError(at, `cannot parse ${token.slice(0, 40)}…: out of the float64 range`);
  return { type: 'float', value };
}

/** The bytes of a body as a Buffer (a view, no copy). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** Text of bytes [start, end). */
function textOf(body: Buffer, start: number, end: number): string {
  return body.toString('utf8', start, end);
}

/**
 * Reads an identifier (measurement, tag key or value, field key) up to an unescaped stop
 * character. `\` escapes the stop characters and, where allowed, `=`; before anything else it
 * is a literal backslash.
 */
function readName(
  body: Buffer,
  start: number,
  end: number,
  stopAtEquals: boolean,
  stopAtComma: boolean,
  allowControl = false,
): [string, number] {
  let i = start;
  let out = '';
  let from = start;
  for (; i < end; i++) {
    const c = body[i];
    if (c === BACKSLASH && i + 1 < end) {
      const next = body[i + 1];
      if (next === COMMA || next === SPACE || next === EQUALS) {
        out += textOf(body, from, i);
        from = i + 1;
        i++;
      }
      continue;
    }
    if (
      c === SPACE ||
      c === NEWLINE ||
      (stopAtComma && c === COMMA) ||
      (stopAtEquals && c === EQUALS)
    )
      break;
    if (c < SPACE && !allowControl) {
      const code = c.toString(16).padStart(2, '0');
      throw new LineSyntaxError(i, `invalid control character 0x${code} in a name`);
    }
  }
  out += textOf(body, from, i);
  return [out, i];
}

/** A parsed body: its good lines' points in columns, and an error per bad line. */
export interface ParsedBody {
  batch: PointBatch;
  errors: LineError[];
  /** Good lines. */
  lines: number;
}

/** A series (measurement and tags as written) the parser has seen. */
interface SeriesEntry {
  hash: number;
  /** Where its bytes are in the parser's pool. */
  at: number;
  length: number;
  prefix: string;
  measurement: string;
  tags: [string, string][];
  /** The body it was last used in, and its index in that body's batch. */
  stamp: number;
  series: number;
  /** The field keys of the series' last line as written, each with its '=' (pool positions). */
  keyAt: number[];
  keyLength: number[];
  keys: string[];
  /** The float slot of each key in the current batch, or -1 when not yet known. */
  floatSlots: number[];
  /** Whether the parser's table holds it (a line that repeats it may be recognised by it). */
  remembered: boolean;
  /** The series of the line that followed this series' last line (agents repeat their order). */
  next: SeriesEntry | null;
}

const two32 = 4294967296;
const two31 = 2147483648;
const powersOfTen = Array.from({ length: 23 }, (_, k) => 10 ** k);

/** Factors (each small enough to multiply 32-bit words exactly) of a unit in nanoseconds. */
function unitFactors(unit: bigint): number[] | null {
  const factors: number[] = [];
  let rest = unit;
  for (const f of [1000n, 60n, 3600n]) {
    while (rest % f === 0n && rest > 1n) {
      factors.push(Number(f));
      rest /= f;
    }
  }
  return rest === 1n ? factors : null;
}

// The digit readers' results (module state rather than an object per call).
let timeLow = 0;
let timeHigh = 0;

/**
 * Reads an integer timestamp in [start, end) and multiplies it by the unit's factors into
 * `timeLow`/`timeHigh` (two's complement words). False when the token is not plain digits or
 * the time is beyond ±2^63 ns: the caller then decides with BigInt (and its messages).
 */
function readTime(body: Uint8Array, start: number, end: number, factors: number[]): boolean {
  let i = start;
  const negative = body[i] === 45;
  if (negative) i++;
  if (i === end) return false;
  // Up to 15 digits are exact in one double; the rest (a timestamp has at most 19) go word by
  // word, so that only a few divisions are needed.
  let head = 0;
  const headEnd = Math.min(end, i + 15);
  for (; i < headEnd; i++) {
    const digit = body[i] - 48;
    if (digit < 0 || digit > 9) return false;
    head = head * 10 + digit;
  }
  let high = Math.floor(head / two32);
  let low = head - high * two32;
  for (; i < end; i++) {
    const digit = body[i] - 48;
    if (digit < 0 || digit > 9) return false;
    low = low * 10 + digit;
    const carry = Math.floor(low / two32);
    low -= carry * two32;
    high = high * 10 + carry;
    if (high >= two31) return false;
  }
  for (let f = 0; f < factors.length; f++) {
    low *= factors[f];
    const carry = Math.floor(low / two32);
    low -= carry * two32;
    high = high * factors[f] + carry;
    if (high >= two31) return false;
  }
  if (negative && (low !== 0 || high !== 0)) {
    if (low === 0) high = -high;
    else {
      low = two32 - low;
      high = -high - 1;
    }
  }
  timeLow = low | 0;
  timeHigh = high;
  return true;
}

/**
 * A plain decimal in [start, end) (`-?digits[.digits][e[+-]digits]`) as the nearest double, or
 * NaN when it is anything else: the caller then parses the token the slow way. Up to 15 digits
 * and a power of ten up to 22 the result is one correctly rounded operation on two exact
 * doubles (Clinger's fast path); longer ones go through Number().
 */
function plainDecimal(body: Buffer, start: number, end: number): number {
  let i = start;
  const negative = body[i] === 45;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let c = 0;
  for (; i < end; i++) {
    c = body[i] - 48;
    if (c < 0 || c > 9) break;
    mantissa = mantissa * 10 + c;
    digits++;
  }
  let fraction = 0;
  if (i < end && body[i] === 46) {
    for (i++; i < end; i++) {
      c = body[i] - 48;
      if (c < 0 || c > 9) break;
      mantissa = mantissa * 10 + c;
      fraction++;
    }
  }
  if (digits + fraction === 0) return NaN;
  let exponent = 0;
  if (i < end) {
    c = body[i];
    if (c !== 101 && c !== 69) return NaN;
    i++;
    let negativeExponent = false;
    c = i < end ? body[i] : 0;
    if (c === 45 || c === 43) {
      negativeExponent = c === 45;
      i++;
    }
    const from = i;
    for (; i < end; i++) {
      c = body[i] - 48;
      if (c < 0 || c > 9 || exponent > 100_000) break;
      exponent = exponent * 10 + c;
    }
    if (i !== end || i === from) return NaN;
    if (negativeExponent) exponent = -exponent;
  }
  const scale = fraction - exponent;
  let value: number;
  if (digits + fraction <= 15 && scale >= -22 && scale <= 22)
    value = scale >= 0 ? mantissa / powersOfTen[scale] : mantissa * powersOfTen[-scale];
  else value = Number(body.toString('latin1', start, end));
  if (!Number.isFinite(value))
    throw new LineSyntaxError(
      start,
      `cannot parse ${body.toString('latin1', start, Math.min(end, start + 40))}…: out of the float64 range`,
    );
  return negative && value === 0 ? -0 : negative && value > 0 ? -value : value;
}

/** Blanks the lines that are not valid UTF-8 (so line numbers stay true), an error each. */
function blankInvalidLines(body: Buffer, errors: LineError[]): Buffer {
  const copy = Buffer.from(body);
  let start = 0;
  let line = 1;
  while (start <= copy.length) {
    let end = copy.indexOf(NEWLINE, start);
    if (end < 0) end = copy.length;
    if (!isUtf8(copy.subarray(start, end))) {
      errors.push({
        line,
        column: 1,
        message: 'line is not valid UTF-8',
        text: copy.toString('latin1', start, Math.min(end, start + 120)),
      });
      copy.fill(SPACE, start, end);
    }
    start = end + 1;
    line++;
  }
  return copy;
}

/** Parses one body with a parser of its own (see LineProtocolParser to reuse one). */
export function parseLineProtocol(
  body: Uint8Array | string,
  options: ParseOptions = {},
): ParsedBody {
  return new LineProtocolParser().parse(body, options);
}

/** Series a parser remembers before it starts afresh. */
const maxEntries = 100_000;

/**
 * A line-protocol parser that remembers the series (measurement and tags) it has parsed, so
 * that the next bodies of the same agents parse none of them again. Synchronous: one body at
 * a time, so one parser serves every request of a server.
 */
export class LineProtocolParser {
  private table = new Int32Array(4096);
  private entries: SeriesEntry[] = [];
  private pool = new Uint8Array(1 << 16);
  private poolUsed = 0;
  private stamp = 0;
  // The body being parsed.
  private body: Buffer = Buffer.alloc(0);
  private batch: PointBatch = new PointBatch(16);
  private factors: number[] | null = null;
  private unit = 1n;
  private defaultLow = 0;
  private defaultHigh = 0;
  /** Whether the last line had a string field (which may span lines). */
  private sawString = false;
  /** The series of the last line parsed. */
  private previous: SeriesEntry | null = null;
  /** The last timestamp read in this body: where its text is, and its words. */
  private timeStart = -1;
  private timeLength = 0;
  private lastLow = 0;
  private lastHigh = 0;

  /** Parses a whole body; returns its points and an error per bad line. */
  parse(input: Uint8Array | string, options: ParseOptions = {}): ParsedBody {
    const errors: LineError[] = [];
    let body = typeof input === 'string' ? Buffer.from(input, 'utf8') : asBuffer(input);
    if (!isAscii(body) && !isUtf8(body)) body = blankInvalidLines(body, errors);
    const unit = options.unit ?? 1n;
    const defaultTime = ((options.defaultTime ?? BigInt(Date.now()) * 1_000_000n) / unit) * unit;
    const maxLineLength = options.maxLineLength ?? 1 << 20;
    const words = new Int32Array(new BigInt64Array([defaultTime]).buffer);
    this.defaultLow = words[0];
    this.defaultHigh = words[1];
    this.unit = unit;
    this.factors = unitFactors(unit);
    this.body = body;
    this.timeStart = -1;
    // About 30 bytes a point in the usual body: room without growing.
    this.batch = new PointBatch(Math.ceil(body.length / 30));
    this.stamp++;
    if (this.entries.length > maxEntries) this.forget();
    const end = body.length;
    // A byte order mark is not part of the first line.
    let pos = end >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf ? 3 : 0;
    let lineNumber = 0;
    let good = 0;
    while (pos < end) {
      lineNumber++;
      const lineStart = pos;
      const first = body[pos];
      // Blank lines and comments.
      let blank = pos;
      for (;;) {
        const c = body[blank];
        if (blank < end && (c === SPACE || c === TAB || c === RETURN)) blank++;
        else break;
      }
      if (blank >= end || body[blank] === NEWLINE) {
        pos = blank + 1;
        continue;
      }
      if (first === HASH) {
        const next = body.indexOf(NEWLINE, pos);
        pos = next < 0 ? end : next + 1;
        continue;
      }
      const mark = this.batch.length;
      try {
        const next = this.line(pos, lineNumber);
        if (next - lineStart > maxLineLength)
          throw new LineSyntaxError(lineStart, `line is longer than ${maxLineLength} bytes`);
        // A quoted string may hold newlines: count them for the next line numbers.
        if (this.sawString)
          for (let i = lineStart; i < next - 1; i++) if (body[i] === NEWLINE) lineNumber++;
        pos = next;
        good++;
      } catch (error) {
        if (!(error instanceof LineSyntaxError)) throw error;
        this.truncate(mark);
        // Skip to the end of this line (a broken quote does not swallow the rest of the body).
        const lineEnd = body.indexOf(NEWLINE, lineStart);
        const stop = lineEnd < 0 ? end : lineEnd;
        errors.push({
          line: lineNumber,
          column: textOf(body, lineStart, Math.max(lineStart, error.position)).length + 1,
          message: error.message,
          text: textOf(body, lineStart, Math.min(stop, lineStart + 480)).slice(0, 120),
        });
        pos = lineEnd < 0 ? end : lineEnd + 1;
      }
    }
    errors.sort((a, b) => a.line - b.line);
    const batch = this.batch;
    this.body = Buffer.alloc(0);
    this.batch = new PointBatch(16);
    return { batch, errors, lines: good };
  }

  /** Drops the points of a line that turned out bad. */
  private truncate(length: number): void {
    const batch = this.batch;
    for (let i = length; i < batch.length; i++) batch.slots[batch.slotOf[i]].count--;
    batch.length = length;
  }

  /** Starts afresh (a bound on what is remembered). */
  private forget(): void {
    this.previous = null;
    this.table = new Int32Array(4096);
    this.entries = [];
    this.pool = new Uint8Array(1 << 16);
    this.poolUsed = 0;
  }

  /** The series whose measurement and tags are the bytes [start, end), parsed when new. */
  private entry(start: number, end: number, hash: number): SeriesEntry {
    const body = this.body;
    const pool = this.pool;
    const length = end - start;
    const mask = this.table.length - 1;
    let probe = hash & mask;
    for (;;) {
      const index = this.table[probe] - 1;
      if (index < 0) break;
      const entry = this.entries[index];
      if (entry.hash === hash && entry.length === length) {
        let same = true;
        for (let i = 0, at = entry.at; i < length; i++)
          if (pool[at + i] !== body[start + i]) {
            same = false;
            break;
          }
        if (same) return this.use(entry);
      }
      probe = (probe + 1) & mask;
    }
    const part = parseSeries(body, start, body.length);
    const entry: SeriesEntry = {
      hash,
      at: this.remember(start, length),
      length,
      prefix: textOf(body, start, end),
      measurement: part.measurement,
      tags: part.tags,
      stamp: 0,
      series: -1,
      keyAt: [],
      keyLength: [],
      keys: [],
      floatSlots: [],
      remembered: false,
      next: null,
    };
    // Only a part that ends where the scan ended is the same for every line that repeats it.
    if (part.length !== length) {
      entry.length = part.length;
      return this.use(entry);
    }
    entry.remembered = true;
    this.table[probe] = this.entries.push(entry);
    if (this.entries.length * 2 > this.table.length) this.rehash();
    return this.use(entry);
  }

  /** The entry, with its series in the current batch. */
  private use(entry: SeriesEntry): SeriesEntry {
    if (entry.stamp !== this.stamp) {
      entry.stamp = this.stamp;
      // The entry itself is the batch's series (its table already tells series apart).
      entry.series = this.batch.appendSeries(entry);
      entry.floatSlots.fill(-1);
    }
    return entry;
  }

  /** Copies bytes of the body into the pool; returns where. */
  private remember(start: number, length: number): number {
    if (this.poolUsed + length > this.pool.length) {
      let size = this.pool.length * 2;
      while (size < this.poolUsed + length) size *= 2;
      const pool = new Uint8Array(size);
      pool.set(this.pool.subarray(0, this.poolUsed));
      this.pool = pool;
    }
    const at = this.poolUsed;
    this.pool.set(this.body.subarray(start, start + length), at);
    this.poolUsed += length;
    return at;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    this.entries.forEach((entry, index) => {
      let probe = entry.hash & mask;
      while (table[probe] !== 0) probe = (probe + 1) & mask;
      table[probe] = index + 1;
    });
    this.table = table;
  }

  /** Parses the line at `start` into the batch; returns where the next line starts. */
  private line(start: number, lineNumber: number): number {
    const body = this.body;
    const end = body.length;
    const batch = this.batch;
    // Agents write their series in the same order body after body: the series that followed
    // the previous line's last time is tried first, by its bytes alone.
    let entry: SeriesEntry | null = null;
    const guess = this.previous?.next;
    if (guess) {
      const length = guess.length;
      const at = guess.at;
      const pool = this.pool;
      if (start + length < end && body[start + length] === SPACE) {
        let same = true;
        for (let i = 0; i < length; i++)
          if (pool[at + i] !== body[start + i]) {
            same = false;
            break;
          }
        if (same) entry = this.use(guess);
      }
    }
    if (entry === null) {
      // The end of the measurement and tags (the first unescaped space), hashed on the way.
      let hash = 0x811c9dc5;
      let seriesEnd = start;
      for (; seriesEnd < end; seriesEnd++) {
        const c = body[seriesEnd];
        if (c === SPACE || c === NEWLINE) break;
        hash = Math.imul(hash ^ c, 16777619);
        if (c === BACKSLASH && seriesEnd + 1 < end) {
          seriesEnd++;
          hash = Math.imul(hash ^ body[seriesEnd], 16777619);
        }
      }
      if (seriesEnd > end) seriesEnd = end;
      entry = this.entry(start, seriesEnd, hash);
    }
    if (entry.remembered) {
      if (this.previous) this.previous.next = entry;
      this.previous = entry;
    }
    let pos = start + entry.length;
    if (pos >= end || body[pos] !== SPACE)
      throw new LineSyntaxError(pos, 'expected a space and fields after the measurement and tags');
    while (pos < end && body[pos] === SPACE) pos++;

    // Fields are read first and their points timed once the timestamp is known.
    const fieldsFrom = batch.length;
    const pool = this.pool;
    this.sawString = false;
    for (let k = 0; ; k++) {
      const keyStart = pos;
      let key: string | null = null;
      if (k < entry.keys.length) {
        const length = entry.keyLength[k];
        const at = entry.keyAt[k];
        let same = pos + length <= end;
        for (let i = 0; same && i < length; i++) if (pool[at + i] !== body[pos + i]) same = false;
        if (same) {
          key = entry.keys[k];
          pos += length;
        }
      }
      const known = key !== null;
      if (key === null) {
        const [name, afterKey] = readName(body, pos, end, true, true);
        if (name === '') throw new LineSyntaxError(keyStart, 'expected a field name');
        if (afterKey >= end || body[afterKey] !== EQUALS)
          throw new LineSyntaxError(afterKey, `expected '=' after field name "${name}"`);
        key = name;
        pos = afterKey + 1;
        entry.keyAt.length = k;
        entry.keyLength.length = k;
        entry.keys.length = k;
        entry.floatSlots.length = k;
        entry.keyAt.push(this.remember(keyStart, pos - keyStart));
        entry.keyLength.push(pos - keyStart);
        entry.keys.push(key);
        entry.floatSlots.push(-1);
      }
      if (pos < end && body[pos] === QUOTE) {
        pos = this.stringField(entry.series, key, pos, lineNumber);
      } else {
        let i = pos;
        for (; i < end; i++) {
          const c = body[i];
          if (c === COMMA || c === SPACE || c === NEWLINE) break;
        }
        let tokenEnd = i;
        if (i > pos && body[i - 1] === RETURN && (i >= end || body[i] === NEWLINE)) tokenEnd--;
        const value = tokenEnd > pos ? plainDecimal(body, pos, tokenEnd) : NaN;
        if (value === value) {
          let slot = known ? entry.floatSlots[k] : -1;
          if (slot < 0) {
            slot = batch.slot(entry.series, key, 'float');
            entry.floatSlots[k] = slot;
          }
          batch.pushFloat(slot, 0, 0, value, lineNumber);
        } else {
          const field = parseFieldValue(textOf(body, pos, tokenEnd), pos);
          const slot = batch.slot(entry.series, key, field.type);
          batch.pushOther(slot, 0, 0, field.value, lineNumber);
        }
        pos = i;
      }
      if (pos < end && body[pos] === COMMA) {
        pos++;
        continue;
      }
      break;
    }

    // Optional timestamp, then only whitespace to the end of the line.
    while (pos < end && body[pos] === SPACE) pos++;
    let low = this.defaultLow;
    let high = this.defaultHigh;
    if (pos < end && body[pos] !== NEWLINE && body[pos] !== RETURN) {
      const timeStart = pos;
      while (pos < end) {
        const c = body[pos];
        if (c === SPACE || c === NEWLINE || c === RETURN) break;
        pos++;
      }
      // Lines of one body mostly share their timestamp: the last one's words when the text is
      // the same.
      const length = pos - timeStart;
      let same = length === this.timeLength && this.timeStart >= 0;
      for (let i = 0; same && i < length; i++)
        if (body[this.timeStart + i] !== body[timeStart + i]) same = false;
      if (same) {
        low = this.lastLow;
        high = this.lastHigh;
      } else if (this.factors && readTime(body, timeStart, pos, this.factors)) {
        low = this.lastLow = timeLow;
        high = this.lastHigh = timeHigh;
        this.timeStart = timeStart;
        this.timeLength = length;
      } else {
        const token = textOf(body, timeStart, pos);
        if (!intPattern.test(token))
          throw new LineSyntaxError(timeStart, `invalid timestamp "${token.slice(0, 40)}"`);
        const time = BigInt(token) * this.unit;
        if (time > maxInt64 || time < minInt64)
          throw new LineSyntaxError(timeStart, `timestamp ${token} is out of range`);
        const words = new Int32Array(new BigInt64Array([time]).buffer);
        low = words[0];
        high = words[1];
      }
    }
    while (pos < end) {
      const c = body[pos];
      if (c === NEWLINE) {
        pos++;
        break;
      }
      if (c !== SPACE && c !== RETURN && c !== TAB)
        throw new LineSyntaxError(pos, 'unexpected text after the timestamp');
      pos++;
    }
    const words = batch.timeWords;
    for (let i = fieldsFrom; i < batch.length; i++) {
      words[2 * i] = low;
      words[2 * i + 1] = high;
    }
    return pos;
  }

  /** A quoted string field at `pos`: \" and \\ are escapes, other backslashes literal. */
  private stringField(series: number, key: string, pos: number, lineNumber: number): number {
    const body = this.body;
    const end = body.length;
    let value = '';
    let from = pos + 1;
    let i = from;
    for (; i < end; i++) {
      const c = body[i];
      if (c === BACKSLASH && i + 1 < end) {
        const next = body[i + 1];
        if (next === QUOTE || next === BACKSLASH) {
          value += textOf(body, from, i);
          from = i + 1;
          i++;
        }
        continue;
      }
      if (c === QUOTE) break;
    }
    if (i >= end) throw new LineSyntaxError(pos, 'string field value has no closing quote');
    value += textOf(body, from, i);
    this.batch.pushOther(this.batch.slot(series, key, 'string'), 0, 0, value, lineNumber);
    this.sawString = true;
    return i + 1;
  }
}

interface SeriesPart {
  measurement: string;
  tags: [string, string][];
  /** Offset of the end of the part from its start. */
  length: number;
}

function parseSeries(body: Buffer, start: number, end: number): SeriesPart {
  const c0 = body[start];
  if (c0 === SPACE || c0 === TAB || c0 === COMMA)
    throw new LineSyntaxError(start, 'a line must start with the measurement name');
  const [measurement, afterMeasurement] = readName(body, start, end, false, true);
  if (measurement === '') throw new LineSyntaxError(start, 'measurement name is empty');
  let pos = afterMeasurement;
  const tags: [string, string][] = [];
  while (pos < end && body[pos] === COMMA) {
    const [key, afterKey] = readName(body, pos + 1, end, true, true);
    if (key === '') throw new LineSyntaxError(pos + 1, 'empty tag name');
    if (afterKey >= end || body[afterKey] !== EQUALS)
      throw new LineSyntaxError(afterKey, `expected '=' after tag name "${key}"`);
    const [value, afterValue] = readName(body, afterKey + 1, end, false, true, true);
    if (value === '') throw new LineSyntaxError(afterKey + 1, `tag "${key}" has an empty value`);
    tags.push([key, value]);
    pos = afterValue;
  }
  if (tags.length > 1) {
    tags.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (let i = 1; i < tags.length; i++)
      if (tags[i][0] === tags[i - 1][0])
        throw new LineSyntaxError(start, `duplicate tag "${tags[i][0]}"`);
  }
  return { measurement, tags, length: pos - start };
}

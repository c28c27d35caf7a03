// InfluxDB line protocol: `measurement[,tag=value...] field=value[,field=value...] [timestamp]`,
// one point per line (a quoted string field may span lines). The parser walks the text once;
// a bad line becomes an error naming its number and column, and the good lines still count
// (InfluxDB's partial write).

export type FieldValue =
  | { type: 'float'; value: number }
  | { type: 'integer'; value: bigint }
  | { type: 'unsigned'; value: bigint }
  | { type: 'boolean'; value: boolean }
  | { type: 'string'; value: string };

export interface ParsedField {
  key: string;
  value: FieldValue;
}

export interface ParsedLine {
  /** 1-based line number in the body. */
  line: number;
  /** The measurement and tags as written: equal texts are the same series. */
  prefix: string;
  measurement: string;
  /** Sorted by key. */
  tags: [string, string][];
  fields: ParsedField[];
  /** Nanoseconds since the epoch. */
  time: bigint;
}

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

/**
 * Reads an identifier (measurement, tag key or value, field key) up to an unescaped stop
 * character. `\` escapes the stop characters and, where allowed, `=`; before anything else it
 * is a literal backslash.
 */
function readName(
  text: string,
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
    const c = text.charCodeAt(i);
    if (c === BACKSLASH && i + 1 < end) {
      const next = text.charCodeAt(i + 1);
      if (next === COMMA || next === SPACE || next === EQUALS) {
        out += text.slice(from, i);
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
  out += text.slice(from, i);
  return [out, i];
}

/** Parses a whole body; returns the good lines and an error per bad line. */
export function parseLineProtocol(
  text: string,
  options: ParseOptions = {},
): { lines: ParsedLine[]; errors: LineError[] } {
  const unit = options.unit ?? 1n;
  const defaultTime = ((options.defaultTime ?? BigInt(Date.now()) * 1_000_000n) / unit) * unit;
  const maxLineLength = options.maxLineLength ?? 1 << 20;
  const lines: ParsedLine[] = [];
  const errors: LineError[] = [];
  // Lines of one series repeat its measurement and tags: parse them once per body.
  const seriesCache = new Map<string, SeriesPart>();
  const end = text.length;
  let pos = 0;
  let lineNumber = 0;
  while (pos < end) {
    lineNumber++;
    const lineStart = pos;
    const first = text.charCodeAt(pos);
    // Blank lines and comments.
    let blank = pos;
    while (
      blank < end &&
      (text.charCodeAt(blank) === SPACE ||
        text.charCodeAt(blank) === TAB ||
        text.charCodeAt(blank) === RETURN)
    )
      blank++;
    if (blank >= end || text.charCodeAt(blank) === NEWLINE) {
      pos = blank + 1;
      continue;
    }
    if (first === HASH) {
      const next = text.indexOf('\n', pos);
      pos = next < 0 ? end : next + 1;
      continue;
    }
    try {
      const [parsed, next] = parseLine(text, pos, end, unit, defaultTime, seriesCache);
      if (next - lineStart > maxLineLength)
        throw new LineSyntaxError(lineStart, `line is longer than ${maxLineLength} characters`);
      parsed.line = lineNumber;
      lines.push(parsed);
      // A quoted string may hold newlines: count them for the next line numbers.
      if (parsed.fields.some((f) => f.value.type === 'string'))
        for (let i = lineStart; i < next - 1; i++) if (text.charCodeAt(i) === NEWLINE) lineNumber++;
      pos = next;
    } catch (error) {
      if (!(error instanceof LineSyntaxError)) throw error;
      // Skip to the end of this line (a broken quote does not swallow the rest of the body).
      const lineEnd = text.indexOf('\n', lineStart);
      const stop = lineEnd < 0 ? end : lineEnd;
      errors.push({
        line: lineNumber,
        column: Math.max(1, error.position - lineStart + 1),
        message: error.message,
        text: text.slice(lineStart, Math.min(stop, lineStart + 120)),
      });
      pos = lineEnd < 0 ? end : lineEnd + 1;
    }
  }
  return { lines, errors };
}

interface SeriesPart {
  measurement: string;
  tags: [string, string][];
  /** Offset of the end of the part from its start. */
  length: number;
}

/** The end of the measurement and tags: the first unescaped space or the line's end. */
function seriesEnd(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i++;
    else if (c === SPACE || c === NEWLINE) return i;
  }
  return end;
}

function parseSeries(text: string, start: number, end: number): SeriesPart {
  const c0 = text.charCodeAt(start);
  if (c0 === SPACE || c0 === TAB || c0 === COMMA)
    throw new LineSyntaxError(start, 'a line must start with the measurement name');
  const [measurement, afterMeasurement] = readName(text, start, end, false, true);
  if (measurement === '') throw new LineSyntaxError(start, 'measurement name is empty');
  let pos = afterMeasurement;
  const tags: [string, string][] = [];
  while (pos < end && text.charCodeAt(pos) === COMMA) {
    const [key, afterKey] = readName(text, pos + 1, end, true, true);
    if (key === '') throw new LineSyntaxError(pos + 1, 'empty tag name');
    if (afterKey >= end || text.charCodeAt(afterKey) !== EQUALS)
      throw new LineSyntaxError(afterKey, `expected '=' after tag name "${key}"`);
    const [value, afterValue] = readName(text, afterKey + 1, end, false, true, true);
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

function parseLine(
  text: string,
  start: number,
  end: number,
  unit: bigint,
  defaultTime: bigint,
  cache: Map<string, SeriesPart>,
): [ParsedLine, number] {
  const prefix = text.slice(start, seriesEnd(text, start, end));
  let series = cache.get(prefix);
  if (!series) {
    series = parseSeries(text, start, end);
    // Only a part that ends where the scan ended is the same for every line that repeats it.
    if (series.length === prefix.length) cache.set(prefix, series);
  }
  const { measurement, tags } = series;
  let pos = start + series.length;
  if (pos >= end || text.charCodeAt(pos) !== SPACE)
    throw new LineSyntaxError(pos, 'expected a space and fields after the measurement and tags');
  while (pos < end && text.charCodeAt(pos) === SPACE) pos++;

  const fields: ParsedField[] = [];
  for (;;) {
    const keyStart = pos;
    const [key, afterKey] = readName(text, pos, end, true, true);
    if (key === '') throw new LineSyntaxError(keyStart, 'expected a field name');
    if (afterKey >= end || text.charCodeAt(afterKey) !== EQUALS)
      throw new LineSyntaxError(afterKey, `expected '=' after field name "${key}"`);
    pos = afterKey + 1;
    if (pos < end && text.charCodeAt(pos) === QUOTE) {
      // A string: \" and \\ are escapes, any other backslash is literal; newlines allowed.
      let value = '';
      let from = pos + 1;
      let i = from;
      for (; i < end; i++) {
        const c = text.charCodeAt(i);
        if (c === BACKSLASH && i + 1 < end) {
          const next = text.charCodeAt(i + 1);
          if (next === QUOTE || next === BACKSLASH) {
            value += text.slice(from, i);
            from = i + 1;
            i++;
          }
          continue;
        }
        if (c === QUOTE) break;
      }
      if (i >= end) throw new LineSyntaxError(pos, 'string field value has no closing quote');
      value += text.slice(from, i);
      fields.push({ key, value: { type: 'string', value } });
      pos = i + 1;
    } else {
      let i = pos;
      while (i < end) {
        const c = text.charCodeAt(i);
        if (c === COMMA || c === SPACE || c === NEWLINE) break;
        i++;
      }
      let token = text.slice(pos, i);
      if (token.endsWith('\r') && (i >= end || text.charCodeAt(i) === NEWLINE))
        token = token.slice(0, -1);
      fields.push({ key, value: parseFieldValue(token, pos) });
      pos = i;
    }
    if (pos < end && text.charCodeAt(pos) === COMMA) {
      pos++;
      continue;
    }
    break;
  }

  // Optional timestamp, then only whitespace to the end of the line.
  while (pos < end && text.charCodeAt(pos) === SPACE) pos++;
  let time = defaultTime;
  if (pos < end && text.charCodeAt(pos) !== NEWLINE && text.charCodeAt(pos) !== RETURN) {
    const timeStart = pos;
    while (pos < end) {
      const c = text.charCodeAt(pos);
      if (c === SPACE || c === NEWLINE || c === RETURN) break;
      pos++;
    }
    const token = text.slice(timeStart, pos);
    if (!intPattern.test(token))
      throw new LineSyntaxError(timeStart, `invalid timestamp "${token.slice(0, 40)}"`);
    time = BigInt(token) * unit;
    if (time > maxInt64 || time < minInt64)
      throw new LineSyntaxError(timeStart, `timestamp ${token} is out of range`);
  }
  while (pos < end) {
    const c = text.charCodeAt(pos);
    if (c === NEWLINE) {
      pos++;
      break;
    }
    if (c !== SPACE && c !== RETURN && c !== TAB)
      throw new LineSyntaxError(pos, 'unexpected text after the timestamp');
    pos++;
  }
  return [{ line: 0, prefix, measurement, tags, fields, time }, pos];
}

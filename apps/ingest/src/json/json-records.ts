// JSON records for devices without an agent: one object, an array of objects, or NDJSON (one
// object per line). A record is either nested,
//   {"measurement": "scada", "tags": {"turbine": "T01"}, "fields": {"power_kw": 1200.5}, "time": ...}
// or flat, where every key but measurement and time is a field (number, boolean) or a tag
// (string):
//   {"measurement": "scada", "turbine": "T01", "power_kw": 1200.5, "time": ...}
// A bad record becomes an error naming it and the reason; the good ones still count.
import type { IngestLine } from '@sextant/ingest';
import { seriesKey } from '@sextant/timeseries';

export type JsonFormat = 'json' | 'ndjson';

export interface JsonRecordOptions {
  /** Nanoseconds per unit of numeric times (default 1 ms). */
  unit?: bigint;
  /** Whole numbers become integer fields instead of floats. */
  integers?: boolean;
  /** Time of records without one, in nanoseconds (default now). */
  defaultTime?: bigint;
  /** Longest NDJSON line and longest string value, in bytes (default 1 MiB). */
  maxRecordBytes?: number;
  /** Tags set on every record, over its own tags of the same name (from an MQTT topic). */
  extraTags?: [string, string][];
}

/** A record that could not be decoded: `record` is its array index, or its NDJSON line number. */
export interface RecordError {
  record: number;
  message: string;
}

export interface DecodedRecords {
  /** Each record's `line` is its array index (0-based) or NDJSON line number (1-based). */
  lines: IngestLine[];
  errors: RecordError[];
  /** Set when the body as a whole is not usable (nothing is decoded then). */
  bodyError?: string;
}

const maxNameLength = 200;
// series.key is varchar(1000).
const maxSeriesKeyLength = 1000;
const maxInt64 = 2n ** 63n - 1n;
const minInt64 = -(2n ** 63n);
const nestedKeys = new Set(['measurement', 'tags', 'fields', 'time']);
const rfc3339 =
  /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|([+-])(\d{2}):(\d{2}))$/;

class RecordProblem extends Error {}

function kind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function quoted(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
}

/** Nanoseconds since the epoch of an RFC 3339 time, or null when the text is not one. */
export function parseRfc3339(text: string): bigint | null {
  const m = rfc3339.exec(text);
  if (!m) return null;
  const [, date, clock, fraction = '', zone, sign, hours, minutes] = m;
  const ms = Date.parse(`${date}T${clock}Z`);
  // Date.parse rolls 2026-02-30 over into March: insist on a round trip.
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== `${date}T${clock}`)
    return null;
  let ns = BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
  if (zone !== 'Z' && zone !== 'z') {
    if (Number(hours) > 23 || Number(minutes) > 59) return null;
    const offset = BigInt(Number(hours) * 60 + Number(minutes)) * 60_000_000_000n;
    ns += sign === '+' ? -offset : offset;
  }
  return ns;
}

function decodeTime(value: unknown, unit: bigint, defaultTime: bigint): bigint {
  let ns: bigint;
  if (value === undefined || value === null) return defaultTime;
  if (typeof value === 'string') {
    if (/^-?\d{1,20}$/.test(value)) ns = BigInt(value) * unit;
    else {
      const parsed = parseRfc3339(value);
      if (parsed === null)
        throw new RecordProblem(
          `time ${quoted(value)} is not an RFC 3339 time with a zone (2026-11-21T10:00:00Z) or a number`,
        );
      ns = parsed;
    }
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RecordProblem(`time ${value} is not a finite number`);
    if (Number.isInteger(value)) {
      // JSON numbers are doubles: a nanosecond timestamp has already lost its last digits.
      if (!Number.isSafeInteger(value))
        throw new RecordProblem(
          `time ${value} is beyond 2^53 and lost precision as a JSON number: send it as a string of digits or RFC 3339`,
        );
      ns = BigInt(value) * unit;
    } else {
      const whole = Math.trunc(value);
      ns = BigInt(whole) * unit + BigInt(Math.round((value - whole) * Number(unit)));
    }
  } else {
    throw new RecordProblem(`time must be an RFC 3339 string or a number, not ${kind(value)}`);
  }
  if (ns > maxInt64 || ns < minInt64)
    throw new RecordProblem(`time ${quoted(String(value))} is out of range (years 1677-2262)`);
  return ns;
}

type Field = IngestLine['fields'][number];

function decodeField(
  where: string,
  key: string,
  value: unknown,
  options: Required<Pick<JsonRecordOptions, 'integers' | 'maxRecordBytes'>>,
): Field | null {
  if (key === '' || key.length > maxNameLength)
    throw new RecordProblem(`${where}field name must be 1-${maxNameLength} characters`);
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value))
        throw new RecordProblem(
          `${where}${key} is ${value}: NaN and ±Infinity cannot be stored (out of the float64 range)`,
        );
      if (options.integers && Number.isInteger(value)) {
        if (!Number.isSafeInteger(value))
          throw new RecordProblem(
            `${where}${key} is ${value}, beyond 2^53: it lost precision as a JSON number`,
          );
        return { key, value: { type: 'integer', value: BigInt(value) } };
      }
      return { key, value: { type: 'float', value } };
    case 'boolean':
      return { key, value: { type: 'boolean', value } };
    case 'string':
      if (Buffer.byteLength(value) > options.maxRecordBytes)
        throw new RecordProblem(
          `${where}${key} is longer than ${options.maxRecordBytes} bytes (oversized)`,
        );
      return { key, value: { type: 'string', value } };
    default:
      // null: a reading the device did not have.
      if (value === null) return null;
      throw new RecordProblem(
        `${where}${key} is ${kind(value)}: values must be numbers, booleans or strings (flatten nested objects, e.g. ${key}_x)`,
      );
  }
}

function checkTag(key: string, value: unknown, where: string): string {
  if (key === '' || key.length > maxNameLength)
    throw new RecordProblem(`${where}tag name must be 1-${maxNameLength} characters`);
  if (typeof value !== 'string')
    throw new RecordProblem(`${where}${key} is ${kind(value)}: tag values must be strings`);
  if (value === '') throw new RecordProblem(`${where}${key} is empty: a tag needs a value`);
  return value;
}

interface ResolvedOptions extends Required<Omit<JsonRecordOptions, 'extraTags'>> {
  extraTags: [string, string][];
}

/** Decodes one parsed record, or throws a RecordProblem saying what is wrong and where. */
function decodeRecord(record: unknown, line: number, options: ResolvedOptions): IngestLine {
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new RecordProblem(`expected an object, got ${kind(record)}`);
  const object = record as Record<string, unknown>;
  const measurement = object.measurement;
  if (measurement === undefined || measurement === null || measurement === '')
    throw new RecordProblem('missing measurement');
  if (typeof measurement !== 'string')
    throw new RecordProblem(`measurement must be a string, not ${kind(measurement)}`);
  if (measurement.length > maxNameLength)
    throw new RecordProblem(`measurement is longer than ${maxNameLength} characters`);

  const tags = new Map<string, string>();
  const fields: Field[] = [];
  if ('fields' in object || 'tags' in object) {
    for (const key of Object.keys(object))
      if (!nestedKeys.has(key))
        throw new RecordProblem(
          `unknown key ${quoted(key)}: a record with "fields" or "tags" has only measurement, tags, fields and time`,
        );
    const rawTags = object.tags ?? {};
    if (typeof rawTags !== 'object' || rawTags === null || Array.isArray(rawTags))
      throw new RecordProblem(`tags must be an object, not ${kind(rawTags)}`);
    for (const [key, value] of Object.entries(rawTags))
      tags.set(key, checkTag(key, value, 'tags.'));
    const rawFields = object.fields;
    if (typeof rawFields !== 'object' || rawFields === null || Array.isArray(rawFields))
      throw new RecordProblem(
        rawFields === undefined
          ? 'no fields: "fields" is missing'
          : `fields must be an object, not ${kind(rawFields)}`,
      );
    for (const [key, value] of Object.entries(rawFields)) {
      const field = decodeField('fields.', key, value, options);
      if (field) fields.push(field);
    }
  } else {
    for (const [key, value] of Object.entries(object)) {
      if (key === 'measurement' || key === 'time') continue;
      if (typeof value === 'string') tags.set(key, checkTag(key, value, ''));
      else {
        const field = decodeField('', key, value, options);
        if (field) fields.push(field);
      }
    }
  }
  if (fields.length === 0)
    throw new RecordProblem(
      'no fields: a record needs at least one number, boolean or string value',
    );
  for (const [key, value] of options.extraTags) tags.set(key, value);
  const sorted = [...tags].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const tagObject = Object.fromEntries(sorted);
  for (const field of fields)
    if (seriesKey(measurement, tagObject, field.key).length > maxSeriesKeyLength)
      throw new RecordProblem(
        `series of field ${field.key} is oversized: measurement, tags and field name exceed ${maxSeriesKeyLength} characters`,
      );
  const time = decodeTime(object.time, options.unit, options.defaultTime);
  return {
    prefix: JSON.stringify([measurement, sorted]),
    measurement,
    tags: sorted,
    fields,
    time,
    line,
  };
}

function resolve(options: JsonRecordOptions): ResolvedOptions {
  return {
    unit: options.unit ?? 1_000_000n,
    integers: options.integers ?? false,
    defaultTime: options.defaultTime ?? BigInt(Date.now()) * 1_000_000n,
    maxRecordBytes: options.maxRecordBytes ?? 1 << 20,
    extraTags: options.extraTags ?? [],
  };
}

function syntaxMessage(error: unknown, text: string): string {
  const detail = error instanceof Error ? error.message : String(error);
  // NaN and Infinity are JavaScript, not JSON: say so rather than "unexpected token N".
  if (/(^|[^"\w])-?(NaN|Infinity)\b/.test(text))
    return `not valid JSON: NaN and Infinity are not JSON numbers (send null to skip a value) — ${detail}`;
  return `not valid JSON: ${detail}`;
}

function decodeOne(
  record: unknown,
  number: number,
  options: ResolvedOptions,
  out: DecodedRecords,
): void {
  try {
    out.lines.push(decodeRecord(record, number, options));
  } catch (error) {
    if (!(error instanceof RecordProblem)) throw error;
    out.errors.push({ record: number, message: error.message });
  }
}

/** Decodes a JSON body: one record object or an array of them. */
export function decodeJsonRecords(text: string, options: JsonRecordOptions = {}): DecodedRecords {
  const resolved = resolve(options);
  const out: DecodedRecords = { lines: [], errors: [] };
  if (text.trim() === '')
    return { ...out, bodyError: 'body is empty: send a JSON object or an array of objects' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ...out, bodyError: `body is ${syntaxMessage(error, text)}` };
  }
  if (Array.isArray(parsed)) parsed.forEach((record, i) => decodeOne(record, i, resolved, out));
  else if (typeof parsed === 'object' && parsed !== null) decodeOne(parsed, 0, resolved, out);
  else
    return {
      ...out,
      bodyError: `body must be a JSON object or an array of objects, not ${kind(parsed)}`,
    };
  return out;
}

/** Decodes NDJSON: one record object per line; blank lines are skipped. */
export function decodeNdjsonRecords(text: string, options: JsonRecordOptions = {}): DecodedRecords {
  const resolved = resolve(options);
  const out: DecodedRecords = { lines: [], errors: [] };
  let start = 0;
  for (let number = 1; start <= text.length; number++) {
    const end = text.indexOf('\n', start);
    const stop = end < 0 ? text.length : end;
    const line = text.slice(start, stop);
    start = stop + 1;
    if (line.trim() === '') continue;
    if (Buffer.byteLength(line) > resolved.maxRecordBytes) {
      out.errors.push({
        record: number,
        message: `line is longer than ${resolved.maxRecordBytes} bytes (oversized)`,
      });
      continue;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      out.errors.push({ record: number, message: syntaxMessage(error, line) });
      continue;
    }
    decodeOne(parsed, number, resolved, out);
  }
  return out;
}

/** Decodes a body in the given format. */
export function decodeRecords(
  format: JsonFormat,
  text: string,
  options: JsonRecordOptions = {},
): DecodedRecords {
  return format === 'json' ? decodeJsonRecords(text, options) : decodeNdjsonRecords(text, options);
}

import { ConnectType } from '../../envelope';

/** Type OIDs of the built-in types converted to JSON values (pg_type.h). */
export const typeOids = {
  bool: 16,
  bytea: 17,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

/** The Connect type of a column, which decides its mirror column type. */
export function connectTypeOfOid(oid: number): ConnectType {
  switch (oid) {
    case typeOids.bool:
      return 'boolean';
    case typeOids.int2:
      return 'int16';
    case typeOids.int4:
      return 'int32';
    case typeOids.int8:
    case typeOids.oid:
      return 'int64';
    case typeOids.float4:
      return 'float';
    case typeOids.float8:
      return 'double';
    case typeOids.json:
    case typeOids.jsonb:
      return 'map';
    default:
      return 'string';
  }
}

const timestampText = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d(?::?\d\d){0,2})?$/;

/**
 * A timestamp in Postgres' ISO output as an ISO 8601 string, microseconds kept: UTC ('Z') for
 * timestamptz (the connections run with TimeZone=UTC), no zone for timestamp. Infinity and BC
 * dates stay as Postgres wrote them.
 */
function isoTimestamp(text: string, withZone: boolean): string {
  const match = timestampText.exec(text);
  if (!match) return text;
  const [, date, time, zone] = match;
  if (!withZone || zone === undefined) return `${date}T${time}`;
  if (/^\+00(:?00){0,2}$/.test(zone)) return `${date}T${time}Z`;
  // Another zone: normalise through Date (milliseconds only).
  const offset = zone.length === 3 ? `${zone}:00` : zone.replace(/^([+-]\d\d):?(\d\d).*$/, '$1:$2');
  const parsed = new Date(`${date}T${time}${offset}`);
  return Number.isNaN(parsed.getTime()) ? text : parsed.toISOString();
}

/** A column's text output as a JSON-friendly value, by its type OID. */
export function valueOfText(text: string, oid: number): unknown {
  switch (oid) {
    case typeOids.bool:
      return text === 't' || text === 'true';
    case typeOids.int2:
    case typeOids.int4:
    case typeOids.oid:
      return Number(text);
    case typeOids.int8: {
      // Beyond 2^53 the exact digits are kept as a string (the mirror column is bigint anyway).
      const value = Number(text);
      return Number.isSafeInteger(value) ? value : text;
    }
    case typeOids.float4:
    case typeOids.float8: {
      const value = Number(text);
      // NaN and ±Infinity have no JSON form.
      return Number.isFinite(value) ? value : text;
    }
    case typeOids.json:
    case typeOids.jsonb:
      return JSON.parse(text) as unknown;
    case typeOids.timestamp:
      return isoTimestamp(text, false);
    case typeOids.timestamptz:
      return isoTimestamp(text, true);
    default:
      // numeric (exact digits), text, varchar, date, uuid, arrays...: Postgres' text output.
      return text;
  }
}

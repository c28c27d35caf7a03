import { ChangeEnvelope, ChangeOperation, ChangeSource } from './change-envelope';
import { CdcDecodeError, CdcWhere } from '../errors';
import { ConnectSchema, connectTypes, schemaOfValue, structFields } from './connect-schema';

export type ChangeRow = Record<string, unknown>;

/** One decoded message: a change, or a tombstone (a null value that only compacts the topic). */
export type DecodedMessage = DecodedChange | DecodedTombstone;

export interface DecodedChange {
  kind: 'change';
  envelope: ChangeEnvelope;
  /** The message key (the row's primary key in Debezium topics), when there was one. */
  key: ChangeRow | null;
  /** Column schemas of the row from the Connect schema wrapper; null for bare envelopes. */
  columns: ConnectSchema[] | null;
}

export interface DecodedTombstone {
  kind: 'tombstone';
  key: ChangeRow | null;
}

export type MessageBytes = Buffer | Uint8Array | string | null | undefined;

const operations: readonly ChangeOperation[] = ['c', 'u', 'd', 'r', 't'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;

function parseJson(bytes: Buffer | Uint8Array | string, what: string, fail: Fail): unknown {
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    return fail(`${what} is not JSON (${(error as Error).message})`);
  }
}

type Fail = (reason: string) => never;

/** Splits `{schema, payload}` into its parts; a bare value has no schema. */
function unwrap(
  value: unknown,
  what: string,
  fail: Fail,
): { schema: ConnectSchema | null; payload: unknown } {
  if (!isObject(value) || !('payload' in value) || !('schema' in value)) {
    return { schema: null, payload: value };
  }
  const { schema, payload } = value;
  if (schema === null) return { schema: null, payload };
  checkSchema(schema, `${what} schema`, fail);
  return { schema, payload };
}

function checkSchema(schema: unknown, what: string, fail: Fail): asserts schema is ConnectSchema {
  if (!isObject(schema)) fail(`${what} must be an object, got ${kindOf(schema)}`);
  if (!connectTypes.includes(schema.type as ConnectSchema['type'])) {
    fail(`${what} has unknown type ${JSON.stringify(schema.type)}`);
  }
  if (schema.fields !== undefined) {
    if (!Array.isArray(schema.fields)) fail(`${what}.fields must be an array`);
    for (const field of schema.fields as unknown[]) {
      checkSchema(field, `${what} field`, fail);
      if (typeof field.field !== 'string') fail(`${what} has a field without a name`);
    }
  }
}

function decodeKey(key: MessageBytes, fail: Fail): ChangeRow | null {
  if (key === null || key === undefined) return null;
  const { payload } = unwrap(parseJson(key, 'key', fail), 'key', fail);
  if (payload === null) return null;
  if (!isObject(payload)) return fail(`key must be a JSON object, got ${kindOf(payload)}`);
  return payload;
}

function row(envelope: Record<string, unknown>, name: 'before' | 'after', fail: Fail) {
  const value = envelope[name];
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return fail(`${name} must be an object or null, got ${kindOf(value)}`);
  return value;
}

function timestamp(value: unknown, what: string, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return fail(
      value === undefined ? `${what} missing` : `${what} must be a number, got ${kindOf(value)}`,
    );
  }
  return value;
}

/** Debezium writes snapshot as 'true', 'first', 'last', 'incremental'... or 'false'. */
function snapshotFlag(value: unknown, fail: Fail): boolean {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || (typeof value === 'string' && value !== '')) return true;
  return fail(`source.snapshot must be a string or boolean, got ${kindOf(value)}`);
}

function decodeSource(value: unknown, fail: Fail): ChangeSource {
  if (value === undefined) fail('source missing');
  if (!isObject(value)) return fail(`source must be an object, got ${kindOf(value)}`);
  const text = (name: string, required: boolean): string | undefined => {
    const field = value[name];
    if (field === undefined || field === null) {
      return required ? fail(`source.${name} missing`) : undefined;
    }
    if (typeof field !== 'string' || field === '') {
      return fail(`source.${name} must be a non-empty string, got ${JSON.stringify(field)}`);
    }
    return field;
  };
  const db = text('db', false) ?? '';
  // MySQL-style sources have a database but no schema: the database plays that role.
  const schema = text('schema', db === '') ?? db;
  const table = text('table', true)!;
  const txId = value.txId;
  if (
    txId !== undefined &&
    txId !== null &&
    !(typeof txId === 'number' && Number.isSafeInteger(txId))
  ) {
    fail(`source.txId must be an integer or null, got ${JSON.stringify(txId)}`);
  }
  const lsn = value.lsn;
  if (lsn !== undefined && lsn !== null && typeof lsn !== 'number' && typeof lsn !== 'string') {
    fail(`source.lsn must be a number, a string or null, got ${kindOf(lsn)}`);
  }
  return {
    ...value,
    db,
    schema,
    table,
    lsn: lsn ?? null,
    txId: (txId as number | null | undefined) ?? null,
    ts_ms: timestamp(value.ts_ms, 'source.ts_ms', fail),
    snapshot: snapshotFlag(value.snapshot, fail),
  };
}

/**
 * Decodes one Kafka-style message value (Debezium JSON, bare or `{schema, payload}`) into a
 * change envelope; a null value is a tombstone. Throws CdcDecodeError naming `where`.
 */
export function decodeChangeMessage(
  value: MessageBytes,
  where: CdcWhere,
  key?: MessageBytes,
): DecodedMessage {
  const fail: Fail = (reason) => {
    throw new CdcDecodeError(where, reason);
  };
  const decodedKey = decodeKey(key, fail);
  if (value === null || value === undefined) return { kind: 'tombstone', key: decodedKey };
  const { schema, payload } = unwrap(parseJson(value, 'value', fail), 'value', fail);
  if (payload === null) return { kind: 'tombstone', key: decodedKey };
  if (!isObject(payload)) return fail(`value must be a JSON object, got ${kindOf(payload)}`);

  const op = payload.op;
  if (op === undefined) fail('op missing');
  if (!operations.includes(op as ChangeOperation)) {
    fail(`unknown op ${JSON.stringify(op)} (expected one of c, u, d, r, t)`);
  }
  const operation = op as ChangeOperation;
  const source = decodeSource(payload.source, fail);
  const before = row(payload, 'before', fail);
  const after = row(payload, 'after', fail);
  if ((operation === 'c' || operation === 'u' || operation === 'r') && !after) {
    fail(`after missing for op "${operation}"`);
  }
  if (operation === 'd' && !before && !decodedKey) {
    fail('before missing for op "d" and the message has no key');
  }
  const tsMs =
    payload.ts_ms === undefined || payload.ts_ms === null
      ? source.ts_ms
      : timestamp(payload.ts_ms, 'ts_ms', fail);
  return {
    kind: 'change',
    envelope: { before, after, source, op: operation, ts_ms: tsMs },
    key: decodedKey,
    columns: schema ? rowColumns(schema) : null,
  };
}

/** The row's column schemas from an envelope schema: the `after` struct, else `before`. */
function rowColumns(schema: ConnectSchema): ConnectSchema[] | null {
  const struct = (name: string) =>
    schema.fields?.find((f) => f.field === name && f.type === 'struct')?.fields;
  return struct('after') ?? struct('before') ?? null;
}

/** Debezium's topic name `<server>.<schema>.<table>`, other characters replaced by `_`. */
export function debeziumTopic(server: string, schema: string, table: string): string {
  return [server, schema, table].map((part) => part.replace(/[^A-Za-z0-9_-]/g, '_')).join('.');
}

export interface EncodeOptions {
  /** Wrap as `{schema, payload}` (Kafka Connect's `schemas.enable=true`). */
  withSchema: boolean;
  /** Logical server name for schema names; defaults to source.name, else source.db. */
  server?: string;
}

// BigInt has no JSON form; Debezium writes int64 as a JSON number.
const jsonReplacer = (_key: string, value: unknown) =>
  typeof value === 'bigint'
    ? Number.isSafeInteger(Number(value))
      ? Number(value)
      : value.toString()
    : value;

/** Encodes an envelope as Debezium JSON, bare or wrapped with a minimal Connect schema. */
export function encodeChangeEnvelope(envelope: ChangeEnvelope, options: EncodeOptions): string {
  const source = envelope.source;
  const payload = {
    before: envelope.before,
    after: envelope.after,
    source: { ...source, snapshot: encodeSnapshot(source.snapshot) },
    op: envelope.op,
    ts_ms: envelope.ts_ms,
  };
  if (!options.withSchema) return JSON.stringify(payload, jsonReplacer);
  const server =
    options.server ?? (typeof source.name === 'string' && source.name ? source.name : source.db);
  const prefix = `${server}.${source.schema}.${source.table}`;
  const value: ConnectSchema = {
    type: 'struct',
    optional: true,
    name: `${prefix}.Value`,
    fields: structFields([envelope.before, envelope.after]),
  };
  const sourceSchema: ConnectSchema = {
    ...schemaOfValue(payload.source, 'source'),
    optional: false,
    name: 'io.debezium.connector.postgresql.Source',
  };
  const schema: ConnectSchema = {
    type: 'struct',
    optional: false,
    name: `${prefix}.Envelope`,
    fields: [
      { ...value, field: 'before' },
      { ...value, field: 'after' },
      sourceSchema,
      { type: 'string', optional: false, field: 'op' },
      { type: 'int64', optional: true, field: 'ts_ms' },
    ],
  };
  return JSON.stringify({ schema, payload }, jsonReplacer);
}

function encodeSnapshot(snapshot: ChangeSource['snapshot']): string {
  if (snapshot === true) return 'true';
  if (snapshot === false || snapshot === null || snapshot === undefined) return 'false';
  return snapshot;
}

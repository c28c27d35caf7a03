import { assertNever } from '@sextant/domain';
import type { PoolClient } from 'pg';
import { ChangeRow } from '../envelope/debezium-codec';
import { ConnectSchema } from '../envelope/connect-schema';
import { CdcApplyError } from '../errors';
import { lakeSchemaName } from './identifiers';
import type { MirrorChange } from './mirror-change';
import { foldRows, mirrorSteps } from './mirror-fold';
import { MirrorColumnType, MirrorRepository, MirrorTable } from './mirror.repository';

export type { MirrorChange } from './mirror-change';

export interface MirrorOptions {
  /** The source's name; its tables are mirrored in schema `lake_<source>`. */
  source: string;
  /** Key columns per source table (`schema.table`); else the message key's, else `id`. */
  keys?: Readonly<Record<string, readonly string[]>>;
}

const integerRank: Partial<Record<MirrorColumnType, number>> = {
  smallint: 1,
  integer: 2,
  bigint: 3,
};
const floatTypes: MirrorColumnType[] = ['real', 'double precision'];

/** The narrowest type holding values of both types: numbers widen, anything else becomes text. */
export function widenType(a: MirrorColumnType, b: MirrorColumnType): MirrorColumnType {
  if (a === b) return a;
  const numeric = (t: MirrorColumnType) => integerRank[t] !== undefined || floatTypes.includes(t);
  if (numeric(a) && numeric(b)) {
    if (floatTypes.includes(a) || floatTypes.includes(b)) return 'double precision';
    return integerRank[a]! > integerRank[b]! ? a : b;
  }
  return 'text';
}

/** Column type of a JSON value; null when the value (null) says nothing. */
export function typeOfValue(value: unknown): MirrorColumnType | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'bigint' : 'double precision';
  if (typeof value === 'bigint') return 'bigint';
  if (typeof value === 'object') return 'jsonb';
  return 'text';
}

/** Column type of a Kafka Connect field schema. */
export function typeOfConnectField(schema: ConnectSchema): MirrorColumnType {
  switch (schema.type) {
    case 'int8':
    case 'int16':
      return 'smallint';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'float':
      return 'real';
    case 'double':
      return 'double precision';
    case 'boolean':
      return 'boolean';
    case 'string':
      return 'text';
    case 'bytes':
      return 'bytea';
    case 'array':
    case 'map':
    case 'struct':
      return 'jsonb';
    default:
      return 'text';
  }
}

/** A JSON value as a query parameter for a column of `type`. */
function parameter(value: unknown, type: MirrorColumnType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'jsonb':
      return JSON.stringify(value);
    case 'bytea':
      // Kafka Connect writes bytes as base64.
      return typeof value === 'string'
        ? Buffer.from(value, 'base64')
        : Buffer.from(JSON.stringify(value));
    case 'text':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    default:
      return typeof value === 'object' ? JSON.stringify(value) : value;
  }
}

/**
 * The rows as one JSON text for MirrorRepository.upsertJson, which casts each value as `parameter`
 * does: objects are JSON text in a text column, numbers and booleans their text. Null when that
 * would not hold: a bytea column (base64 to decode), a name the identifier shortens or strips, a
 * lone surrogate (Postgres rejects its escape, the array path replaces it), or a bigint value.
 */
function jsonRows(mirror: MirrorTable, columns: string[], rows: ChangeRow[]): string | null {
  for (const column of columns) {
    if (mirror.columns.get(column) === 'bytea') return null;
    if (Buffer.byteLength(column) > 63 || column.includes('\0')) return null;
  }
  let json: string;
  try {
    json = JSON.stringify(rows);
  } catch {
    return null;
  }
  // JSON.stringify escapes a lone surrogate as \udXXX (lower case); pairs stay as they are.
  return /\\ud[89a-f]/.test(json) ? null : json;
}

/**
 * Keeps a replica of each source table in schema `lake_<source>`: creates it from the first
 * row seen, adds columns that appear later, widens a column whose values no longer fit, and
 * upserts, deletes or truncates. A batch is folded to the last image per key first, so each
 * table costs one delete and one upsert statement between truncates. Runs inside the caller's
 * transaction.
 */
export class MirrorApplier {
  readonly schema: string;

  constructor(private readonly options: MirrorOptions) {
    this.schema = lakeSchemaName(options.source);
  }

  /** Applies changes in order; returns the rows each one changed (for a truncate, the rows removed). */
  async apply(client: PoolClient, changes: readonly MirrorChange[]): Promise<number[]> {
    const repository = new MirrorRepository(client);
    const tables = new Map<string, MirrorTable>();
    const table = async (name: string) => {
      let found = tables.get(name);
      if (!found) {
        found = await repository.describe(this.schema, name);
        tables.set(name, found);
      }
      return found;
    };

    // An upsert or a delete counts one row even when folded away or finding none (movements
    // count changes); a truncate the rows it removed.
    const counts = changes.map(() => 1);
    for (const step of mirrorSteps(changes)) {
      const mirror = await table(step.table);
      switch (step.kind) {
        case 'rows':
          await this.applyRows(repository, mirror, step.changes);
          break;
        case 'truncate':
          counts[step.index] = mirror.columns.size > 0 ? await repository.truncate(mirror) : 0;
          break;
        default:
          assertNever(step);
      }
    }
    return counts;
  }

  /** One table's upserts and deletes, folded: one delete, then one upsert per column set. */
  private async applyRows(
    repository: MirrorRepository,
    mirror: MirrorTable,
    changes: MirrorChange[],
  ) {
    const existed = mirror.columns.size > 0;
    // Every image is prepared for, also those folded away, so columns grow as if applied one by one.
    const upserts = changes.filter((change) => change.envelope.op !== 'd');
    if (upserts.length > 0) await this.prepare(repository, mirror, upserts);
    if (mirror.columns.size === 0) return;
    // Deletes before the table was created had nothing to delete.
    const folded = foldRows(
      existed ? changes : changes.slice(changes.indexOf(upserts[0])),
      (row, change) => this.keyText(mirror, row, change),
    );
    if (folded.deletes.length > 0) {
      const values = mirror.primaryKey.map((column) => {
        const type = mirror.columns.get(column)!;
        return folded.deletes.map((change) => {
          const row = change.envelope.before ?? change.key ?? {};
          return parameter(row[column] ?? change.key?.[column], type);
        });
      });
      await repository.delete(mirror, values);
    }
    for (const rows of folded.upserts) {
      const columns = Object.keys(rows[0]);
      const json = jsonRows(mirror, columns, rows);
      if (json !== null) {
        await repository.upsertJson(mirror, columns, json);
        continue;
      }
      const values = columns.map((column) => {
        const type = mirror.columns.get(column)!;
        return rows.map((row) => parameter(row[column], type));
      });
      await repository.upsert(mirror, columns, values);
    }
  }

  private keyColumns(change: MirrorChange, mirror: MirrorTable): string[] {
    if (mirror.primaryKey.length > 0) return mirror.primaryKey;
    const { schema, table } = change.envelope.source;
    const configured = this.options.keys?.[`${schema}.${table}`];
    if (configured && configured.length > 0) return [...configured];
    const fromKey = change.key ? Object.keys(change.key) : [];
    return fromKey.length > 0 ? fromKey : ['id'];
  }

  /** Creates the table, adds new columns and widens columns so the rows fit. */
  private async prepare(
    repository: MirrorRepository,
    mirror: MirrorTable,
    changes: MirrorChange[],
  ) {
    const wanted = new Map<string, MirrorColumnType | null>();
    // Changes of one relation share their columns' array: its types are looked up once.
    const schemas = new Map<ConnectSchema[] | null, Map<string | undefined, MirrorColumnType>>();
    for (const change of changes) {
      let fromSchema = schemas.get(change.columns);
      if (!fromSchema) {
        fromSchema = new Map(
          (change.columns ?? []).map((field) => [field.field, typeOfConnectField(field)]),
        );
        schemas.set(change.columns, fromSchema);
      }
      const after = change.envelope.after!;
      for (const name in after) {
        const type = fromSchema.get(name) ?? typeOfValue(after[name]);
        const seen = wanted.get(name);
        // The same type as the rows before: the rule for all but the first row of a table.
        if (seen === type) continue;
        wanted.set(name, seen && type ? widenType(seen, type) : (seen ?? type));
      }
    }
    if (mirror.columns.size === 0) {
      const primaryKey = this.keyColumns(changes[0], mirror);
      for (const key of primaryKey) {
        if (!wanted.has(key)) {
          throw new CdcApplyError(
            changes[0].position,
            `key column "${key}" is not in the row of ${mirror.table}; configure its key columns`,
          );
        }
      }
      for (const [name, type] of wanted) mirror.columns.set(name, type ?? 'text');
      mirror.primaryKey = primaryKey;
      // Only needed with a table to create: a statement less per batch.
      await repository.createSchema(this.schema);
      await repository.createTable(mirror);
      return;
    }
    for (const [name, type] of wanted) {
      const existing = mirror.columns.get(name);
      if (!existing) {
        mirror.columns.set(name, type ?? 'text');
        await repository.addColumn(mirror, name, type ?? 'text');
      } else if (type && widenType(existing, type) !== existing) {
        const widened = widenType(existing, type);
        mirror.columns.set(name, widened);
        await repository.changeColumnType(mirror, name, widened);
      }
    }
  }

  /** The row's key as text; 7 and "7" are one key, as they are in the typed column. */
  private keyText(mirror: MirrorTable, row: ChangeRow, change: MirrorChange): string {
    let text = '';
    for (const column of mirror.primaryKey) {
      const value = row[column] ?? change.key?.[column];
      if (value === null || value === undefined) {
        throw new CdcApplyError(
          change.position,
          `key column "${column}" of ${mirror.table} is missing or null in the ${change.envelope.op === 'd' ? 'deleted' : 'changed'} row`,
        );
      }
      // NUL cannot be part of a key value (Postgres text holds none).
      text += `${typeof value === 'object' ? JSON.stringify(value) : String(value)}\0`;
    }
    return text;
  }
}

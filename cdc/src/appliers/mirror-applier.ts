import type { PoolClient } from 'pg';
import { ChangeEnvelope } from '../envelope';
import { ChangeRow } from '../envelope/debezium-codec';
import { ConnectSchema } from '../envelope/connect-schema';
import { CdcApplyError } from '../errors';
import { CdcPosition } from '../position';
import { lakeSchemaName, lakeTableName } from './identifiers';
import { MirrorColumnType, MirrorRepository, MirrorTable } from './mirror.repository';

/** One decoded change to mirror. */
export interface MirrorChange {
  envelope: ChangeEnvelope;
  key: ChangeRow | null;
  columns: ConnectSchema[] | null;
  position: CdcPosition | null;
}

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

type Run =
  | { kind: 'upsert'; table: string; columns: string; changes: MirrorChange[] }
  | { kind: 'delete'; table: string; changes: MirrorChange[] }
  | { kind: 'truncate'; table: string; changes: MirrorChange[] };

/**
 * Keeps a replica of each source table in schema `lake_<source>`: creates it from the first
 * row seen, adds columns that appear later, widens a column whose values no longer fit, and
 * upserts, deletes or truncates. Runs inside the caller's transaction.
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
    if (changes.length > 0) await repository.createSchema(this.schema);

    const counts = new Map<MirrorChange, number>();
    for (const run of runs(changes)) {
      const mirror = await table(run.table);
      switch (run.kind) {
        case 'upsert':
          await this.prepare(repository, mirror, run.changes);
          await this.upsert(repository, mirror, run.changes);
          for (const change of run.changes) counts.set(change, 1);
          break;
        case 'delete':
          if (mirror.columns.size > 0) await this.delete(repository, mirror, run.changes);
          for (const change of run.changes) counts.set(change, 1);
          break;
        case 'truncate':
          for (const change of run.changes) {
            counts.set(change, mirror.columns.size > 0 ? await repository.truncate(mirror) : 0);
          }
          break;
      }
    }
    return changes.map((change) => counts.get(change) ?? 0);
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
    for (const change of changes) {
      const fromSchema = new Map(
        (change.columns ?? []).map((field) => [field.field, typeOfConnectField(field)]),
      );
      for (const [name, value] of Object.entries(change.envelope.after!)) {
        const type = fromSchema.get(name) ?? typeOfValue(value);
        const seen = wanted.get(name);
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

  private async upsert(repository: MirrorRepository, mirror: MirrorTable, changes: MirrorChange[]) {
    const columns = Object.keys(changes[0].envelope.after!);
    // One statement cannot update a row twice: the last change of each key wins.
    const latest = new Map<string, ChangeRow>();
    for (const change of changes) {
      const after = change.envelope.after!;
      latest.set(this.keyText(mirror, after, change), after);
    }
    const values = columns.map((column) => {
      const type = mirror.columns.get(column)!;
      return [...latest.values()].map((row) => parameter(row[column], type));
    });
    await repository.upsert(mirror, columns, values);
  }

  private async delete(repository: MirrorRepository, mirror: MirrorTable, changes: MirrorChange[]) {
    const keys = new Map<string, ChangeRow>();
    for (const change of changes) {
      const row = change.envelope.before ?? change.key ?? {};
      keys.set(this.keyText(mirror, row, change), row);
    }
    const values = mirror.primaryKey.map((column) => {
      const type = mirror.columns.get(column)!;
      return [...keys.values()].map((row) => parameter(row[column], type));
    });
    await repository.delete(mirror, values);
  }

  private keyText(mirror: MirrorTable, row: ChangeRow, change: MirrorChange): string {
    return JSON.stringify(
      mirror.primaryKey.map((column) => {
        const value = row[column] ?? change.key?.[column];
        if (value === null || value === undefined) {
          throw new CdcApplyError(
            change.position,
            `key column "${column}" of ${mirror.table} is missing or null in the ${change.envelope.op === 'd' ? 'deleted' : 'changed'} row`,
          );
        }
        return value;
      }),
    );
  }
}

/** Consecutive changes of one kind on one table (with the same columns, for upserts). */
function* runs(changes: readonly MirrorChange[]): Generator<Run> {
  let current: Run | null = null;
  for (const change of changes) {
    const { op, source, after } = change.envelope;
    const table = lakeTableName(source.schema, source.table);
    const next: Run =
      op === 't'
        ? { kind: 'truncate', table, changes: [change] }
        : op === 'd'
          ? { kind: 'delete', table, changes: [change] }
          : {
              kind: 'upsert',
              table,
              columns: JSON.stringify(Object.keys(after!)),
              changes: [change],
            };
    if (
      current &&
      current.kind === next.kind &&
      current.table === next.table &&
      (current.kind !== 'upsert' || next.kind !== 'upsert' || current.columns === next.columns)
    ) {
      current.changes.push(change);
    } else {
      if (current) yield current;
      current = next;
    }
  }
  if (current) yield current;
}

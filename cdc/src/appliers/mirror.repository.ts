import type { PoolClient } from 'pg';
import { identifier } from './identifiers';

/** Postgres types of mirror columns, as information_schema spells them. */
export type MirrorColumnType =
  | 'smallint'
  | 'integer'
  | 'bigint'
  | 'real'
  | 'double precision'
  | 'boolean'
  | 'text'
  | 'bytea'
  | 'jsonb';

const mirrorColumnTypes: readonly string[] = [
  'smallint',
  'integer',
  'bigint',
  'real',
  'double precision',
  'boolean',
  'text',
  'bytea',
  'jsonb',
] satisfies MirrorColumnType[];

export interface MirrorTable {
  schema: string;
  table: string;
  /** Column name → type; empty while the table does not exist. */
  columns: Map<string, MirrorColumnType>;
  primaryKey: string[];
}

const qualified = (t: { schema: string; table: string }) =>
  `${identifier(t.schema)}.${identifier(t.table)}`;

/** An upsert's conflict clause: the given columns other than the key are updated. */
function onConflict(t: MirrorTable, columns: readonly string[]): string {
  const updates = columns.filter((c) => !t.primaryKey.includes(c));
  return `ON CONFLICT (${t.primaryKey.map(identifier).join(', ')}) ${
    updates.length === 0
      ? 'DO NOTHING'
      : `DO UPDATE SET ${updates.map((c) => `${identifier(c)} = EXCLUDED.${identifier(c)}`).join(', ')}`
  }`;
}

/** Every query of the mirror tables (`lake_<source>` schemas). Types come from the fixed list above. */
export class MirrorRepository {
  constructor(private readonly client: PoolClient) {}

  async createSchema(schema: string): Promise<void> {
    await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${identifier(schema)}`);
  }

  async describe(schema: string, table: string): Promise<MirrorTable> {
    const { rows } = await this.client.query<{ name: string; type: string; key: number | null }>(
      `SELECT a.attname AS name, format_type(a.atttypid, NULL) AS type,
              array_position(i.indkey::int2[], a.attnum) AS key
         FROM pg_attribute a
         JOIN pg_class c ON c.oid = a.attrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
        WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [schema, table],
    );
    const columns = new Map<string, MirrorColumnType>();
    for (const row of rows) {
      // A column of another type (changed by hand) is treated as text, the widest.
      columns.set(
        row.name,
        mirrorColumnTypes.includes(row.type) ? (row.type as MirrorColumnType) : 'text',
      );
    }
    const primaryKey = rows
      .filter((r) => r.key !== null)
      .sort((a, b) => a.key! - b.key!)
      .map((r) => r.name);
    return { schema, table, columns, primaryKey };
  }

  async createTable(t: MirrorTable): Promise<void> {
    const columns = [...t.columns].map(
      ([name, type]) =>
        `${identifier(name)} ${type}${t.primaryKey.includes(name) ? ' NOT NULL' : ''}`,
    );
    await this.client.query(
      `CREATE TABLE IF NOT EXISTS ${qualified(t)} (${columns.join(', ')}, PRIMARY KEY (${t.primaryKey.map(identifier).join(', ')}))`,
    );
  }

  async addColumn(t: MirrorTable, name: string, type: MirrorColumnType): Promise<void> {
    await this.client.query(
      `ALTER TABLE ${qualified(t)} ADD COLUMN IF NOT EXISTS ${identifier(name)} ${type}`,
    );
  }

  async changeColumnType(t: MirrorTable, name: string, type: MirrorColumnType): Promise<void> {
    const column = identifier(name);
    // jsonb and bytea have no direct cast to numbers; text is the only widening they get.
    await this.client.query(
      `ALTER TABLE ${qualified(t)} ALTER COLUMN ${column} TYPE ${type} USING ${column}::text::${type}`,
    );
  }

  /** Inserts or updates rows (one value array per column, all of equal length). */
  async upsert(t: MirrorTable, columns: string[], values: unknown[][]): Promise<void> {
    const types = columns.map((c) => t.columns.get(c)!);
    await this.client.query(
      `INSERT INTO ${qualified(t)} (${columns.map(identifier).join(', ')})
       SELECT * FROM unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}) ${onConflict(t, columns)}`,
      values,
    );
  }

  /**
   * Inserts or updates rows given as one JSON array of objects with exactly these keys: one
   * JSON.stringify in place of an array per column (less than half the CPU on the Node side).
   * The keys must be the column names as they are (not shortened), no column of type bytea.
   */
  async upsertJson(t: MirrorTable, columns: string[], rows: string): Promise<void> {
    const names = columns.map(identifier).join(', ');
    await this.client.query(
      `INSERT INTO ${qualified(t)} (${names})
       SELECT ${names} FROM json_to_recordset($1::json)
           AS r(${columns.map((c) => `${identifier(c)} ${t.columns.get(c)!}`).join(', ')}) ${onConflict(t, columns)}`,
      [rows],
    );
  }

  /** Deletes rows by primary key (one value array per key column). */
  async delete(t: MirrorTable, keys: unknown[][]): Promise<number> {
    const key = t.primaryKey.map(identifier).join(', ');
    const types = t.primaryKey.map((c) => t.columns.get(c)!);
    const { rowCount } = await this.client.query(
      `DELETE FROM ${qualified(t)} WHERE (${key}) IN (SELECT * FROM unnest(${types.map((type, i) => `$${i + 1}::${type}[]`).join(', ')}))`,
      keys,
    );
    return rowCount ?? 0;
  }

  /** Empties the table; returns how many rows it held. */
  async truncate(t: MirrorTable): Promise<number> {
    const { rows } = await this.client.query<{ count: string }>(
      `SELECT count(*) FROM ${qualified(t)}`,
    );
    await this.client.query(`TRUNCATE ${qualified(t)}`);
    return Number(rows[0].count);
  }

  /** Deletes every row (unlike TRUNCATE, readers with an older snapshot still see them). */
  async deleteAll(t: MirrorTable): Promise<number> {
    const { rowCount } = await this.client.query(`DELETE FROM ${qualified(t)}`);
    return rowCount ?? 0;
  }

  async renameColumn(t: MirrorTable, from: string, to: string): Promise<void> {
    await this.client.query(
      `ALTER TABLE ${qualified(t)} RENAME COLUMN ${identifier(from)} TO ${identifier(to)}`,
    );
  }

  /** Drops a column (a primary key it was part of goes with it). */
  async dropColumn(t: MirrorTable, name: string): Promise<void> {
    await this.client.query(
      `ALTER TABLE ${qualified(t)} DROP COLUMN IF EXISTS ${identifier(name)}`,
    );
  }

  /** Replaces the primary key; fails when the rows are not unique by the new key. */
  async replacePrimaryKey(t: MirrorTable, columns: readonly string[]): Promise<void> {
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT conname AS name FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`,
      [qualified(t)],
    );
    if (rows.length > 0) {
      await this.client.query(
        `ALTER TABLE ${qualified(t)} DROP CONSTRAINT ${identifier(rows[0].name)}`,
      );
    }
    await this.client.query(
      `ALTER TABLE ${qualified(t)} ADD PRIMARY KEY (${columns.map(identifier).join(', ')})`,
    );
  }
}

import type { Client } from 'pg';
import { CdcSourceError } from './pgoutput.errors';
import { qualifiedTableName } from '../../appliers/identifiers';

/** A source that does not answer within this is retried (not waited for). */
export const sourceConnectTimeoutMs = 10_000;

export interface SourceTable {
  schema: string;
  table: string;
  /** `schema.table` */
  name: string;
  /** Key columns for the mirror: configured, else the primary key, else the replica identity index. */
  key: string[];
}

export interface SnapshotColumn {
  name: string;
  typeOid: number;
}

/** Catalog queries and snapshot reads on the source database (a normal connection). */
export class SourceRepository {
  constructor(private readonly client: Client) {}

  async database(): Promise<string> {
    const { rows } = await this.client.query<{ db: string }>('SELECT current_database() AS db');
    return rows[0].db;
  }

  /**
   * Resolves `schema.table` names (`table` alone is in `public`) and their key columns; a
   * missing table, or one that has no key to mirror by, is an error naming it.
   */
  async tables(
    names: readonly string[],
    configured: Readonly<Record<string, readonly string[]>> = {},
  ): Promise<SourceTable[]> {
    const wanted = names.map(qualifiedTableName);
    const { rows } = await this.client.query<{
      name: string;
      identity: string;
      primary_key: string[] | null;
      identity_key: string[] | null;
    }>(
      `SELECT n.nspname || '.' || c.relname AS name, c.relreplident AS identity,
              (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum))
                 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = c.oid AND i.indisprimary) AS primary_key,
              (SELECT array_agg(a.attname::text ORDER BY array_position(i.indkey::int2[], a.attnum))
                 FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
                WHERE i.indrelid = c.oid AND i.indisreplident) AS identity_key
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname || '.' || c.relname = ANY($1::text[])`,
      [wanted],
    );
    const found = new Map(rows.map((r) => [r.name, r]));
    return wanted.map((name) => {
      const row = found.get(name);
      if (!row) throw new CdcSourceError('TableNotFound', `table ${name} does not exist`, name);
      const [schema, table] = [name.slice(0, name.indexOf('.')), name.slice(name.indexOf('.') + 1)];
      if (row.identity === 'n') {
        throw new CdcSourceError(
          'TableWithoutKey',
          `table ${name} has REPLICA IDENTITY NOTHING: its updates and deletes cannot be replicated`,
          name,
        );
      }
      const identity = row.identity === 'i' ? row.identity_key : row.primary_key;
      const key = configured[name] ?? row.primary_key ?? identity;
      if (!key || key.length === 0 || (row.identity === 'd' && !row.primary_key)) {
        throw new CdcSourceError(
          'TableWithoutKey',
          `table ${name} has no primary key or replica identity (add a primary key, or REPLICA IDENTITY FULL and configured key columns)`,
          name,
        );
      }
      return { schema, table, name, key: [...key] };
    });
  }

  /** Creates the publication for the tables, or adds the tables it lacks. */
  async ensurePublication(publication: string, tables: readonly SourceTable[]): Promise<void> {
    const quoted = (t: SourceTable) =>
      `${this.client.escapeIdentifier(t.schema)}.${this.client.escapeIdentifier(t.table)}`;
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT p.pubname, pt.schemaname || '.' || pt.tablename AS name
         FROM pg_publication p LEFT JOIN pg_publication_tables pt ON pt.pubname = p.pubname
        WHERE p.pubname = $1`,
      [publication],
    );
    const name = this.client.escapeIdentifier(publication);
    if (rows.length === 0) {
      await this.client.query(
        `CREATE PUBLICATION ${name} FOR TABLE ${tables.map(quoted).join(', ')}`,
      );
      return;
    }
    const present = new Set(rows.map((r) => r.name));
    const missing = tables.filter((t) => !present.has(t.name));
    if (missing.length > 0) {
      await this.client.query(
        `ALTER PUBLICATION ${name} ADD TABLE ${missing.map(quoted).join(', ')}`,
      );
    }
  }

  /** The slot's plugin and whether a walsender holds it; null when there is no such slot. */
  async slot(slot: string): Promise<{ plugin: string; activePid: number | null } | null> {
    const { rows } = await this.client.query<{ plugin: string | null; active_pid: number | null }>(
      'SELECT plugin, active_pid FROM pg_replication_slots WHERE slot_name = $1',
      [slot],
    );
    return rows.length === 0
      ? null
      : { plugin: rows[0].plugin ?? '', activePid: rows[0].active_pid };
  }

  /** Opens a read-only transaction on an exported snapshot. */
  async beginSnapshot(snapshot: string): Promise<void> {
    await this.client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    await this.client.query(`SET TRANSACTION SNAPSHOT ${this.client.escapeLiteral(snapshot)}`);
  }

  async endSnapshot(): Promise<void> {
    await this.client.query('COMMIT');
  }

  /** Every row of a table as Postgres' text output, with the columns' type OIDs. */
  async readTable(
    table: SourceTable,
  ): Promise<{ columns: SnapshotColumn[]; rows: (string | null)[][] }> {
    const result = await this.client.query<(string | null)[]>({
      text: `SELECT * FROM ${this.client.escapeIdentifier(table.schema)}.${this.client.escapeIdentifier(table.table)}`,
      rowMode: 'array',
      // Text as Postgres writes it, converted like the streamed values.
      types: { getTypeParser: () => (value: string) => value },
    });
    return {
      columns: result.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })),
      rows: result.rows,
    };
  }
}

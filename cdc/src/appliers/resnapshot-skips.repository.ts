import type { Pool, PoolClient } from 'pg';

/**
 * The `cdc_resnapshot_skip` rows: per source, stream and table, the position a resnapshot read
 * the table at. The stream's changes of that table in transactions ending at or before it are in
 * the mirror already. Rows go when the stream's position is stored past them (PositionsRepository).
 */
export class ResnapshotSkipsRepository {
  constructor(private readonly client: Pool | PoolClient) {}

  /** Records (or moves forward) the position a table was re-read at; in the snapshot's transaction. */
  async save(source: string, stream: string, table: string, position: bigint): Promise<void> {
    await this.client.query(
      `INSERT INTO cdc_resnapshot_skip (source, stream, table_name, position)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (source, stream, table_name) DO UPDATE SET
         position = greatest(cdc_resnapshot_skip.position, excluded.position), created_at = now()`,
      [source, stream, table, position.toString()],
    );
  }

  /** The re-read tables of a stream and their positions. */
  async find(source: string, stream: string): Promise<Map<string, bigint>> {
    const { rows } = await this.client.query<{ table_name: string; position: string }>(
      `SELECT table_name, position::text AS position
         FROM cdc_resnapshot_skip WHERE source = $1 AND stream = $2`,
      [source, stream],
    );
    return new Map(rows.map((r) => [r.table_name, BigInt(r.position)]));
  }
}

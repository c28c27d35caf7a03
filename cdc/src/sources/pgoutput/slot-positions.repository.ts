import type { Pool } from 'pg';

/** Reads the applier's stored position of a slot stream (`cdc_position`, Sextant's database). */
export class SlotPositionsRepository {
  constructor(private readonly pool: Pool) {}

  async find(source: string, slot: string): Promise<{ lsn: bigint; sequence: number } | null> {
    const { rows } = await this.pool.query<{ position: string; sequence: number }>(
      'SELECT position::text AS position, sequence FROM cdc_position WHERE source = $1 AND stream = $2',
      [source, `slot:${slot}`],
    );
    return rows.length === 0 ? null : { lsn: BigInt(rows[0].position), sequence: rows[0].sequence };
  }
}

import type { PoolClient } from 'pg';

export interface StoredPosition {
  stream: string;
  major: bigint;
  minor: number;
  txId: number | null;
}

/** The `cdc_position` rows: the last change applied per source and stream. */
export class PositionsRepository {
  constructor(private readonly client: PoolClient) {}

  /** Locks the streams for this transaction (in a fixed order) and reads their positions. */
  async lock(source: string, streams: string[]): Promise<Map<string, StoredPosition>> {
    const sorted = [...new Set(streams)].sort();
    // An advisory lock also covers streams that have no row yet.
    await this.client.query(
      `SELECT pg_advisory_xact_lock(hashtextextended('cdc:' || $1 || ':' || s, 0)) FROM unnest($2::text[]) AS s`,
      [source, sorted],
    );
    const { rows } = await this.client.query<{
      stream: string;
      position: string;
      sequence: number;
      tx_id: string | null;
    }>(
      `SELECT stream, position::text AS position, sequence, tx_id::text AS tx_id
         FROM cdc_position WHERE source = $1 AND stream = ANY($2::text[])`,
      [source, sorted],
    );
    return new Map(
      rows.map((r) => [
        r.stream,
        {
          stream: r.stream,
          major: BigInt(r.position),
          minor: r.sequence,
          txId: r.tx_id === null ? null : Number(r.tx_id),
        },
      ]),
    );
  }

  /**
   * Stores the streams' positions, and deletes the resnapshot skips they are past: a change at or
   * below a stored position is left out anyway. Strictly past, as the transaction at the stored
   * LSN may have had the re-read table's changes left out after its last stored sequence.
   */
  async save(source: string, positions: StoredPosition[]): Promise<void> {
    if (positions.length === 0) return;
    await this.client.query(
      `WITH saved AS (
         INSERT INTO cdc_position (source, stream, position, sequence, tx_id, updated_at)
         SELECT $1, s, p, q, t, now() FROM unnest($2::text[], $3::numeric[], $4::int[], $5::bigint[]) AS u(s, p, q, t)
         ON CONFLICT (source, stream) DO UPDATE SET
           position = excluded.position, sequence = excluded.sequence, tx_id = excluded.tx_id, updated_at = now()
         RETURNING stream, position)
       DELETE FROM cdc_resnapshot_skip k USING saved
        WHERE k.source = $1 AND k.stream = saved.stream AND k.position < saved.position`,
      [
        source,
        positions.map((p) => p.stream),
        positions.map((p) => p.major.toString()),
        positions.map((p) => p.minor),
        positions.map((p) => p.txId),
      ],
    );
  }
}

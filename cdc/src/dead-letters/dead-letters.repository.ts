import type { Pool, PoolClient } from 'pg';
import { uuidv7 } from '@sextant/ingest';
import { CdcPosition, formatPosition } from '../position';

export interface DeadLetter {
  id: string;
  source: string;
  topic: string | null;
  partition: number | null;
  offset: bigint | null;
  position: string | null;
  reason: string;
  payload: Buffer | null;
  key: Buffer | null;
  createdAt: Date;
  replayedAt: Date | null;
}

export interface NewDeadLetter {
  source: string;
  position: CdcPosition | null;
  reason: string;
  payload: Buffer | Uint8Array | string | null | undefined;
  key?: Buffer | Uint8Array | string | null;
}

const bytes = (value: Buffer | Uint8Array | string | null | undefined) =>
  value === null || value === undefined ? null : Buffer.from(value);

interface Row {
  id: string;
  source: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  position: string | null;
  reason: string;
  payload: Buffer | null;
  key: Buffer | null;
  created_at: Date;
  replayed_at: Date | null;
}

const toDeadLetter = (r: Row): DeadLetter => ({
  id: r.id,
  source: r.source,
  topic: r.topic,
  partition: r.partition,
  offset: r.offset === null ? null : BigInt(r.offset),
  position: r.position,
  reason: r.reason,
  payload: r.payload,
  key: r.key,
  createdAt: r.created_at,
  replayedAt: r.replayed_at,
});

/** The `cdc_dead_letter` rows: messages that could not be decoded or applied. */
export class DeadLettersRepository {
  constructor(private readonly db: Pool | PoolClient) {}

  async record(letter: NewDeadLetter): Promise<string> {
    const id = uuidv7();
    const kafka = letter.position?.kind === 'kafka' ? letter.position : null;
    await this.db.query(
      `INSERT INTO cdc_dead_letter (id, source, topic, "partition", "offset", "position", reason, payload, key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        id,
        letter.source,
        kafka?.topic ?? null,
        kafka?.partition ?? null,
        kafka?.offset.toString() ?? null,
        letter.position ? formatPosition(letter.position) : null,
        letter.reason,
        bytes(letter.payload),
        bytes(letter.key),
      ],
    );
    return id;
  }

  async list(options: {
    source: string;
    includeReplayed?: boolean;
    ids?: string[];
    limit?: number;
  }): Promise<DeadLetter[]> {
    const { rows } = await this.db.query<Row>(
      `SELECT id, source, topic, "partition", "offset"::text AS "offset", "position", reason, payload, key,
              created_at, replayed_at
         FROM cdc_dead_letter
        WHERE source = $1 AND ($2::boolean OR replayed_at IS NULL) AND ($3::uuid[] IS NULL OR id = ANY($3::uuid[]))
        ORDER BY created_at, id LIMIT $4`,
      [
        options.source,
        options.includeReplayed ?? false,
        options.ids ?? null,
        options.limit ?? 1000,
      ],
    );
    return rows.map(toDeadLetter);
  }

  /** Locks a letter for replay; null when it is gone or already replayed. */
  async lockForReplay(id: string): Promise<DeadLetter | null> {
    const { rows } = await this.db.query<Row>(
      `SELECT id, source, topic, "partition", "offset"::text AS "offset", "position", reason, payload, key,
              created_at, replayed_at
         FROM cdc_dead_letter WHERE id = $1 AND replayed_at IS NULL FOR UPDATE`,
      [id],
    );
    return rows.length > 0 ? toDeadLetter(rows[0]) : null;
  }

  async markReplayed(id: string): Promise<void> {
    await this.db.query(`UPDATE cdc_dead_letter SET replayed_at = now() WHERE id = $1`, [id]);
  }

  async updateReason(id: string, reason: string): Promise<void> {
    await this.db.query(`UPDATE cdc_dead_letter SET reason = $2 WHERE id = $1`, [id, reason]);
  }
}

import { uuidv7 } from '@sextant/ingest';
import type { Pool } from 'pg';

/** A managed source as the supervisor reads it (path joined). */
export interface ManagedSource {
  pathId: string;
  name: string;
  /** The path's state: active, paused or revoked. */
  state: string;
  sourceNodeId: string;
  destinationNodeId: string;
  connectionSecret: Buffer;
  tables: string[];
  keys: Record<string, string[]>;
  slot: string;
  publication: string;
  /** Changes when the source's settings change (restart the runner). */
  updatedAt: Date;
}

export interface PendingCommand {
  id: string;
  pathId: string;
  kind: 'resnapshot' | 'resume';
  tableName: string | null;
}

export interface StatusRow {
  pathId: string;
  state: string;
  confirmedLsn: string | null;
  sourceLsn: string | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  changesPerSecond: number;
  changesApplied: number;
  lastError: string | null;
  lastErrorAt: string | null;
  nextRetryAt: string | null;
  pausedReason: string | null;
  problems: string[];
  runner: string;
}

/** An alert to raise on a node (an item of kind alert with its maintenance ticket). */
export interface NewAlert {
  nodeId: string;
  title: string;
  description: string;
  priority: 'low' | 'medium' | 'high' | 'critical';
  /** Not raised again on the node while an alert with this key is open or planned. */
  dedupeKey: string;
  metadata: Record<string, string | number>;
}

/** The supervisor's queries of cdc_source, cdc_status, cdc_lag_sample and cdc_command. */
export class CdcSourcesRepository {
  constructor(private readonly pool: Pool) {}

  async list(): Promise<ManagedSource[]> {
    const { rows } = await this.pool.query<ManagedSource>(
      `SELECT s.path_id AS "pathId", s.name, p.state::text AS state,
              p.source_id AS "sourceNodeId", p.destination_id AS "destinationNodeId",
              s.connection_secret AS "connectionSecret", s.tables, s.keys, s.slot, s.publication,
              s.updated_at AS "updatedAt"
         FROM cdc_source s JOIN path p ON p.id = s.path_id
        ORDER BY s.name`,
    );
    return rows;
  }

  /** Commands not yet started, oldest first. */
  async pendingCommands(): Promise<PendingCommand[]> {
    const { rows } = await this.pool.query<PendingCommand>(
      `SELECT id, path_id AS "pathId", kind, table_name AS "tableName"
         FROM cdc_command WHERE started_at IS NULL ORDER BY requested_at, id`,
    );
    return rows;
  }

  /** Marks a command started; false when another process took it first. */
  async startCommand(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      'UPDATE cdc_command SET started_at = now() WHERE id = $1 AND started_at IS NULL',
      [id],
    );
    return rowCount === 1;
  }

  async finishCommand(id: string, error: string | null): Promise<void> {
    await this.pool.query('UPDATE cdc_command SET finished_at = now(), error = $2 WHERE id = $1', [
      id,
      error,
    ]);
  }

  async saveStatus(status: StatusRow): Promise<void> {
    await this.pool.query(
      `INSERT INTO cdc_status AS s (path_id, state, confirmed_lsn, source_lsn, lag_bytes, lag_seconds,
              changes_per_s, changes_applied, last_error, last_error_at, next_retry_at,
              paused_reason, problems, runner, updated_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now()
        WHERE EXISTS (SELECT 1 FROM cdc_source WHERE path_id = $1)
       ON CONFLICT (path_id) DO UPDATE SET state = EXCLUDED.state,
              confirmed_lsn = EXCLUDED.confirmed_lsn, source_lsn = EXCLUDED.source_lsn,
              lag_bytes = EXCLUDED.lag_bytes, lag_seconds = EXCLUDED.lag_seconds,
              changes_per_s = EXCLUDED.changes_per_s, changes_applied = EXCLUDED.changes_applied,
              last_error = COALESCE(EXCLUDED.last_error, s.last_error),
              last_error_at = COALESCE(EXCLUDED.last_error_at, s.last_error_at),
              next_retry_at = EXCLUDED.next_retry_at, paused_reason = EXCLUDED.paused_reason,
              problems = EXCLUDED.problems, runner = EXCLUDED.runner, updated_at = now()`,
      [
        status.pathId,
        status.state,
        status.confirmedLsn,
        status.sourceLsn,
        status.lagBytes,
        status.lagSeconds,
        status.changesPerSecond,
        status.changesApplied,
        status.lastError,
        status.lastErrorAt,
        status.nextRetryAt,
        status.pausedReason,
        JSON.stringify(status.problems),
        status.runner,
      ],
    );
  }

  async addSample(
    pathId: string,
    sample: { lagBytes: number | null; lagSeconds: number | null; changesPerSecond: number },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO cdc_lag_sample (path_id, at, lag_bytes, lag_seconds, changes_per_s)
       SELECT $1, now(), $2, $3, $4 WHERE EXISTS (SELECT 1 FROM cdc_source WHERE path_id = $1)
       ON CONFLICT DO NOTHING`,
      [pathId, sample.lagBytes, sample.lagSeconds, sample.changesPerSecond],
    );
  }

  /** Pauses the path (a source paused by its runner, whose path is still active). */
  async pausePath(pathId: string): Promise<void> {
    await this.pool.query(
      `UPDATE path SET state = 'paused', updated_at = now() WHERE id = $1 AND state = 'active'`,
      [pathId],
    );
  }

  /** Raises the alert unless one with its key is open or planned on the node; its id, or null. */
  async raiseAlert(alert: NewAlert): Promise<string | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // One raiser at a time per node and key, so that two workers do not both raise it.
      await client.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [
        `sextant.alert.${alert.nodeId}.${alert.dedupeKey}`,
      ]);
      const open = await client.query(
        `SELECT 1 FROM maintenance_ticket t JOIN item i ON i.id = t.item_id
          WHERE i.owner_id = $1 AND i.kind = 'alert' AND t.dedupe_key = $2
            AND t.state IN ('open', 'planned')`,
        [alert.nodeId, alert.dedupeKey],
      );
      if (open.rows.length > 0) {
        await client.query('ROLLBACK');
        return null;
      }
      const id = uuidv7();
      await client.query(
        `INSERT INTO item (id, kind, reference, name, owner_id, metadata, updated_at)
         VALUES ($1, 'alert', $2, $3, $4, $5, now())`,
        [
          id,
          `alert:${id}`,
          alert.title.slice(0, 200),
          alert.nodeId,
          JSON.stringify(alert.metadata),
        ],
      );
      await client.query(
        `INSERT INTO maintenance_ticket (item_id, priority, description, dedupe_key)
         VALUES ($1, $2::"MaintenancePriority", $3, $4)`,
        [id, alert.priority, alert.description.slice(0, 4000), alert.dedupeKey],
      );
      await client.query('COMMIT');
      return id;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Deletes samples older than `hours`. */
  async pruneSamples(hours: number): Promise<void> {
    await this.pool.query(
      `DELETE FROM cdc_lag_sample WHERE at < now() - make_interval(hours => $1)`,
      [hours],
    );
  }
}

import type { Pool, PoolClient } from 'pg';
import { uuidv7 } from './tokens';

/** Points accepted for one resource in one write. */
export interface TallyEntry {
  resourceId: string;
  points: number;
  firstTime: bigint;
  lastTime: bigint;
}

const nsPerMs = 1_000_000n;
const clampMs = (ns: bigint) => {
  const ms = ns / nsPerMs;
  // timestamptz holds years 4713 BC - 294276 AD; keep the accounting window inside.
  const limit = 8_000_000_000_000_000n;
  return Number(ms > limit ? limit : ms < -limit ? -limit : ms);
};

/**
 * Adds a write's points to the path's tally of the current minute, inside the write's
 * transaction: the tally commits with the points or not at all.
 */
export async function addToTally(
  client: PoolClient,
  pathId: string,
  entries: TallyEntry[],
): Promise<void> {
  const byResource = new Map<string, TallyEntry>();
  for (const e of entries) {
    const seen = byResource.get(e.resourceId);
    if (!seen) byResource.set(e.resourceId, { ...e });
    else {
      seen.points += e.points;
      if (e.firstTime < seen.firstTime) seen.firstTime = e.firstTime;
      if (e.lastTime > seen.lastTime) seen.lastTime = e.lastTime;
    }
  }
  if (byResource.size === 0) return;
  const rows = [...byResource.values()];
  await client.query(
    `INSERT INTO ingest_tally (id, path_id, resource_id, minute, points, first_time, last_time)
     SELECT i, $2::uuid, r, date_trunc('minute', now()), p, to_timestamp(f / 1000.0), to_timestamp(l / 1000.0)
       FROM unnest($1::uuid[], $3::uuid[], $4::bigint[], $5::float8[], $6::float8[]) AS u(i, r, p, f, l)
     ON CONFLICT (path_id, resource_id, minute) DO UPDATE SET
       points = ingest_tally.points + excluded.points,
       first_time = least(ingest_tally.first_time, excluded.first_time),
       last_time = greatest(ingest_tally.last_time, excluded.last_time)`,
    [
      rows.map(() => uuidv7()),
      pathId,
      rows.map((r) => r.resourceId),
      rows.map((r) => r.points),
      rows.map((r) => clampMs(r.firstTime)),
      rows.map((r) => clampMs(r.lastTime)),
    ],
  );
}

/**
 * Turns the tallies of minutes that have closed into movements (one per path, resource and
 * minute: source → destination of the path, quantity = points, window = earliest to latest
 * point) and deletes them, in one transaction. Returns the movements made.
 */
export async function flushTallies(pool: Pool, options: { all?: boolean } = {}): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rowCount } = await client.query(
      `WITH closed AS (
         DELETE FROM ingest_tally
          WHERE $1::boolean OR minute < date_trunc('minute', now()) - interval '1 minute'
         RETURNING *
       )
       INSERT INTO movement (id, resource_id, source_id, destination_id, path_id, quantity, start, stop,
                             unit_price, origin, external_id)
       SELECT c.id, c.resource_id, p.source_id, p.destination_id, c.path_id, c.points, c.first_time,
              c.last_time, r.unit_price, 'ingest', 'tally:' || c.id
         FROM closed c JOIN path p ON p.id = c.path_id JOIN resource r ON r.id = c.resource_id`,
      [options.all ?? false],
    );
    await client.query('COMMIT');
    return rowCount ?? 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

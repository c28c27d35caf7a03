import type { Db } from './runs.repository';

// Every query of cron schedules (job_schedule).

export interface ScheduleRow {
  id: string;
  name: string;
  type: string;
  params: Record<string, unknown>;
  cron: string;
  timezone: string;
  state: 'active' | 'paused';
  priority: number;
  ownerId: string;
  nextRunAt: Date;
  lastRunAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const columns = `id, name, type, params, cron, timezone, state, priority, owner_id AS "ownerId",
  next_run_at AS "nextRunAt", last_run_at AS "lastRunAt", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

export async function insertSchedule(
  db: Db,
  schedule: Omit<ScheduleRow, 'lastRunAt' | 'createdAt' | 'updatedAt'>,
): Promise<ScheduleRow> {
  const { rows } = await db.query<ScheduleRow>(
    `INSERT INTO job_schedule (id, name, type, params, cron, timezone, state, priority, owner_id, next_run_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
    [
      schedule.id,
      schedule.name,
      schedule.type,
      JSON.stringify(schedule.params),
      schedule.cron,
      schedule.timezone,
      schedule.state,
      schedule.priority,
      schedule.ownerId,
      schedule.nextRunAt,
    ],
  );
  return rows[0];
}

export async function findSchedule(db: Db, id: string): Promise<ScheduleRow | null> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT ${columns} FROM job_schedule WHERE id = $1`,
    [id],
  );
  return rows[0] ?? null;
}

/** Sets the state (and, resuming, the next time); null when there is no such schedule. */
export async function setScheduleState(
  db: Db,
  id: string,
  state: 'active' | 'paused',
  nextRunAt?: Date,
): Promise<ScheduleRow | null> {
  const { rows } = await db.query<ScheduleRow>(
    `UPDATE job_schedule SET state = $2, next_run_at = COALESCE($3, next_run_at), updated_at = now()
      WHERE id = $1 RETURNING ${columns}`,
    [id, state, nextRunAt ?? null],
  );
  return rows[0] ?? null;
}

export async function deleteSchedule(db: Db, id: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM job_schedule WHERE id = $1`, [id]);
  return rowCount === 1;
}

/** Active schedules due at `now`, locked for this ticker (others skip them). */
export async function lockDueSchedules(db: Db, now: Date, limit: number): Promise<ScheduleRow[]> {
  const { rows } = await db.query<ScheduleRow>(
    `SELECT ${columns} FROM job_schedule WHERE state = 'active' AND next_run_at <= $1
      ORDER BY next_run_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [now, limit],
  );
  return rows;
}

export async function advanceSchedule(
  db: Db,
  id: string,
  nextRunAt: Date,
  lastRunAt: Date,
): Promise<void> {
  await db.query(
    `UPDATE job_schedule SET next_run_at = $2, last_run_at = $3, updated_at = now() WHERE id = $1`,
    [id, nextRunAt, lastRunAt],
  );
}

import { DomainError } from '@sextant/domain';
import { uuidv7 } from '@sextant/ingest';
import { checkCron, latestFireTime, nextFireTime } from './cron';
import type { JobPlatform } from './platform';
import { insertLogs, insertRun } from './runs.repository';
import type { Db } from './runs.repository';

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

export interface NewSchedule {
  name: string;
  type: string;
  params?: Record<string, unknown>;
  cron: string;
  timezone?: string;
  priority?: number;
  ownerId: string;
  paused?: boolean;
}

const columns = `id, name, type, params, cron, timezone, state, priority, owner_id AS "ownerId",
  next_run_at AS "nextRunAt", last_run_at AS "lastRunAt", created_at AS "createdAt",
  updated_at AS "updatedAt"`;

/**
 * Cron schedules that submit runs. Any number of workers tick; a due schedule is claimed with
 * SKIP LOCKED and advanced in the transaction that submits its run, and a run is unique per
 * schedule and time, so each fire time gives one run. A schedule that missed several times
 * (no worker running) fires once, for the latest of them.
 */
export class JobSchedules {
  constructor(
    private readonly platform: JobPlatform,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async create(input: NewSchedule): Promise<ScheduleRow> {
    const timezone = input.timezone ?? 'UTC';
    const cronErrors = checkCron(input.cron, timezone);
    const errors = [...cronErrors];
    return this.platform.transaction(async (db) => {
      try {
        // The parameters are checked now; each run settles them again when it is made.
        await this.platform.checkSubmission(db, {
          type: input.type,
          params: input.params,
          ownerId: input.ownerId,
          priority: input.priority,
        });
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'ValidationFailed') throw error;
        errors.push(...error.fieldErrors);
      }
      if (errors.length) throw DomainError.validation(errors);
      const id = uuidv7();
      const { rows } = await db.query<ScheduleRow>(
        `INSERT INTO job_schedule (id, name, type, params, cron, timezone, state, priority, owner_id, next_run_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${columns}`,
        [
          id,
          input.name,
          input.type,
          JSON.stringify(input.params ?? {}),
          input.cron.trim(),
          timezone,
          input.paused ? 'paused' : 'active',
          input.priority ?? 0,
          input.ownerId,
          nextFireTime(input.cron, timezone, this.now()),
        ],
      );
      return rows[0];
    });
  }

  async pause(id: string): Promise<ScheduleRow> {
    return this.update(id, `state = 'paused'`);
  }

  /** Resumes from now on: times missed while paused do not fire. */
  async resume(id: string): Promise<ScheduleRow> {
    const schedule = await this.get(this.platform.pool, id);
    const next = nextFireTime(schedule.cron, schedule.timezone, this.now());
    return this.update(id, `state = 'active', next_run_at = $2`, [next]);
  }

  async remove(id: string): Promise<void> {
    const { rowCount } = await this.platform.pool.query(`DELETE FROM job_schedule WHERE id = $1`, [
      id,
    ]);
    if (rowCount === 0) throw notFound(id);
  }

  async get(db: Db, id: string): Promise<ScheduleRow> {
    const { rows } = await db.query<ScheduleRow>(
      `SELECT ${columns} FROM job_schedule WHERE id = $1`,
      [id],
    );
    if (!rows[0]) throw notFound(id);
    return rows[0];
  }

  /** Submits the runs of the schedules due at `now`; returns how many schedules fired. */
  async tick(now: Date = this.now()): Promise<number> {
    let fired = 0;
    for (;;) {
      const count = await this.platform.transaction(async (db) => {
        const { rows: due } = await db.query<ScheduleRow>(
          `SELECT ${columns} FROM job_schedule WHERE state = 'active' AND next_run_at <= $1
            ORDER BY next_run_at LIMIT 20 FOR UPDATE SKIP LOCKED`,
          [now],
        );
        for (const schedule of due) await this.fire(db, schedule, now);
        return due.length;
      });
      fired += count;
      if (count < 20) return fired;
    }
  }

  private async fire(db: Db, schedule: ScheduleRow, now: Date): Promise<void> {
    let at = latestFireTime(schedule.cron, schedule.timezone, now);
    if (at < schedule.nextRunAt) at = schedule.nextRunAt;
    try {
      await this.platform.submitIn(db, {
        type: schedule.type,
        params: schedule.params,
        ownerId: schedule.ownerId,
        priority: schedule.priority,
        scheduleId: schedule.id,
        scheduledFor: at,
      });
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      // Its parameters no longer hold (a node was deleted...): keep a failed run saying why.
      const runId = uuidv7();
      const inserted = await insertRun(db, {
        id: runId,
        type: schedule.type,
        params: schedule.params,
        options: {},
        priority: schedule.priority,
        ownerId: schedule.ownerId,
        scheduleId: schedule.id,
        scheduledFor: at,
        state: 'failed',
        error: `schedule ${schedule.name}: ${error.message}`,
      });
      if (inserted) {
        await insertLogs(db, [
          { runId, taskId: null, attempt: null, level: 'error', message: error.message },
        ]);
      }
    }
    await db.query(
      `UPDATE job_schedule SET next_run_at = $2, last_run_at = $3, updated_at = now() WHERE id = $1`,
      [schedule.id, nextFireTime(schedule.cron, schedule.timezone, at > now ? at : now), at],
    );
  }

  private async update(id: string, set: string, values: unknown[] = []): Promise<ScheduleRow> {
    const { rows } = await this.platform.pool.query<ScheduleRow>(
      `UPDATE job_schedule SET ${set}, updated_at = now() WHERE id = $1 RETURNING ${columns}`,
      [id, ...values],
    );
    if (!rows[0]) throw notFound(id);
    return rows[0];
  }
}

function notFound(id: string): DomainError {
  return new DomainError('JobScheduleNotFound', `no schedule with id ${id}`);
}

import { DomainError, uuidv7 } from '@sextant/domain';
import { checkCron, latestFireTime, nextFireTime } from './cron';
import type { JobPlatform } from './platform';
import { insertLogs, insertRun } from './runs.repository';
import type { Db } from './runs.repository';
import * as schedules from './schedules.repository';
import type { ScheduleRow } from './schedules.repository';

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
      return schedules.insertSchedule(db, {
        id: uuidv7(),
        name: input.name,
        type: input.type,
        params: input.params ?? {},
        cron: input.cron.trim(),
        timezone,
        state: input.paused ? 'paused' : 'active',
        priority: input.priority ?? 0,
        ownerId: input.ownerId,
        nextRunAt: nextFireTime(input.cron, timezone, this.now()),
      });
    });
  }

  async pause(id: string): Promise<ScheduleRow> {
    return found(id, await schedules.setScheduleState(this.platform.pool, id, 'paused'));
  }

  /** Resumes from now on: times missed while paused do not fire. */
  async resume(id: string): Promise<ScheduleRow> {
    const schedule = await this.get(this.platform.pool, id);
    const next = nextFireTime(schedule.cron, schedule.timezone, this.now());
    return found(id, await schedules.setScheduleState(this.platform.pool, id, 'active', next));
  }

  async remove(id: string): Promise<void> {
    if (!(await schedules.deleteSchedule(this.platform.pool, id))) throw notFound(id);
  }

  async get(db: Db, id: string): Promise<ScheduleRow> {
    return found(id, await schedules.findSchedule(db, id));
  }

  /** Submits the runs of the schedules due at `now`; returns how many schedules fired. */
  async tick(now: Date = this.now()): Promise<number> {
    let fired = 0;
    for (;;) {
      const count = await this.platform.transaction(async (db) => {
        const due = await schedules.lockDueSchedules(db, now, 20);
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
    const next = nextFireTime(schedule.cron, schedule.timezone, at > now ? at : now);
    await schedules.advanceSchedule(db, schedule.id, next, at);
  }
}

function notFound(id: string): DomainError {
  return new DomainError('JobScheduleNotFound', `no schedule with id ${id}`);
}

function found(id: string, row: ScheduleRow | null): ScheduleRow {
  if (!row) throw notFound(id);
  return row;
}

import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobPlatform } from './platform';
import { JobSchedules } from './schedules';
import { createFleet } from './testing/fixtures';
import { startTestWorker, waitFor, waitForRun } from './testing/harness';
import { testRegistry } from './testing/test-job-types';

describe('cron schedules', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let ownerId: string;
  // A fixed clock: 2026-12-01 10:02 UTC.
  let clock = new Date('2026-12-01T10:02:00Z');
  const now = () => clock;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_schedules');
    pool = new Pool({ connectionString: db.url, max: 6 });
    platform = new JobPlatform(pool, testRegistry(), { now });
    ({ ownerId } = await createFleet(pool));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function runsOf(scheduleId: string) {
    const { rows } = await pool.query<{ scheduled_for: Date; state: string; params: unknown }>(
      `SELECT scheduled_for, state, params FROM job_run WHERE schedule_id = $1 ORDER BY scheduled_for`,
      [scheduleId],
    );
    return rows;
  }

  it('fires a due schedule once per time, however many workers tick at once', async () => {
    const schedules = new JobSchedules(platform, now);
    const schedule = await schedules.create({
      name: 'every five minutes',
      type: 'test-flaky',
      params: { failTimes: 0 },
      cron: '*/5 * * * *',
      ownerId,
    });
    expect(schedule.nextRunAt).toEqual(new Date('2026-12-01T10:05:00Z'));
    expect(await schedules.tick(new Date('2026-12-01T10:04:59Z'))).toBe(0);

    // Four workers' tickers at the same moment, each with its own platform and connections.
    const at = new Date('2026-12-01T10:05:00.300Z');
    const fired = await Promise.all(
      Array.from({ length: 4 }, () =>
        new JobSchedules(new JobPlatform(pool, testRegistry(), { now }), now).tick(at),
      ),
    );
    expect(fired.reduce((a, b) => a + b, 0)).toBe(1);
    expect((await runsOf(schedule.id)).map((r) => r.scheduled_for)).toEqual([
      new Date('2026-12-01T10:05:00Z'),
    ]);
    expect((await schedules.get(pool, schedule.id)).nextRunAt).toEqual(
      new Date('2026-12-01T10:10:00Z'),
    );

    // Missed 10:10 to 10:25 (no worker ran): one run, for the latest of them.
    clock = new Date('2026-12-01T10:27:00Z');
    expect(await schedules.tick()).toBe(1);
    expect((await runsOf(schedule.id)).map((r) => r.scheduled_for.toISOString())).toEqual([
      '2026-12-01T10:05:00.000Z',
      '2026-12-01T10:25:00.000Z',
    ]);
    expect((await schedules.get(pool, schedule.id)).nextRunAt).toEqual(
      new Date('2026-12-01T10:30:00Z'),
    );

    // Paused, it does not fire; resumed, it goes on from the next time after now.
    await schedules.pause(schedule.id);
    clock = new Date('2026-12-01T10:41:00Z');
    expect(await schedules.tick()).toBe(0);
    const resumed = await schedules.resume(schedule.id);
    expect(resumed).toMatchObject({ state: 'active', nextRunAt: new Date('2026-12-01T10:45:00Z') });
    await schedules.remove(schedule.id);
    await expect(schedules.get(pool, schedule.id)).rejects.toMatchObject({
      code: 'JobScheduleNotFound',
    });
  });

  it('settles parameters for each run and follows the time zone', async () => {
    clock = new Date('2026-12-01T10:02:00Z');
    const schedules = new JobSchedules(platform, now);
    const { fleet } = { fleet: await createFleet(pool, 'tz') };
    // 06:00 in Copenhagen (UTC+1 in December) is 05:00 UTC.
    const schedule = await schedules.create({
      name: 'health at six',
      type: 'test-window',
      params: { nodeId: fleet.siteId, days: 1 },
      cron: '0 6 * * *',
      timezone: 'Europe/Copenhagen',
      ownerId: fleet.ownerId,
    });
    expect(schedule.nextRunAt).toEqual(new Date('2026-12-02T05:00:00Z'));
    clock = new Date('2026-12-02T05:00:01Z');
    expect(await schedules.tick()).toBe(1);
    const [run] = await runsOf(schedule.id);
    // The window ends when the run was made and spans the days asked for.
    expect(run.params).toMatchObject({
      nodeId: fleet.siteId,
      from: '2026-12-01T05:00:01.000Z',
      to: '2026-12-02T05:00:01.000Z',
    });
  });

  it('refuses a bad cron expression, time zone or parameters, naming each field', async () => {
    const schedules = new JobSchedules(platform, now);
    await expect(
      schedules.create({
        name: 'bad',
        type: 'test-flaky',
        params: { failTimes: -1 },
        cron: '61 * * * *',
        ownerId,
      }),
    ).rejects.toMatchObject({
      code: 'ValidationFailed',
      fieldErrors: [
        { field: 'cron', reason: expect.stringContaining('61') },
        { field: 'params.failTimes', reason: 'must be at least 0' },
      ],
    });
    await expect(
      schedules.create({
        name: 'bad',
        type: 'test-flaky',
        cron: '* * *',
        timezone: 'Mars/Olympus',
        ownerId,
      }),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: 'timezone', reason: expect.stringContaining('Mars/Olympus') }],
    });
  });

  it('is fired by a running worker on its own', async () => {
    const worker = await startTestWorker(db.url, { schedulerIntervalSeconds: 1 });
    try {
      // Six fields: every second.
      const schedule = await worker.schedules.create({
        name: 'every second',
        type: 'test-flaky',
        params: { failTimes: 0 },
        cron: '* * * * * *',
        ownerId,
      });
      const runId = await waitFor('a scheduled run', async () => {
        const { rows } = await pool.query<{ id: string }>(
          `SELECT id FROM job_run WHERE schedule_id = $1 LIMIT 1`,
          [schedule.id],
        );
        return rows[0]?.id;
      });
      expect((await waitForRun(pool, runId, ['succeeded', 'failed'])).state).toBe('succeeded');
      await worker.schedules.pause(schedule.id);
    } finally {
      await worker.stop();
    }
  });
});

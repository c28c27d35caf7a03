import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobPlatform } from './platform';
import { queueSchema } from './queue';
import { createFleet } from './testing/fixtures';
import { startTestWorker, waitFor, waitForRun } from './testing/harness';
import { testEvents, testRegistry } from './testing/test-job-types';

describe('cancelling runs', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let ownerId: string;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_cancel');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry());
    ({ ownerId } = await createFleet(pool));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function tasks(runId: string) {
    const { rows } = await pool.query<{
      key: string;
      state: string;
      started_at: Date | null;
      queue_job_id: string | null;
    }>(`SELECT key, state, started_at, queue_job_id FROM job_task WHERE run_id = $1 ORDER BY key`, [
      runId,
    ]);
    return rows;
  }

  it('cancels a queued run: its queue jobs are cancelled and no task ever starts', async () => {
    const run = await platform.submit({ type: 'test-steps', params: { n: 2 }, ownerId });
    const cancelled = await platform.cancel(run.id);
    expect(cancelled).toMatchObject({ state: 'cancelled', error: 'cancelled on request' });
    const before = await tasks(run.id);
    expect(before.map((t) => t.state)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
    const jobId = before.find((t) => t.key === 'first')!.queue_job_id;
    const { rows } = await pool.query(`SELECT state FROM ${queueSchema}.job WHERE id = $1`, [
      jobId,
    ]);
    expect(rows).toEqual([{ state: 'cancelled' }]);

    const worker = await startTestWorker(db.url);
    try {
      // Long enough for a few polls of the queue.
      await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
      await worker.stop();
    }
    expect((await tasks(run.id)).every((t) => t.started_at === null)).toBe(true);
  });

  it('cancels a running run: the attempt is aborted, nothing after it runs, a second cancel is refused', async () => {
    const worker = await startTestWorker(db.url);
    const aborted: string[] = [];
    const onAbort = (event: { reason: string }) => aborted.push(event.reason);
    testEvents.on('aborted', onAbort);
    try {
      const run = await platform.submit({ type: 'test-sleep', params: { seconds: 60 }, ownerId });
      await waitFor('the task to start', async () =>
        (await tasks(run.id))[0].state === 'running' ? true : undefined,
      );
      await platform.cancel(run.id, 'not needed any more');
      // The worker notices at its next heartbeat (every second here).
      await waitFor('the attempt to be aborted', async () => (aborted.length ? true : undefined));
      expect(aborted).toEqual(['cancelled, or taken over by another worker']);
      const after = await waitForRun(pool, run.id, ['cancelled']);
      expect(after.error).toBe('not needed any more');
      expect((await tasks(run.id)).map((t) => t.state)).toEqual(['cancelled']);
      const { rows: succeeded } = await pool.query(
        `SELECT 1 FROM job_log WHERE run_id = $1 AND message LIKE 'succeeded%'`,
        [run.id],
      );
      expect(succeeded).toEqual([]);
      await expect(platform.cancel(run.id)).rejects.toMatchObject({ code: 'JobRunFinished' });

      // A cancelled run can be retried: it runs again from its unfinished tasks.
      const short = await platform.submit({ type: 'test-steps', params: { n: 1 }, ownerId });
      await platform.cancel(short.id);
      await platform.retry(short.id);
      expect((await waitForRun(pool, short.id, ['succeeded', 'failed'])).state).toBe('succeeded');
    } finally {
      testEvents.off('aborted', onAbort);
      await worker.stop();
    }
  });
});

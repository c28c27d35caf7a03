import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobPlatform } from './platform';
import { createFleet } from './testing/fixtures';
import { startTestWorker, waitForRun } from './testing/harness';
import { testEvents, testRegistry } from './testing/test-job-types';
import type { JobWorker } from './worker';

describe('job retries, backoff and timeouts', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let worker: JobWorker;
  let ownerId: string;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_retries');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry());
    ({ ownerId } = await createFleet(pool));
    worker = await startTestWorker(db.url);
  });

  afterAll(async () => {
    await worker?.stop();
    await pool?.end();
    await db?.drop();
  });

  /** Start times (ms) of each attempt of the run's flaky task, as its code saw them. */
  function attemptTimes(runId: string): number[] {
    const times: number[] = [];
    testEvents.on('attempt', (event: { runId: string; at: number }) => {
      if (event.runId === runId) times.push(event.at);
    });
    return times;
  }

  it('retries a failed attempt after its backoff, twice as long each time', async () => {
    const run = await platform.submit({
      type: 'test-flaky',
      params: { failTimes: 2 },
      ownerId,
      options: { maxAttempts: 3, backoffSeconds: 1 },
    });
    const times = attemptTimes(run.id);
    const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
    expect(done).toMatchObject({ state: 'succeeded', result: { attempt: 3 } });
    expect(times).toHaveLength(3);
    // Backoff 1 s after the first failure, 2 s after the second.
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(1000);
    expect(times[2] - times[1]).toBeGreaterThanOrEqual(2000);
    const { rows: logs } = await pool.query<{ message: string }>(
      `SELECT message FROM job_log WHERE run_id = $1 AND level = 'warn' ORDER BY id`,
      [run.id],
    );
    expect(logs.map((l) => l.message)).toEqual([
      'attempt 1 failed: flaky attempt 1; attempt 2 in 1 s',
      'attempt 2 failed: flaky attempt 2; attempt 3 in 2 s',
    ]);
    const { rows: tasks } = await pool.query(
      `SELECT attempt, state, error FROM job_task WHERE run_id = $1`,
      [run.id],
    );
    expect(tasks).toEqual([{ attempt: 3, state: 'succeeded', error: null }]);
  });

  it('fails the run when the attempts run out, and a retry of the run gives them new attempts', async () => {
    const run = await platform.submit({
      type: 'test-flaky',
      params: { failTimes: 3 },
      ownerId,
      options: { maxAttempts: 2, backoffSeconds: 0 },
    });
    const failed = await waitForRun(pool, run.id, ['succeeded', 'failed']);
    expect(failed.state).toBe('failed');
    expect(failed.error).toBe('task flaky failed after 2 attempt(s): flaky attempt 2');

    // Two attempts more: the third fails too, the fourth succeeds.
    const retried = await platform.retry(run.id);
    expect(retried.state).toBe('running');
    const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
    expect(done).toMatchObject({ state: 'succeeded', result: { attempt: 4 }, error: null });
    const { rows } = await pool.query(`SELECT retries FROM job_run WHERE id = $1`, [run.id]);
    expect(rows[0].retries).toBe(1);
  });

  it('aborts an attempt that runs past its timeout and counts it as failed', async () => {
    const aborted: string[] = [];
    const onAbort = (event: { reason: string }) => aborted.push(event.reason);
    testEvents.on('aborted', onAbort);
    try {
      const run = await platform.submit({
        type: 'test-sleep',
        params: { seconds: 60 },
        ownerId,
        options: { timeoutSeconds: 1, maxAttempts: 2, backoffSeconds: 0 },
      });
      const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
      expect(done).toMatchObject({
        state: 'failed',
        error: 'task sleep failed after 2 attempt(s): timed out after 1 s',
      });
      // The task's code saw its signal aborted, once per attempt.
      expect(aborted).toEqual(['timed out after 1 s', 'timed out after 1 s']);
    } finally {
      testEvents.off('aborted', onAbort);
    }
  });

  it('refuses to retry a run that did not fail, and to cancel one that finished', async () => {
    const run = await platform.submit({ type: 'test-flaky', params: { failTimes: 0 }, ownerId });
    await waitForRun(pool, run.id, ['succeeded']);
    await expect(platform.retry(run.id)).rejects.toMatchObject({ code: 'JobRunNotRetryable' });
    await expect(platform.cancel(run.id)).rejects.toMatchObject({ code: 'JobRunFinished' });
    await expect(platform.retry('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      code: 'JobRunNotFound',
    });
  });
});

import type { Pool } from 'pg';
import { JobWorker, JobWorkerOptions } from '../worker';
import { testRegistry } from './test-job-types';

// Helpers of the platform's integration tests (and of the worker process they start).

/** Quick intervals so that tests need not wait long. */
export const testWorkerOptions = {
  concurrency: 2,
  pollingIntervalSeconds: 0.5,
  heartbeatSeconds: 1,
  lostAfterSeconds: 3,
  schedulerIntervalSeconds: 0,
  shutdownGraceSeconds: 1,
} satisfies Partial<JobWorkerOptions>;

export async function startTestWorker(
  databaseUrl: string,
  options: Partial<JobWorkerOptions> = {},
): Promise<JobWorker> {
  const worker = new JobWorker({
    databaseUrl,
    registry: testRegistry(),
    ...testWorkerOptions,
    ...options,
  });
  await worker.start();
  return worker;
}

/** Waits until the run is in one of `states`; throws with its tasks after `ms`. */
export async function waitForRun(
  pool: Pool,
  runId: string,
  states: string[],
  ms = 30_000,
): Promise<{ state: string; result: unknown; error: string | null }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { rows } = await pool.query<{ state: string; result: unknown; error: string | null }>(
      `SELECT state, result, error FROM job_run WHERE id = $1`,
      [runId],
    );
    if (rows[0] && states.includes(rows[0].state)) return rows[0];
    if (Date.now() > deadline) {
      const tasks = await pool.query(
        `SELECT key, state, attempt, error FROM job_task WHERE run_id = $1 ORDER BY created_at`,
        [runId],
      );
      throw new Error(
        `run ${runId} is ${rows[0]?.state ?? 'missing'} after ${ms} ms, not ${states.join('/')}: ${JSON.stringify(tasks.rows)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `check` returns a value other than undefined. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

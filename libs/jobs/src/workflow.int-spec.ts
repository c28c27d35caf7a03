import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobPlatform } from './platform';
import { progressTallies } from './runs.repository';
import { startTestWorker, waitForRun } from './testing/harness';
import { testRegistry } from './testing/test-job-types';
import type { JobWorker } from './worker';
import { runProgress } from './workflow';

interface TaskTimes {
  key: string;
  step: string;
  state: string;
  position: number | null;
  started_at: Date;
  finished_at: Date;
  result: unknown;
}

describe('job workflow: dependencies, fan-out and merge, priority', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let ownerId: string;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_workflow');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry());
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO node (id, kind, name, reference, updated_at)
       VALUES (gen_random_uuid(), 'organisation', 'Owner', 'owner', now()) RETURNING id`,
    );
    ownerId = rows[0].id;
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function tasksOf(runId: string): Promise<Map<string, TaskTimes>> {
    const { rows } = await pool.query<TaskTimes>(
      `SELECT key, step, state, position, started_at, finished_at, result FROM job_task WHERE run_id = $1`,
      [runId],
    );
    return new Map(rows.map((r) => [r.key, r]));
  }

  it('runs each task only after the steps it depends on, fans out and merges in input order', async () => {
    const run = await platform.submit({ type: 'test-steps', params: { n: 4 }, ownerId });
    // Only the step without dependencies is queued at first.
    const queued = await pool.query(`SELECT key, state FROM job_task WHERE run_id = $1`, [run.id]);
    expect(Object.fromEntries(queued.rows.map((r) => [r.key, r.state]))).toEqual({
      first: 'queued',
      second: 'pending',
      fan: 'pending',
      merge: 'pending',
    });

    const worker = await startTestWorker(db.url);
    try {
      const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
      expect(done.state).toBe('succeeded');
      // inputs 0, 10, 20, 30: the squares sum to 1400, listed in input order.
      expect(done.result).toEqual({ sum: 1400, inputs: [0, 10, 20, 30] });
    } finally {
      await worker.stop();
    }

    const tasks = await tasksOf(run.id);
    // first, second, the fan-out's listing task, its 4 tasks, merge.
    expect(tasks.size).toBe(8);
    expect([...tasks.values()].every((t) => t.state === 'succeeded')).toBe(true);
    const after = (later: string, earlier: string) =>
      expect(tasks.get(later)!.started_at.getTime()).toBeGreaterThanOrEqual(
        tasks.get(earlier)!.finished_at.getTime(),
      );
    after('second', 'first');
    after('fan', 'first');
    for (let i = 0; i < 4; i++) {
      expect(tasks.get(`fan[${i}]`)!.position).toBe(i);
      after(`fan[${i}]`, 'fan');
      after('merge', `fan[${i}]`);
    }
    after('merge', 'second');
    expect(runProgress((await progressTallies(pool, [run.id])).get(run.id)!)).toBe(100);
  });

  it('merges an empty fan-out', async () => {
    const worker = await startTestWorker(db.url);
    try {
      const run = await platform.submit({ type: 'test-steps', params: { n: 0 }, ownerId });
      const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
      expect(done).toMatchObject({ state: 'succeeded', result: { sum: 0, inputs: [] } });
    } finally {
      await worker.stop();
    }
  });

  it('starts higher-priority runs first', async () => {
    // Queued before any worker runs, lowest priority first.
    const low = await platform.submit({
      type: 'test-sleep',
      params: { seconds: 0.2, label: 'low' },
      ownerId,
      priority: -5,
    });
    const middle = await platform.submit({
      type: 'test-sleep',
      params: { seconds: 0.2, label: 'middle' },
      ownerId,
    });
    const high = await platform.submit({
      type: 'test-sleep',
      params: { seconds: 0.2, label: 'high' },
      ownerId,
      priority: 10,
    });
    // One attempt at a time, so the queue's order is the order of starts.
    const worker = await startTestWorker(db.url, { concurrency: 1 });
    try {
      for (const run of [low, middle, high]) await waitForRun(pool, run.id, ['succeeded']);
    } finally {
      await worker.stop();
    }
    const { rows } = await pool.query<{ label: string }>(
      `SELECT r.params->>'label' AS label FROM job_task t JOIN job_run r ON r.id = t.run_id
        WHERE r.id = ANY($1::uuid[]) ORDER BY t.started_at`,
      [[low.id, middle.id, high.id]],
    );
    expect(rows.map((r) => r.label)).toEqual(['high', 'middle', 'low']);
  });

  it('refuses bad parameters naming each field', async () => {
    await expect(
      platform.submit({
        type: 'test-steps',
        params: { n: 'three', extra: 1 },
        ownerId,
        priority: 5000,
      }),
    ).rejects.toMatchObject({
      code: 'ValidationFailed',
      fieldErrors: expect.arrayContaining([
        { field: 'params.extra', reason: expect.stringContaining('unknown parameter') },
        { field: 'params.n', reason: 'must be a number' },
        { field: 'priority', reason: expect.stringContaining('-1000 to 1000') },
      ]),
    });
    await expect(
      platform.submit({ type: 'no-such-type', ownerId: '00000000-0000-4000-8000-000000000000' }),
    ).rejects.toMatchObject({
      code: 'ValidationFailed',
      fieldErrors: [{ field: 'type', reason: expect.stringContaining('no job type no-such-type') }],
    });
  });
});

export type { JobWorker };

import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobPlatform } from './platform';
import { registerWorker } from './runs.repository';
import { createFleet, Fleet, writeSeries } from './testing/fixtures';
import { startTestWorker, waitForRun } from './testing/harness';
import { testRegistry } from './testing/test-job-types';

const root = path.resolve(__dirname, '../../..');
const script = path.join(root, 'dist/libs/jobs/src/testing/worker-process.js');

interface WorkerProcess {
  child: ChildProcess;
  id: string;
  /** Resolves with `hanging <task> <attempt>` lines as the process prints them. */
  hanging: Promise<{ taskId: string; attempt: number }>;
}

function startWorkerProcess(url: string): Promise<WorkerProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, url], { stdio: ['ignore', 'pipe', 'inherit'] });
    let onHanging: (value: { taskId: string; attempt: number }) => void = () => undefined;
    const hanging = new Promise<{ taskId: string; attempt: number }>((r) => (onHanging = r));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const ready = /^ready (\S+)$/.exec(line);
      if (ready) resolve({ child, id: ready[1], hanging });
      const hang = /^hanging (\S+) (\d+)$/.exec(line);
      if (hang) onHanging({ taskId: hang[1], attempt: Number(hang[2]) });
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => reject(new Error(`worker exited (${code ?? signal})`)));
  });
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('a worker killed mid-task', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let fleet: Fleet;
  const children: ChildProcess[] = [];
  const window = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T01:00:00.000Z' };

  beforeAll(async () => {
    // The worker processes run from the server build, as the apps do.
    execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { cwd: root });
    db = await createTestDatabase('jobs_crash');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry());
    fleet = await createFleet(pool);
    await writeSeries(
      pool,
      {
        measurement: 'scada',
        field: 'speed',
        nodeId: fleet.machineId,
        resourceId: fleet.resources.speed,
      },
      new Date(window.from),
      120,
      60,
    );
  });

  afterAll(async () => {
    await Promise.all(children.map(kill));
    await pool?.end();
    await db?.drop();
  });

  /** Rows each output of the task left: items, tickets, estimates, movements. */
  async function outputsOf(taskId: string) {
    const count = async (sql: string) =>
      Number((await pool.query<{ n: string }>(sql, [taskId])).rows[0].n);
    return {
      items: await count(
        `SELECT count(*) AS n FROM item WHERE reference LIKE 'job:' || $1 || ':%'`,
      ),
      tickets: await count(`SELECT count(*) AS n FROM maintenance_ticket WHERE task_id = $1`),
      estimates: await count(
        `SELECT count(*) AS n FROM remaining_life_estimate WHERE task_id = $1`,
      ),
      movements: await count(
        `SELECT count(*) AS n FROM movement WHERE origin = 'job' AND external_id LIKE 'task:' || $1 || ':%'`,
      ),
      lineage: await count(`SELECT count(*) AS n FROM job_lineage WHERE task_id = $1`),
    };
  }

  it('has its task run again by another worker process (SIGKILL), the result written once', async () => {
    const first = await startWorkerProcess(db.url);
    children.push(first.child);
    const run = await platform.submit({
      type: 'test-outputs',
      params: { nodeId: fleet.siteId, machineId: fleet.machineId, ...window, hangOnAttempt: 1 },
      ownerId: fleet.ownerId,
    });
    const hung = await first.hanging;
    expect(hung.attempt).toBe(1);
    await kill(first.child);

    // Another process takes over once the first is found lost (3 s without a heartbeat).
    const second = await startWorkerProcess(db.url);
    children.push(second.child);
    const done = await waitForRun(pool, run.id, ['succeeded', 'failed'], 60_000);
    expect(done.state).toBe('succeeded');
    expect(done.result).toMatchObject({ attempt: 2, pid: second.child.pid, points: 60 });

    const { rows: tasks } = await pool.query(
      `SELECT id, attempt, state, worker_id FROM job_task WHERE run_id = $1`,
      [run.id],
    );
    expect(tasks).toEqual([
      { id: hung.taskId, attempt: 2, state: 'succeeded', worker_id: second.id },
    ]);
    // One model and one alert (with its ticket), one estimate; movements: one read (one
    // resource of one node), two results, the compute time; lineage: the read, two results.
    expect(await outputsOf(hung.taskId)).toEqual({
      items: 2,
      tickets: 1,
      estimates: 1,
      movements: 4,
      lineage: 3,
    });
    const { rows: workers } = await pool.query(`SELECT stop_reason FROM job_worker WHERE id = $1`, [
      first.id,
    ]);
    expect(workers).toEqual([{ stop_reason: 'lost' }]);
    const { rows: logs } = await pool.query<{ attempt: number; message: string; worker: string }>(
      `SELECT attempt, message, worker FROM job_log WHERE task_id = $1 AND level <> 'debug' ORDER BY id`,
      [hung.taskId],
    );
    expect(logs[0]).toMatchObject({
      attempt: 1,
      message: 'attempt 1 of 3 started',
      worker: expect.stringMatching(new RegExp(`:${first.child.pid}$`)),
    });
    expect(logs.some((l) => /^attempt 1 failed: worker .* lost/.test(l.message))).toBe(true);
    expect(logs.at(-1)).toMatchObject({
      attempt: 2,
      message: expect.stringMatching(/^succeeded in/),
      worker: expect.stringMatching(new RegExp(`:${second.child.pid}$`)),
    });
  });

  it('ignores the result of an attempt that was taken over while its worker lived on', async () => {
    const run = await platform.submit({
      type: 'test-outputs',
      params: { nodeId: fleet.siteId, machineId: fleet.machineId, ...window, hangOnAttempt: 0 },
      ownerId: fleet.ownerId,
    });
    // A worker that claims the first attempt, then goes silent.
    const silent = '00000000-0000-4000-8000-00000000dead';
    await registerWorker(pool, { id: silent, host: 'silent', pid: 1, concurrency: 1, types: [] });
    const { rows } = await pool.query(`SELECT id FROM job_task WHERE run_id = $1`, [run.id]);
    const claimed = await platform.claim({ taskId: rows[0].id, attempt: 1 }, silent);
    expect(claimed).not.toBeNull();
    await pool.query(
      `UPDATE job_worker SET heartbeat_at = now() - interval '1 minute' WHERE id = $1`,
      [silent],
    );
    const worker = await startTestWorker(db.url);
    try {
      // The live worker reaps the silent one and runs attempt 2.
      const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
      expect(done).toMatchObject({ state: 'succeeded', result: { attempt: 2 } });
    } finally {
      await worker.stop();
    }
    const before = await outputsOf(claimed!.task.id);
    // The silent worker wakes up and reports attempt 1: neither outcome is recorded.
    const outputs = { reads: [], items: [], alerts: [], estimates: [] };
    await expect(
      platform.succeed(claimed!.task, { result: { late: true }, outputs, startedAt: new Date() }),
    ).resolves.toBe('stale');
    await expect(platform.fail(claimed!.task, 'late failure')).resolves.toBe('stale');
    expect(await outputsOf(claimed!.task.id)).toEqual(before);
    // The model only: the alert of the first test, same machine and key, is still open.
    expect(before).toMatchObject({ items: 1, tickets: 0, estimates: 1 });
    const { rows: after } = await pool.query(`SELECT result FROM job_run WHERE id = $1`, [run.id]);
    expect(after[0].result).toMatchObject({ attempt: 2 });
  });
});

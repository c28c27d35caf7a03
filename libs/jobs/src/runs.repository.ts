import type { JobLogLevelName, JobRunStateName, JobTaskStateName } from '@sextant/domain';
import type { Pool, PoolClient } from 'pg';
import type { JsonValue, TaskOptions } from './job-type';
import type { StepTally } from './workflow';

// Every query of runs, tasks, logs and workers (the platform's writes; the API reads through
// its own repositories). Functions take the caller's connection, usually inside a transaction.

export type Db = Pick<PoolClient, 'query'>;

export interface RunRow {
  id: string;
  type: string;
  params: Record<string, unknown>;
  options: Partial<TaskOptions>;
  state: JobRunStateName;
  priority: number;
  ownerId: string;
  scheduleId: string | null;
  scheduledFor: Date | null;
  result: JsonValue | null;
  error: string | null;
  retries: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface TaskRow {
  id: string;
  runId: string;
  step: string;
  key: string;
  position: number | null;
  parentId: string | null;
  dependsOn: string[];
  input: JsonValue | null;
  state: JobTaskStateName;
  attempt: number;
  attemptLimit: number;
  timeoutSeconds: number;
  backoffSeconds: number;
  progress: number;
  result: JsonValue | null;
  error: string | null;
  queueJobId: string | null;
  workerId: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const runColumns = `id, type, params, options, state, priority, owner_id AS "ownerId", schedule_id AS "scheduleId",
  scheduled_for AS "scheduledFor", result, error, retries, created_at AS "createdAt",
  started_at AS "startedAt", finished_at AS "finishedAt"`;

const taskColumns = `id, run_id AS "runId", step, key, position, parent_id AS "parentId",
  depends_on AS "dependsOn", input, state, attempt, attempt_limit AS "attemptLimit",
  timeout_seconds AS "timeoutSeconds", backoff_seconds AS "backoffSeconds", progress, result,
  error, queue_job_id AS "queueJobId", worker_id AS "workerId", started_at AS "startedAt",
  finished_at AS "finishedAt"`;

export interface NewRun {
  id: string;
  type: string;
  params: Record<string, unknown>;
  options: Partial<TaskOptions>;
  priority: number;
  ownerId: string;
  scheduleId: string | null;
  scheduledFor: Date | null;
  state?: JobRunStateName;
  error?: string | null;
}

/** Inserts a run; false when its schedule already has a run for that time. */
export async function insertRun(db: Db, run: NewRun): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO job_run (id, type, params, options, priority, owner_id, schedule_id, scheduled_for,
                          state, error, finished_at)
     VALUES ($1, $2, $3, $10, $4, $5, $6, $7, $8::"JobRunState", $9,
             CASE WHEN $8 = 'failed' THEN now() END)
     ON CONFLICT (schedule_id, scheduled_for) DO NOTHING`,
    [
      run.id,
      run.type,
      JSON.stringify(run.params),
      run.priority,
      run.ownerId,
      run.scheduleId,
      run.scheduledFor,
      run.state ?? 'queued',
      run.error ?? null,
      JSON.stringify(run.options),
    ],
  );
  return rowCount === 1;
}

export interface NewTask {
  id: string;
  runId: string;
  step: string;
  key: string;
  position: number | null;
  parentId: string | null;
  dependsOn: string[];
  input: JsonValue | null;
  attemptLimit: number;
  timeoutSeconds: number;
  backoffSeconds: number;
}

export async function insertTasks(db: Db, tasks: NewTask[]): Promise<void> {
  if (tasks.length === 0) return;
  await db.query(
    `INSERT INTO job_task (id, run_id, step, key, position, parent_id, depends_on, input,
                           attempt_limit, timeout_seconds, backoff_seconds)
     SELECT t.id, t.run_id, t.step, t.key, t.position, t.parent_id,
            ARRAY(SELECT jsonb_array_elements_text(t.depends_on)), t.input,
            t.attempt_limit, t.timeout_seconds, t.backoff_seconds
       FROM jsonb_to_recordset($1::jsonb) AS t(id uuid, run_id uuid, step text, key text,
            position int, parent_id uuid, depends_on jsonb, input jsonb, attempt_limit int,
            timeout_seconds int, backoff_seconds int)`,
    [
      JSON.stringify(
        tasks.map((t) => ({
          id: t.id,
          run_id: t.runId,
          step: t.step,
          key: t.key,
          position: t.position,
          parent_id: t.parentId,
          depends_on: t.dependsOn,
          input: t.input,
          attempt_limit: t.attemptLimit,
          timeout_seconds: t.timeoutSeconds,
          backoff_seconds: t.backoffSeconds,
        })),
      ),
    ],
  );
}

/** The run, locked until the transaction ends: every change of a run's tasks takes it first. */
export async function lockRun(db: Db, runId: string): Promise<RunRow | null> {
  const { rows } = await db.query<RunRow>(
    `SELECT ${runColumns} FROM job_run WHERE id = $1 FOR UPDATE`,
    [runId],
  );
  return rows[0] ?? null;
}

export async function findRun(db: Db, runId: string): Promise<RunRow | null> {
  const { rows } = await db.query<RunRow>(`SELECT ${runColumns} FROM job_run WHERE id = $1`, [
    runId,
  ]);
  return rows[0] ?? null;
}

export async function findTask(db: Db, taskId: string): Promise<TaskRow | null> {
  const { rows } = await db.query<TaskRow>(`SELECT ${taskColumns} FROM job_task WHERE id = $1`, [
    taskId,
  ]);
  return rows[0] ?? null;
}

export async function tasksOfRun(db: Db, runId: string): Promise<TaskRow[]> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${taskColumns} FROM job_task WHERE run_id = $1 ORDER BY created_at, position NULLS FIRST, id`,
    [runId],
  );
  return rows;
}

/**
 * Pending tasks whose steps it depends on have all succeeded, and whether any task of the run
 * has not succeeded, in one query of index lookups (per state), so that each completion costs
 * the same however wide the fan-out.
 */
export async function readyTasks(
  db: Db,
  runId: string,
): Promise<{ ready: TaskRow[]; unfinished: boolean }> {
  const { rows } = await db.query<{ ready: TaskRow[]; unfinished: boolean }>(
    `WITH ready AS (
       SELECT ${taskColumns} FROM job_task t
        WHERE t.run_id = $1 AND t.state = 'pending'
          AND NOT EXISTS (SELECT 1 FROM job_task u
                           WHERE u.run_id = t.run_id AND u.step = ANY(t.depends_on)
                             AND u.state IN ('pending', 'queued', 'running', 'failed', 'cancelled'))
     )
     SELECT (SELECT coalesce(jsonb_agg(to_jsonb(ready) ORDER BY position NULLS FIRST, id), '[]')
               FROM ready) AS ready,
            EXISTS (SELECT 1 FROM job_task v WHERE v.run_id = $1
                     AND v.state IN ('pending', 'queued', 'running', 'failed', 'cancelled')) AS unfinished`,
    [runId],
  );
  return rows[0];
}

export interface QueuedAttempt {
  taskId: string;
  attempt: number;
  jobId: string;
  runAfter: Date | null;
}

/** Marks tasks queued for their next attempt, with the queue job that delivers it. */
export async function markQueued(db: Db, attempts: QueuedAttempt[]): Promise<void> {
  if (attempts.length === 0) return;
  await db.query(
    `UPDATE job_task t SET state = 'queued', attempt = a.attempt, queue_job_id = a.job_id,
            run_after = a.run_after, worker_id = NULL, progress = 0, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS a(task_id uuid, attempt int, job_id uuid, run_after timestamptz)
      WHERE t.id = a.task_id`,
    [
      JSON.stringify(
        attempts.map((a) => ({
          task_id: a.taskId,
          attempt: a.attempt,
          job_id: a.jobId,
          run_after: a.runAfter,
        })),
      ),
    ],
  );
}

/**
 * Claims a delivered attempt for a worker, in one statement: only if the task is still queued
 * for exactly that attempt (not cancelled, not superseded). A queued run becomes running, and
 * the start is logged. Returns the task and its run, or null to drop the delivery.
 */
export async function claimAttempt(
  db: Db,
  claim: { taskId: string; attempt: number; workerId: string; workerName: string },
): Promise<{ task: TaskRow; run: RunRow } | null> {
  const { rows } = await db.query<{ task: Record<string, unknown>; run: Record<string, unknown> }>(
    `WITH task AS (
       UPDATE job_task SET state = 'running', worker_id = $3, started_at = now(),
              finished_at = NULL, progress = 0, updated_at = now()
        WHERE id = $1 AND attempt = $2 AND state = 'queued'
        RETURNING ${taskColumns}
     ), started AS (
       UPDATE job_run SET state = 'running', started_at = COALESCE(started_at, now()), updated_at = now()
        WHERE id = (SELECT "runId" FROM task) AND state = 'queued'
     ), logged AS (
       INSERT INTO job_log (run_id, task_id, attempt, level, message, worker)
       SELECT "runId", id, attempt, 'info', 'attempt ' || attempt || ' of ' || "attemptLimit" || ' started', $4
         FROM task
     )
     SELECT to_jsonb(task) AS task,
            (SELECT to_jsonb(r) FROM (SELECT ${runColumns} FROM job_run WHERE id = task."runId") r) AS run
       FROM task`,
    [claim.taskId, claim.attempt, claim.workerId, claim.workerName],
  );
  if (!rows[0]) return null;
  const dates = (row: Record<string, unknown>, names: string[]) => {
    for (const name of names) if (typeof row[name] === 'string') row[name] = new Date(row[name]);
    return row;
  };
  const task = dates(rows[0].task, ['startedAt', 'finishedAt']) as unknown as TaskRow;
  const run = dates(rows[0].run, [
    'scheduledFor',
    'createdAt',
    'startedAt',
    'finishedAt',
  ]) as unknown as RunRow;
  // Read in the statement's snapshot, before it started the run.
  if (run.state === 'queued') run.state = 'running';
  return { task, run };
}

/** Locks the task if `attempt` is its current, running attempt (else null: a stale attempt). */
export async function lockRunningAttempt(
  db: Db,
  taskId: string,
  attempt: number,
): Promise<TaskRow | null> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${taskColumns} FROM job_task WHERE id = $1 AND attempt = $2 AND state = 'running' FOR UPDATE`,
    [taskId, attempt],
  );
  return rows[0] ?? null;
}

/**
 * Records the attempt's success if it is still the task's current, running attempt (under the
 * row lock the UPDATE takes); false when it is not (cancelled, or taken over).
 */
export async function markSucceeded(
  db: Db,
  taskId: string,
  attempt: number,
  result: JsonValue,
): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE job_task SET state = 'succeeded', result = $3, progress = 100, error = NULL,
            finished_at = now(), updated_at = now()
      WHERE id = $1 AND attempt = $2 AND state = 'running'`,
    [taskId, attempt, JSON.stringify(result)],
  );
  return rowCount === 1;
}

export async function markFailed(db: Db, taskId: string, error: string): Promise<void> {
  await db.query(
    `UPDATE job_task SET state = 'failed', error = $2, finished_at = now(), updated_at = now()
      WHERE id = $1`,
    [taskId, error],
  );
}

/** An attempt that does not count (its worker stopped): one more is allowed. */
export async function allowOneMoreAttempt(db: Db, taskId: string): Promise<void> {
  await db.query(
    `UPDATE job_task SET attempt_limit = attempt_limit + 1, updated_at = now() WHERE id = $1`,
    [taskId],
  );
}

export async function setTaskError(db: Db, taskId: string, error: string): Promise<void> {
  await db.query(`UPDATE job_task SET error = $2, updated_at = now() WHERE id = $1`, [
    taskId,
    error,
  ]);
}

/** Tasks of the run not finished yet (pending, queued, running). */
export async function unfinishedTasks(db: Db, runId: string): Promise<TaskRow[]> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${taskColumns} FROM job_task WHERE run_id = $1 AND state IN ('pending', 'queued', 'running')`,
    [runId],
  );
  return rows;
}

export async function cancelTasks(db: Db, taskIds: string[], reason: string): Promise<void> {
  if (taskIds.length === 0) return;
  await db.query(
    `UPDATE job_task SET state = 'cancelled', error = COALESCE(error, $2), finished_at = now(), updated_at = now()
      WHERE id = ANY($1::uuid[]) AND state IN ('pending', 'queued', 'running')`,
    [taskIds, reason],
  );
}

/** Results of a step's tasks: a fan-out step's per-input tasks in input order, else its own. */
export async function stepResults(
  db: Db,
  runId: string,
  step: string,
  fanOut: boolean,
): Promise<JsonValue[]> {
  const { rows } = await db.query<{ result: JsonValue }>(
    `SELECT result FROM job_task
      WHERE run_id = $1 AND step = $2 AND state = 'succeeded' AND (position IS NOT NULL) = $3
      ORDER BY position NULLS FIRST`,
    [runId, step, fanOut],
  );
  return rows.map((r) => r.result);
}

export async function finishRun(
  db: Db,
  runId: string,
  state: 'succeeded' | 'failed' | 'cancelled',
  fields: { result?: JsonValue; error?: string | null },
): Promise<void> {
  await db.query(
    `UPDATE job_run SET state = $2, result = COALESCE($3::jsonb, result), error = $4,
            finished_at = now(), updated_at = now()
      WHERE id = $1`,
    [
      runId,
      state,
      fields.result === undefined ? null : JSON.stringify(fields.result),
      fields.error ?? null,
    ],
  );
}

/** Puts a failed or cancelled run back to work: its unfinished tasks get fresh attempts. */
export async function reopenRun(db: Db, runId: string, started: boolean): Promise<void> {
  await db.query(
    `UPDATE job_run SET state = $2, error = NULL, finished_at = NULL, retries = retries + 1,
            updated_at = now()
      WHERE id = $1`,
    [runId, started ? 'running' : 'queued'],
  );
}

/** Failed and cancelled tasks become pending again, each allowed `attempts` more attempts. */
export async function reopenTasks(
  db: Db,
  runId: string,
  attempts: Map<string, number>,
): Promise<number> {
  const { rows } = await db.query<{ id: string; step: string }>(
    `SELECT id, step FROM job_task WHERE run_id = $1 AND state IN ('failed', 'cancelled')`,
    [runId],
  );
  if (rows.length === 0) return 0;
  await db.query(
    `UPDATE job_task t SET state = 'pending', attempt_limit = t.attempt + a.more, error = NULL,
            progress = 0, worker_id = NULL, finished_at = NULL, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS a(id uuid, more int)
      WHERE t.id = a.id`,
    [JSON.stringify(rows.map((r) => ({ id: r.id, more: attempts.get(r.step) ?? 1 })))],
  );
  return rows.length;
}

/** Per-step sums of task progress, for runProgress(). */
export async function progressTallies(db: Db, runIds: string[]): Promise<Map<string, StepTally[]>> {
  const { rows } = await db.query<StepTally & { runId: string }>(
    `SELECT run_id AS "runId", step, position IS NOT NULL AS fanned, count(*)::int AS tasks,
            sum(CASE WHEN state = 'succeeded' THEN 100 ELSE progress END)::float8 AS "progressSum"
       FROM job_task WHERE run_id = ANY($1::uuid[])
      GROUP BY run_id, step, position IS NOT NULL`,
    [runIds],
  );
  const byRun = new Map<string, StepTally[]>();
  for (const row of rows) {
    const list = byRun.get(row.runId) ?? [];
    list.push({
      step: row.step,
      fanned: row.fanned,
      tasks: row.tasks,
      progressSum: row.progressSum,
    });
    byRun.set(row.runId, list);
  }
  return byRun;
}

export async function setProgress(
  db: Pick<Pool, 'query'>,
  taskId: string,
  attempt: number,
  progress: number,
  message: string | null,
): Promise<void> {
  await db.query(
    `UPDATE job_task SET progress = $3, message = COALESCE($4, message), updated_at = now()
      WHERE id = $1 AND attempt = $2 AND state = 'running'`,
    [taskId, attempt, progress, message],
  );
}

export interface LogLine {
  runId: string;
  taskId: string | null;
  attempt: number | null;
  level: JobLogLevelName;
  message: string;
  data?: Record<string, JsonValue> | null;
  worker?: string | null;
  at?: Date;
}

export async function insertLogs(db: Pick<Pool, 'query'>, lines: LogLine[]): Promise<void> {
  if (lines.length === 0) return;
  await db.query(
    `INSERT INTO job_log (run_id, task_id, attempt, level, message, data, worker, at)
     SELECT l.run_id, l.task_id, l.attempt, l.level::"JobLogLevel", l.message, l.data, l.worker,
            COALESCE(l.at, now())
       FROM jsonb_to_recordset($1::jsonb) AS l(run_id uuid, task_id uuid, attempt int, level text,
            message text, data jsonb, worker text, at timestamptz)`,
    [
      JSON.stringify(
        lines.map((l) => ({
          run_id: l.runId,
          task_id: l.taskId,
          attempt: l.attempt,
          level: l.level,
          message: l.message,
          data: l.data ?? null,
          worker: l.worker ?? null,
          at: l.at ?? null,
        })),
      ),
    ],
  );
}

// Workers.

export async function registerWorker(
  db: Db,
  worker: { id: string; host: string; pid: number; concurrency: number; types: string[] },
): Promise<void> {
  await db.query(
    `INSERT INTO job_worker (id, host, pid, concurrency, types) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET heartbeat_at = now(), stopped_at = NULL, stop_reason = NULL`,
    [worker.id, worker.host, worker.pid, worker.concurrency, worker.types],
  );
}

/** Beats the worker's heart; returns false if another worker had declared it lost. */
export async function heartbeat(db: Db, workerId: string): Promise<boolean> {
  const { rows } = await db.query<{ lost: boolean }>(
    `UPDATE job_worker w SET heartbeat_at = now(), stopped_at = NULL, stop_reason = NULL
       FROM (SELECT stopped_at IS NOT NULL AS lost FROM job_worker WHERE id = $1) prior
      WHERE w.id = $1 RETURNING prior.lost`,
    [workerId],
  );
  return rows.length === 1 && !rows[0].lost;
}

export async function stopWorker(db: Db, workerId: string, reason: string): Promise<void> {
  await db.query(
    `UPDATE job_worker SET stopped_at = now(), stop_reason = $2 WHERE id = $1 AND stopped_at IS NULL`,
    [workerId, reason],
  );
}

/** Workers not heard from for `seconds`, locked for the one reaper that handles them. */
export async function lockLostWorkers(
  db: Db,
  seconds: number,
): Promise<{ id: string; host: string; pid: number; heartbeatAt: Date }[]> {
  const { rows } = await db.query(
    `SELECT id, host, pid, heartbeat_at AS "heartbeatAt" FROM job_worker
      WHERE stopped_at IS NULL AND heartbeat_at < now() - make_interval(secs => $1)
      ORDER BY heartbeat_at LIMIT 20 FOR UPDATE SKIP LOCKED`,
    [seconds],
  );
  return rows;
}

/**
 * Running attempts past their timeout by `graceSeconds`: their worker should have ended them
 * itself (it is stuck, or could not report).
 */
export async function overdueAttempts(db: Db, graceSeconds: number): Promise<TaskRow[]> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${taskColumns} FROM job_task
      WHERE state = 'running' AND started_at < now() - make_interval(secs => timeout_seconds + $1)
      ORDER BY run_id LIMIT 20`,
    [graceSeconds],
  );
  return rows;
}

/** Running tasks of a worker (what it was doing when it stopped or was lost). */
export async function runningTasksOf(db: Db, workerId: string): Promise<TaskRow[]> {
  const { rows } = await db.query<TaskRow>(
    `SELECT ${taskColumns} FROM job_task WHERE worker_id = $1 AND state = 'running'`,
    [workerId],
  );
  return rows;
}

/** Which of these attempts are no longer running (cancelled, or taken over by another). */
export async function abandonedAttempts(
  db: Db,
  attempts: { taskId: string; attempt: number }[],
): Promise<string[]> {
  if (attempts.length === 0) return [];
  const { rows } = await db.query<{ id: string }>(
    `SELECT a.task_id AS id FROM jsonb_to_recordset($1::jsonb) AS a(task_id uuid, attempt int)
       LEFT JOIN job_task t ON t.id = a.task_id
      WHERE t.id IS NULL OR t.state <> 'running' OR t.attempt <> a.attempt`,
    [JSON.stringify(attempts.map((a) => ({ task_id: a.taskId, attempt: a.attempt })))],
  );
  return rows.map((r) => r.id);
}

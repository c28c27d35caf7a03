import { hostname } from 'node:os';
import { DomainError, FieldError, uuidv7 } from '@sextant/domain';
import type { Pool, PoolClient } from 'pg';
import { isFanOut, JobType, JsonValue, TaskOptions } from './job-type';
import { AccountingRefs, ensureAccounting, TaskOutputs, writeOutputs } from './lineage.repository';
import { nodeParams, validateParams } from './params';
import { JobQueue, QueuedDelivery, TaskDelivery } from './queue';
import { JobTypeRegistry } from './registry';
import * as repo from './runs.repository';
import type { Db, RunRow, TaskRow } from './runs.repository';
import { fanOutKey, initialTasks, resultStepOf, retryDelaySeconds, taskOptions } from './workflow';

export interface SubmitInput {
  type: string;
  params?: unknown;
  /** The node that owns the run: it gets the results and is billed for them. */
  ownerId: string;
  /** Higher runs first (-1000 to 1000, default 0). */
  priority?: number;
  /** Overrides of every task's options. */
  options?: Partial<TaskOptions>;
  scheduleId?: string | null;
  /** The cron time a scheduled run is made for (one run per schedule and time). */
  scheduledFor?: Date | null;
}

export const optionLimits = {
  priority: { min: -1000, max: 1000 },
  timeoutSeconds: { min: 1, max: 82_800 },
  maxAttempts: { min: 1, max: 20 },
  backoffSeconds: { min: 0, max: 3600 },
} as const;

/** Seconds pg-boss lets a delivery stay active past the task's own timeout (a backstop). */
const expiryGraceSeconds = 60;

/** What happened to an attempt the runner reported on. */
export type AttemptOutcome = 'succeeded' | 'retrying' | 'failed' | 'released' | 'stale';

export interface PlatformOptions {
  /** Name written in logs (host:pid). */
  workerName?: string;
  /** Called after a commit that queued deliveries (wakes this process's consumer). */
  onQueued?: () => void;
  now?: () => Date;
}

/**
 * The job platform's writes: submitting, cancelling and retrying runs, and each attempt's
 * claim, success and failure. Every change of a run's tasks happens in a transaction that
 * first locks the run row (so concurrent completions see each other), and queue deliveries
 * are inserted in that same transaction.
 */
export class JobPlatform {
  readonly queue: JobQueue;
  readonly workerName: string;
  private refs: Promise<AccountingRefs> | null = null;

  constructor(
    readonly pool: Pool,
    readonly registry: JobTypeRegistry,
    private readonly options: PlatformOptions = {},
  ) {
    this.queue = new JobQueue(pool);
    this.workerName = options.workerName ?? `${hostname()}:${process.pid}`;
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Runs `work` in a transaction on a connection of the pool. */
  async transaction<T>(work: (db: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let committed = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      committed = true;
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
      if (committed) this.options.onQueued?.();
    }
  }

  /** Checks a submission: 400 naming each bad field. Returns the type and settled params. */
  async checkSubmission(
    db: Db,
    input: SubmitInput,
  ): Promise<{ type: JobType; params: Record<string, unknown>; options: Partial<TaskOptions> }> {
    const errors: FieldError[] = [];
    if (typeof input.ownerId !== 'string') errors.push({ field: 'ownerId', reason: 'is required' });
    if (!this.registry.has(input.type)) {
      throw DomainError.validation([
        {
          field: 'type',
          reason: `no job type ${input.type} (known: ${this.registry.names().join(', ')})`,
        },
      ]);
    }
    const type = this.registry.get(input.type);
    const validated = validateParams(type.params, input.params);
    errors.push(...validated.errors);
    let params = validated.value;
    if (errors.length === 0 && type.prepare) params = type.prepare(params as never, this.now());
    if (errors.length === 0 && type.check) errors.push(...type.check(params as never));
    const priority = input.priority ?? 0;
    if (
      !Number.isInteger(priority) ||
      priority < optionLimits.priority.min ||
      priority > optionLimits.priority.max
    ) {
      errors.push({
        field: 'priority',
        reason: `must be a whole number ${optionLimits.priority.min} to ${optionLimits.priority.max}`,
      });
    }
    const options: Partial<TaskOptions> = {};
    for (const name of ['timeoutSeconds', 'maxAttempts', 'backoffSeconds'] as const) {
      const value = input.options?.[name];
      if (value === undefined || value === null) continue;
      const { min, max } = optionLimits[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        errors.push({ field: `options.${name}`, reason: `must be a whole number ${min}-${max}` });
      } else {
        options[name] = value;
      }
    }
    const nodeIds = [
      ...nodeParams(type.params).flatMap((name) =>
        typeof params[name] === 'string' ? [{ field: `params.${name}`, id: params[name] }] : [],
      ),
      { field: 'ownerId', id: input.ownerId },
    ].filter((n): n is { field: string; id: string } => typeof n.id === 'string');
    const { rows } = await db.query<{ id: string }>(
      `SELECT id FROM node WHERE id = ANY($1::uuid[])`,
      [nodeIds.map((n) => n.id).filter((id) => /^[0-9a-f-]{36}$/i.test(id))],
    );
    const found = new Set(rows.map((r) => r.id));
    for (const node of nodeIds) {
      if (!found.has(node.id.toLowerCase())) {
        errors.push({ field: node.field, reason: `no node with id ${node.id}` });
      }
    }
    if (errors.length) throw DomainError.validation(errors);
    return { type, params, options };
  }

  /** Submits a run: its tasks are created and those without dependencies queued. */
  async submit(input: SubmitInput): Promise<RunRow> {
    return this.transaction(async (db) => {
      const run = await this.submitIn(db, input);
      if (!run) throw new Error('a run for this schedule and time exists already');
      return run;
    });
  }

  /** submit() inside the caller's transaction; null when the scheduled run exists already. */
  async submitIn(db: Db, input: SubmitInput): Promise<RunRow | null> {
    const { type, params, options } = await this.checkSubmission(db, input);
    const runId = uuidv7();
    const inserted = await repo.insertRun(db, {
      id: runId,
      type: type.name,
      params,
      options,
      priority: input.priority ?? 0,
      ownerId: input.ownerId,
      scheduleId: input.scheduleId ?? null,
      scheduledFor: input.scheduledFor ?? null,
    });
    if (!inserted) return null;
    await repo.insertTasks(
      db,
      initialTasks(type, options).map((task) => ({
        id: uuidv7(),
        runId,
        step: task.step,
        key: task.key,
        position: null,
        parentId: null,
        dependsOn: task.dependsOn,
        input: null,
        attemptLimit: task.options.maxAttempts,
        timeoutSeconds: task.options.timeoutSeconds,
        backoffSeconds: task.options.backoffSeconds,
      })),
    );
    const run = (await repo.lockRun(db, runId))!;
    await this.queueReady(db, run);
    await repo.insertLogs(db, [
      {
        runId,
        taskId: null,
        attempt: null,
        level: 'info',
        message: input.scheduleId
          ? `submitted by schedule ${input.scheduleId} for ${input.scheduledFor?.toISOString()}`
          : 'submitted',
        data: { params: params as Record<string, JsonValue>, priority: run.priority },
      },
    ]);
    return run;
  }

  /** Cancels a run that has not finished: its tasks stop (running ones are aborted). */
  async cancel(runId: string, reason = 'cancelled on request'): Promise<RunRow> {
    return this.transaction(async (db) => {
      const run = await this.lockExisting(db, runId);
      if (['succeeded', 'failed', 'cancelled'].includes(run.state)) {
        throw new DomainError(
          'JobRunFinished',
          `run ${runId} has ${run.state === 'cancelled' ? 'been cancelled' : run.state} already: only a queued or running run can be cancelled`,
        );
      }
      await this.stopRest(db, run, reason);
      await repo.finishRun(db, runId, 'cancelled', { error: reason });
      await repo.insertLogs(db, [
        { runId, taskId: null, attempt: null, level: 'warn', message: reason },
      ]);
      return (await repo.findRun(db, runId))!;
    });
  }

  /**
   * Retries a failed or cancelled run: its failed and cancelled tasks get as many attempts
   * again as they had; succeeded tasks keep their results.
   */
  async retry(runId: string): Promise<RunRow> {
    return this.transaction(async (db) => {
      const run = await this.lockExisting(db, runId);
      if (run.state !== 'failed' && run.state !== 'cancelled') {
        throw new DomainError(
          'JobRunNotRetryable',
          `run ${runId} is ${run.state}: only a failed or cancelled run can be retried`,
        );
      }
      const type = this.registry.get(run.type);
      const attempts = new Map(
        type.steps.map((s) => [s.name, taskOptions(type, s.name, run.options).maxAttempts]),
      );
      const reopened = await repo.reopenTasks(db, runId, attempts);
      await repo.reopenRun(db, runId, run.startedAt !== null);
      await repo.insertLogs(db, [
        {
          runId,
          taskId: null,
          attempt: null,
          level: 'info',
          message: `retried on request: ${reopened} task(s) to run again`,
        },
      ]);
      const reopenedRun = (await repo.findRun(db, runId))!;
      await this.queueReady(db, reopenedRun);
      return reopenedRun;
    });
  }

  // Attempts, as the runner reports them.

  /** Claims a delivered attempt; null when it is no longer wanted (cancelled, superseded). */
  claim(delivery: TaskDelivery, workerId: string): Promise<{ task: TaskRow; run: RunRow } | null> {
    return repo.claimAttempt(this.pool, {
      taskId: delivery.taskId,
      attempt: delivery.attempt,
      workerId,
      workerName: this.workerName,
    });
  }

  /**
   * Records a successful attempt with what it produced, exactly once: only while the attempt
   * is still the task's running one. A fan-out's listing task adds one task per input.
   */
  async succeed(
    task: TaskRow,
    outcome: {
      result: JsonValue;
      inputs?: JsonValue[];
      outputs: TaskOutputs;
      startedAt: Date;
      /** The attempt's log lines not written yet. */
      logs?: repo.LogLine[];
    },
  ): Promise<AttemptOutcome> {
    const refs = await this.accounting();
    return this.transaction(async (db) => {
      const run = (await repo.lockRun(db, task.runId))!;
      const type = this.registry.get(run.type);
      let result = outcome.result;
      if (outcome.inputs) result = { inputs: outcome.inputs.length };
      // Only the task's current, running attempt records anything; a late one only its logs.
      if (!(await repo.markSucceeded(db, task.id, task.attempt, result))) {
        await repo.insertLogs(db, outcome.logs ?? []);
        return 'stale';
      }
      if (outcome.inputs) {
        const options = taskOptions(type, task.step, run.options);
        await repo.insertTasks(
          db,
          outcome.inputs.map((input, position) => ({
            id: uuidv7(),
            runId: run.id,
            step: task.step,
            key: fanOutKey(task.step, position),
            position,
            parentId: task.id,
            dependsOn: task.dependsOn,
            input,
            attemptLimit: options.maxAttempts,
            timeoutSeconds: options.timeoutSeconds,
            backoffSeconds: options.backoffSeconds,
          })),
        );
      }
      const finishedAt = this.now();
      const written = await writeOutputs(
        db,
        {
          runId: run.id,
          taskId: task.id,
          ownerId: run.ownerId,
          startedAt: outcome.startedAt,
          finishedAt,
          refs,
        },
        outcome.outputs,
      );
      const seconds = (finishedAt.getTime() - outcome.startedAt.getTime()) / 1000;
      await repo.insertLogs(db, [
        ...(outcome.logs ?? []),
        {
          runId: run.id,
          taskId: task.id,
          attempt: task.attempt,
          level: 'info',
          message: outcome.inputs
            ? `listed ${outcome.inputs.length} input(s) in ${seconds.toFixed(2)} s`
            : `succeeded in ${seconds.toFixed(2)} s`,
          data: { ...written },
          worker: this.workerName,
        },
      ]);
      const unfinished = await this.queueReady(db, run);
      if (!unfinished) {
        const step = type.steps.find((s) => s.name === resultStepOf(type))!;
        const results = await repo.stepResults(db, run.id, step.name, isFanOut(step));
        await repo.finishRun(db, run.id, 'succeeded', {
          result: isFanOut(step) ? results : (results[0] ?? null),
        });
        await repo.insertLogs(db, [
          { runId: run.id, taskId: null, attempt: null, level: 'info', message: 'run succeeded' },
        ]);
      }
      return 'succeeded';
    });
  }

  /**
   * Records a failed attempt: queued again after its backoff while attempts remain, else the
   * task fails and so does its run (its other tasks are cancelled).
   */
  async fail(task: TaskRow, message: string, retryable = true): Promise<AttemptOutcome> {
    return this.transaction(async (db) => {
      const run = (await repo.lockRun(db, task.runId))!;
      const current = await repo.lockRunningAttempt(db, task.id, task.attempt);
      if (!current) return 'stale';
      return this.failAttemptIn(db, run, current, message, retryable);
    });
  }

  /** Puts back an attempt this worker could not finish (it is stopping): not counted. */
  async release(task: TaskRow, reason: string): Promise<AttemptOutcome> {
    return this.transaction(async (db) => {
      const run = (await repo.lockRun(db, task.runId))!;
      const current = await repo.lockRunningAttempt(db, task.id, task.attempt);
      if (!current) return 'stale';
      await repo.allowOneMoreAttempt(db, task.id);
      await this.queueAttempts(db, run, [{ task: current, startAfter: null }]);
      await repo.insertLogs(db, [
        {
          runId: run.id,
          taskId: task.id,
          attempt: task.attempt,
          level: 'warn',
          message: `${reason}: queued again (not counted as an attempt)`,
          worker: this.workerName,
        },
      ]);
      return 'released';
    });
  }

  /**
   * Declares workers silent for `seconds` lost and queues their running tasks again (each a
   * failed attempt, retried after its backoff while attempts remain). Any worker may reap;
   * SKIP LOCKED keeps two from handling the same lost worker.
   */
  async reapLostWorkers(seconds: number): Promise<number> {
    let reaped = 0;
    for (;;) {
      const handled = await this.transaction(async (db) => {
        const [worker] = await repo.lockLostWorkers(db, seconds);
        if (!worker) return false;
        const reason = `worker ${worker.host}:${worker.pid} lost (no heartbeat since ${new Date(worker.heartbeatAt).toISOString()})`;
        const tasks = (await repo.runningTasksOf(db, worker.id)).sort((a, b) =>
          a.runId.localeCompare(b.runId),
        );
        for (const task of tasks) {
          const run = (await repo.lockRun(db, task.runId))!;
          const current = await repo.lockRunningAttempt(db, task.id, task.attempt);
          if (!current) continue;
          if (current.queueJobId) await this.queue.cancel(db, [current.queueJobId]);
          await this.failAttemptIn(db, run, current, reason, true);
          reaped++;
        }
        await repo.stopWorker(db, worker.id, 'lost');
        return true;
      });
      if (!handled) break;
    }
    // Attempts a live worker should have ended itself long ago (stuck, or it could not report).
    reaped += await this.transaction(async (db) => {
      let count = 0;
      for (const overdue of await repo.overdueAttempts(db, expiryGraceSeconds + seconds)) {
        const run = (await repo.lockRun(db, overdue.runId))!;
        const task = await repo.lockRunningAttempt(db, overdue.id, overdue.attempt);
        if (!task) continue;
        const reason = `attempt ${task.attempt} still running ${expiryGraceSeconds + seconds} s past its ${task.timeoutSeconds} s timeout`;
        if (task.queueJobId) await this.queue.cancel(db, [task.queueJobId]);
        await this.failAttemptIn(db, run, task, reason, true);
        count++;
      }
      return count;
    });
    return reaped;
  }

  private async failAttemptIn(
    db: Db,
    run: RunRow,
    task: TaskRow,
    message: string,
    retryable: boolean,
  ): Promise<AttemptOutcome> {
    if (retryable && task.attempt < task.attemptLimit) {
      const delay = retryDelaySeconds(task.backoffSeconds, task.attempt);
      await repo.setTaskError(db, task.id, message);
      await this.queueAttempts(db, run, [
        { task, startAfter: new Date(this.now().getTime() + delay * 1000) },
      ]);
      await repo.insertLogs(db, [
        {
          runId: run.id,
          taskId: task.id,
          attempt: task.attempt,
          level: 'warn',
          message: `attempt ${task.attempt} failed: ${message}; attempt ${task.attempt + 1} in ${delay} s`,
          data: { retryInSeconds: delay },
          worker: this.workerName,
        },
      ]);
      return 'retrying';
    }
    await repo.markFailed(db, task.id, message);
    const why = `task ${task.key} failed after ${task.attempt} attempt(s): ${message}`;
    await repo.insertLogs(db, [
      {
        runId: run.id,
        taskId: task.id,
        attempt: task.attempt,
        level: 'error',
        message: `attempt ${task.attempt} failed: ${message}; no attempts left`,
        worker: this.workerName,
      },
      { runId: run.id, taskId: null, attempt: null, level: 'error', message: `run failed: ${why}` },
    ]);
    await this.stopRest(db, run, `run failed: ${why}`);
    await repo.finishRun(db, run.id, 'failed', { error: why });
    return 'failed';
  }

  /** Cancels a run's unfinished tasks and their queue jobs. */
  private async stopRest(db: Db, run: RunRow, reason: string): Promise<void> {
    const rest = await repo.unfinishedTasks(db, run.id);
    await repo.cancelTasks(
      db,
      rest.map((t) => t.id),
      reason,
    );
    await this.queue.cancel(
      db,
      rest.filter((t) => t.state !== 'pending' && t.queueJobId).map((t) => t.queueJobId!),
    );
  }

  /**
   * Queues the pending tasks of the run whose dependencies have all succeeded; says whether
   * any task of the run has yet to succeed.
   */
  private async queueReady(db: Db, run: RunRow): Promise<boolean> {
    const { ready, unfinished } = await repo.readyTasks(db, run.id);
    await this.queueAttempts(
      db,
      run,
      ready.map((task) => ({ task, startAfter: null })),
    );
    return unfinished;
  }

  private async queueAttempts(
    db: Db,
    run: RunRow,
    attempts: { task: TaskRow; startAfter: Date | null }[],
  ): Promise<void> {
    if (attempts.length === 0) return;
    const deliveries: QueuedDelivery[] = attempts.map(({ task, startAfter }) => ({
      jobId: uuidv7(),
      taskId: task.id,
      attempt: task.attempt + 1,
      priority: run.priority,
      startAfter,
      expireInSeconds: task.timeoutSeconds + expiryGraceSeconds,
    }));
    await repo.markQueued(
      db,
      deliveries.map((d) => ({
        taskId: d.taskId,
        attempt: d.attempt,
        jobId: d.jobId,
        runAfter: d.startAfter,
      })),
    );
    await this.queue.enqueue(db, deliveries);
  }

  private async lockExisting(db: Db, runId: string): Promise<RunRow> {
    const run = await repo.lockRun(db, runId);
    if (!run) throw new DomainError('JobRunNotFound', `no run with id ${runId}`);
    return run;
  }

  /** The platform's node and resources (made once per database). */
  accounting(): Promise<AccountingRefs> {
    this.refs ??= ensureAccounting(this.pool).catch((error: unknown) => {
      this.refs = null;
      throw error;
    });
    return this.refs;
  }
}

import { AttemptContext, TaskAborted } from './context';
import { isFanOut, JsonValue, TaskContext } from './job-type';
import type { AttemptOutcome, JobPlatform } from './platform';
import type { TaskDelivery } from './queue';
import type { TaskRow } from './runs.repository';
import { isFanOutStep } from './workflow';
import { SeriesRepository } from './series.repository';

interface RunningAttempt {
  task: TaskRow;
  controller: AbortController;
  done: Promise<AttemptOutcome | null>;
}

function message(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

/** Resolves with the work, or rejects as soon as the signal is aborted. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Runs delivered attempts in this process: claims each, runs its step's code with a context
 * and a deadline, and reports the outcome to the platform. Attempts can be aborted from
 * outside (cancel, takeover, shutdown); an aborted attempt's code is not waited for.
 */
export class TaskRunner {
  private readonly running = new Map<string, RunningAttempt>();
  private readonly series: SeriesRepository;

  constructor(
    private readonly platform: JobPlatform,
    private readonly workerId: string,
  ) {
    this.series = new SeriesRepository(platform.pool);
  }

  /** The attempts running here, for the heartbeat's check. */
  attempts(): { taskId: string; attempt: number }[] {
    return [...this.running.values()].map((r) => ({ taskId: r.task.id, attempt: r.task.attempt }));
  }

  abort(taskId: string, reason: TaskAborted): void {
    this.running.get(taskId)?.controller.abort(reason);
  }

  /** Aborts every attempt and waits until each is reported (shutdown). */
  async abortAll(reason: TaskAborted): Promise<void> {
    const all = [...this.running.values()];
    for (const attempt of all) attempt.controller.abort(reason);
    await Promise.all(all.map((a) => a.done));
  }

  /** Waits for the running attempts, at most `ms`; true when none is left. */
  async drain(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return this.running.size === 0;
  }

  async execute(delivery: TaskDelivery): Promise<AttemptOutcome | null> {
    const claimed = await this.platform.claim(delivery, this.workerId);
    if (!claimed) return null;
    const { task, run } = claimed;
    const controller = new AbortController();
    let settle!: (outcome: AttemptOutcome | null) => void;
    const done = new Promise<AttemptOutcome | null>((resolve) => (settle = resolve));
    this.running.set(task.id, { task, controller, done });
    const startedAt = new Date();
    const context = new AttemptContext(
      this.platform.pool,
      run,
      task,
      controller.signal,
      this.series,
      this.platform.workerName,
      (step) => {
        const type = this.platform.registry.has(run.type)
          ? this.platform.registry.get(run.type)
          : null;
        return type ? isFanOutStep(type, step) : false;
      },
    );
    const timer = setTimeout(
      () =>
        controller.abort(new TaskAborted('timeout', `timed out after ${task.timeoutSeconds} s`)),
      task.timeoutSeconds * 1000,
    );
    let outcome: AttemptOutcome | null = null;
    try {
      const type = this.platform.registry.has(run.type)
        ? this.platform.registry.get(run.type)
        : null;
      const step = type?.steps.find((s) => s.name === task.step);
      if (!type || !step) {
        await context.close();
        outcome = await this.platform.fail(
          task,
          `this worker (${this.platform.workerName}) has no job type ${run.type} with a step ${task.step}`,
          false,
        );
        return outcome;
      }
      const ctx = context as unknown as TaskContext<never>;
      let result: JsonValue;
      let inputs: JsonValue[] | undefined;
      if (isFanOut(step)) {
        if (task.position === null) {
          inputs = await untilAborted(step.inputs(ctx), controller.signal);
          if (!Array.isArray(inputs))
            throw new Error(`step ${step.name}: inputs() must return an array`);
          result = null;
        } else {
          result = await untilAborted(step.each(ctx, task.input as never), controller.signal);
        }
      } else {
        result = await untilAborted(step.run(ctx), controller.signal);
      }
      const logs = await context.drain();
      try {
        outcome = await this.platform.succeed(task, {
          result: result === undefined ? null : result,
          inputs,
          outputs: context.outputs,
          startedAt,
          logs,
        });
      } catch (error) {
        outcome = await this.platform.fail(task, `could not record the result: ${message(error)}`);
      }
    } catch (error) {
      await context.close();
      const reason = controller.signal.aborted ? (controller.signal.reason as unknown) : error;
      if (reason instanceof TaskAborted && reason.why === 'shutdown') {
        outcome = await this.platform.release(task, reason.message);
      } else if (
        reason instanceof TaskAborted &&
        (reason.why === 'cancelled' || reason.why === 'superseded')
      ) {
        // The task's state already says why (cancelled, or another attempt took over).
        outcome = 'stale';
      } else {
        outcome = await this.platform.fail(task, message(reason));
      }
    } finally {
      clearTimeout(timer);
      this.running.delete(task.id);
      settle(outcome);
    }
    return outcome;
  }
}

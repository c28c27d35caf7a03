import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Pool } from 'pg';
import { TaskAborted } from './context';
import { JobPlatform } from './platform';
import { QueueConsumer } from './queue';
import type { JobTypeRegistry } from './registry';
import { abandonedAttempts, heartbeat, registerWorker, stopWorker } from './runs.repository';
import { TaskRunner } from './runner';
import { JobSchedules } from './schedules';

export interface JobWorkerOptions {
  databaseUrl: string;
  registry: JobTypeRegistry;
  /** Attempts run at once by this process. */
  concurrency: number;
  /** Seconds between queue polls when idle (at least 0.5). */
  pollingIntervalSeconds: number;
  /** Seconds between heartbeats (also how often cancellations are noticed). */
  heartbeatSeconds: number;
  /** A worker not heard from for this long is lost; its running tasks are queued again. */
  lostAfterSeconds: number;
  /** Seconds between cron ticks; 0: this worker does not fire schedules. */
  schedulerIntervalSeconds: number;
  /** On stop, how long running attempts may take to finish before they are put back. */
  shutdownGraceSeconds: number;
  log?: (line: string) => void;
}

/**
 * One worker process of the job platform: takes deliveries from the queue and runs them,
 * beats its heart (so others can tell it is alive), notices cancelled or taken-over attempts,
 * reaps lost workers, and fires due cron schedules.
 */
export class JobWorker {
  readonly id = randomUUID();
  readonly name = `${hostname()}:${process.pid}`;
  readonly pool: Pool;
  readonly platform: JobPlatform;
  readonly schedules: JobSchedules;
  private readonly consumer: QueueConsumer;
  private readonly runner: TaskRunner;
  private timers: NodeJS.Timeout[] = [];
  private beating: Promise<void> | null = null;
  private ticking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: JobWorkerOptions) {
    this.pool = new Pool({
      connectionString: options.databaseUrl,
      max: options.concurrency + 3,
      application_name: 'sextant-worker-jobs',
    });
    this.pool.on('error', (error) => this.log(`database connection lost: ${error.message}`));
    this.consumer = new QueueConsumer({
      connectionString: options.databaseUrl,
      concurrency: options.concurrency,
      pollingIntervalSeconds: options.pollingIntervalSeconds,
      maintenanceIntervalSeconds: Math.max(10, options.lostAfterSeconds),
      onError: (error) => this.log(`queue: ${error.message}`),
    });
    this.platform = new JobPlatform(this.pool, options.registry, {
      workerName: this.name,
      onQueued: () => this.consumer.wake(),
    });
    this.schedules = new JobSchedules(this.platform);
    this.runner = new TaskRunner(this.platform, this.id);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  async start(): Promise<void> {
    await this.platform.accounting();
    await registerWorker(this.pool, {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      concurrency: this.options.concurrency,
      types: this.options.registry.names(),
    });
    await this.consumer.start(async (delivery) => {
      try {
        await this.runner.execute(delivery);
      } catch (error) {
        // pg-boss delivers it again: a claim that did not happen is made then; an attempt that
        // ran but could not be reported stays running until a reaper finds it overdue.
        this.log(`task ${delivery.taskId}: ${(error as Error).message}`);
        throw error;
      }
    });
    const every = (seconds: number, work: () => void) => {
      const timer = setInterval(work, seconds * 1000);
      timer.unref();
      this.timers.push(timer);
    };
    every(this.options.heartbeatSeconds, () => void this.beat());
    if (this.options.schedulerIntervalSeconds > 0) {
      every(this.options.schedulerIntervalSeconds, () => void this.tick());
    }
    this.log(
      `job worker ${this.name} (${this.id}) runs ${this.options.concurrency} at once: ${this.options.registry.names().join(', ')}`,
    );
  }

  /**
   * One heartbeat: tells the others this worker lives, aborts attempts cancelled or taken
   * over elsewhere, and queues again the tasks of workers found lost.
   */
  beat(): Promise<void> {
    this.beating ??= (async () => {
      try {
        if (!(await heartbeat(this.pool, this.id))) {
          this.log('another worker had declared this one lost; its tasks were queued again');
        }
        for (const taskId of await abandonedAttempts(this.pool, this.runner.attempts())) {
          this.runner.abort(
            taskId,
            new TaskAborted('cancelled', 'cancelled, or taken over by another worker'),
          );
        }
        const reaped = await this.platform.reapLostWorkers(this.options.lostAfterSeconds);
        if (reaped) this.log(`queued again ${reaped} task(s) of lost workers`);
      } catch (error) {
        this.log(`heartbeat failed: ${(error as Error).message}`);
      } finally {
        this.beating = null;
      }
    })();
    return this.beating;
  }

  /** Fires the schedules due now. */
  tick(): Promise<void> {
    this.ticking ??= (async () => {
      try {
        const fired = await this.schedules.tick();
        if (fired) this.log(`${fired} schedule(s) fired`);
      } catch (error) {
        this.log(`schedules: ${(error as Error).message}`);
      } finally {
        this.ticking = null;
      }
    })();
    return this.ticking;
  }

  /**
   * Stops taking work, lets running attempts finish for the grace period, then puts back
   * the rest (not counted as attempts) and leaves the queue.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await this.consumer.stopFetching();
    if (!(await this.runner.drain(this.options.shutdownGraceSeconds * 1000))) {
      await this.runner.abortAll(new TaskAborted('shutdown', `worker ${this.name} stopping`));
    }
    await Promise.all([this.beating, this.ticking]);
    await this.consumer.stop();
    await stopWorker(this.pool, this.id, 'shutdown').catch(() => undefined);
    await this.pool.end();
  }
}

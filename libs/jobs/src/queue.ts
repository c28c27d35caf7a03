import PgBoss from 'pg-boss';
import type { Pool, PoolClient } from 'pg';

// The queue is pg-boss's (schema pgboss in Sextant's database): one queue of task deliveries,
// fetched with SKIP LOCKED by any number of worker processes, highest priority first, each
// not before its start time. The platform's own tables decide attempts, retries and states:
// every delivery is put in the queue in the same transaction that records why (see
// platform.ts), so the two never disagree.

export const queueSchema = 'pgboss';
export const taskQueueName = 'sextant-tasks';

/** What a queue job carries: which task, and which attempt of it. */
export interface TaskDelivery {
  taskId: string;
  attempt: number;
}

export interface QueuedDelivery extends TaskDelivery {
  /** The queue job's id (recorded on the task, to cancel it). */
  jobId: string;
  priority: number;
  startAfter: Date | null;
  /** pg-boss fails a job active for longer (a backstop: tasks time out themselves first). */
  expireInSeconds: number;
}

function executor(client: Pick<PoolClient, 'query'>): PgBoss.Db {
  return {
    executeSql: (text: string, values: unknown[]) =>
      client.query(text, values as unknown[]) as Promise<{ rows: never[] }>,
  };
}

/**
 * Puts deliveries in the queue, cancels and fails queue jobs, always through the caller's
 * connection (inside its transaction). Needs no connection of its own.
 */
export class JobQueue {
  private readonly boss: PgBoss;

  constructor(pool: Pick<Pool, 'query'>) {
    // Given a db, pg-boss opens no connection of its own; each call below passes the
    // caller's transaction instead.
    this.boss = new PgBoss({ db: executor(pool), schema: queueSchema });
  }

  async enqueue(client: Pick<PoolClient, 'query'>, deliveries: QueuedDelivery[]): Promise<void> {
    if (deliveries.length === 0) return;
    const db = executor(client);
    const jobs: PgBoss.JobInsert<TaskDelivery>[] = deliveries.map((d) => ({
      id: d.jobId,
      name: taskQueueName,
      data: { taskId: d.taskId, attempt: d.attempt },
      priority: d.priority,
      startAfter: d.startAfter ?? undefined,
      expireInSeconds: d.expireInSeconds,
      // Attempts are the platform's (a new delivery each). pg-boss only delivers again when
      // a worker could not take a delivery (its database was away): claiming is idempotent.
      retryLimit: 2,
      retryDelay: 2,
    }));
    await this.boss.insert(jobs, { db });
    // pg-boss inserts nothing for a queue that does not exist (the ids are new): count them.
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${queueSchema}.job WHERE name = $1 AND id = ANY($2::uuid[])`,
      [taskQueueName, jobs.map((j) => j.id)],
    );
    if (Number(rows[0].n) !== jobs.length) {
      throw new Error(
        `the queue ${taskQueueName} did not take ${jobs.length} jobs: is it installed? (installJobQueue)`,
      );
    }
  }

  /** Cancels queue jobs no longer wanted (their run was cancelled, their worker lost). */
  async cancel(client: Pick<PoolClient, 'query'>, jobIds: string[]): Promise<void> {
    if (jobIds.length) await this.boss.cancel(taskQueueName, jobIds, { db: executor(client) });
  }
}

export interface ConsumerOptions {
  connectionString: string;
  /** Deliveries run at once by this process. */
  concurrency: number;
  pollingIntervalSeconds: number;
  /** Seconds between pg-boss's upkeep (expiring, archiving); one process does it at a time. */
  maintenanceIntervalSeconds: number;
  onError?: (error: Error) => void;
}

/** Takes deliveries from the queue: `concurrency` fetch loops, each one delivery at a time. */
export class QueueConsumer {
  private readonly boss: PgBoss;
  private readonly workIds: string[] = [];

  constructor(private readonly options: ConsumerOptions) {
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      schema: queueSchema,
      max: options.concurrency + 2,
      application_name: 'sextant-worker-queue',
      supervise: true,
      maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
      // Cron schedules are the platform's own (job_schedule), not pg-boss's.
      schedule: false,
      migrate: true,
    });
    this.boss.on('error', (error: Error) => options.onError?.(error));
  }

  async start(handler: (delivery: TaskDelivery) => Promise<void>): Promise<void> {
    await this.boss.start();
    await this.boss.createQueue(taskQueueName);
    for (let i = 0; i < this.options.concurrency; i++) {
      const loop = { id: '' };
      loop.id = await this.boss.work<TaskDelivery>(
        taskQueueName,
        { batchSize: 1, pollingIntervalSeconds: this.options.pollingIntervalSeconds },
        async ([job]) => {
          await handler(job.data);
          // Fetch the next at once instead of after the polling interval.
          if (loop.id) this.boss.notifyWorker(loop.id);
        },
      );
      this.workIds.push(loop.id);
    }
  }

  /** Wakes idle fetch loops (new deliveries were just queued by this process). */
  wake(): void {
    for (const id of this.workIds) this.boss.notifyWorker(id);
  }

  /** Stops fetching; deliveries in progress are left to the caller. */
  async stopFetching(): Promise<void> {
    await this.boss.offWork(taskQueueName);
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: false, close: true, wait: true });
  }
}

/**
 * Creates (or migrates) pg-boss's schema and the platform's queue: at start-up (the launcher,
 * the worker) and in the integration tier's template database.
 */
export async function installJobQueue(connectionString: string): Promise<void> {
  const boss = new PgBoss({
    connectionString,
    schema: queueSchema,
    max: 1,
    supervise: false,
    schedule: false,
    migrate: true,
  });
  boss.on('error', () => undefined);
  await boss.start();
  try {
    await boss.createQueue(taskQueueName);
  } finally {
    await boss.stop({ graceful: false, close: true, wait: true });
  }
}

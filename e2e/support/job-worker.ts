import { JobTypeRegistry, JobWorker, type JobWorkerOptions } from '@sextant/jobs';
import { inject } from '@sextant/testing';

/**
 * A job worker in the test process, on the stack's database, with quick intervals: the browser
 * tier runs no worker app (it would also run CDC sources the pages feed by hand).
 */
export async function startJobWorker(
  registry: JobTypeRegistry,
  options: Partial<JobWorkerOptions> = {},
): Promise<JobWorker> {
  const worker = new JobWorker({
    databaseUrl: inject('databaseUrl'),
    registry,
    concurrency: 1,
    pollingIntervalSeconds: 0.5,
    heartbeatSeconds: 1,
    lostAfterSeconds: 5,
    schedulerIntervalSeconds: 0,
    shutdownGraceSeconds: 1,
    ...options,
  });
  await worker.start();
  return worker;
}

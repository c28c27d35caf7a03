import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { loadConfig } from '@sextant/config';
import { builtinJobTypesWith } from '@sextant/analyses';
import { JobTypeRegistry, JobWorker } from '@sextant/jobs';

/**
 * The job platform's worker: runs task attempts from the queue (pg-boss in Postgres, shared by
 * every worker process), beats its heart, takes over the tasks of lost workers and fires due
 * cron schedules. See libs/jobs.
 */
@Injectable()
export class JobsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private worker: JobWorker | null = null;

  async onModuleInit(): Promise<void> {
    const config = loadConfig().worker.jobs;
    this.worker = new JobWorker({
      databaseUrl: process.env.DATABASE_URL ?? '',
      registry: new JobTypeRegistry(builtinJobTypesWith({ koiCatalogue: config.koiCatalogue })),
      concurrency: config.concurrency,
      pollingIntervalSeconds: config.pollIntervalMs / 1000,
      heartbeatSeconds: config.heartbeatSeconds,
      lostAfterSeconds: config.workerLostSeconds,
      schedulerIntervalSeconds: config.schedulerIntervalSeconds,
      shutdownGraceSeconds: config.shutdownGraceSeconds,
      log: (line) => this.logger.log(line),
    });
    await this.worker.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}

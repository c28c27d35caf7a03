import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { builtinJobTypesWith } from '@sextant/analyses';
import { JobTypeRegistry, JobWorker } from '@sextant/jobs';
import { BillingService } from './billing.service';
import { InjectWorkerConfig, type WorkerConfig } from './worker-config';

/**
 * The job platform's worker: runs task attempts from the queue (pg-boss in Postgres, shared by
 * every worker process), beats its heart, takes over the tasks of lost workers and fires due
 * cron schedules. See libs/jobs.
 */
@Injectable()
export class JobsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('jobs');
  private worker: JobWorker | null = null;

  constructor(
    @InjectWorkerConfig() private readonly config: WorkerConfig,
    private readonly billing: BillingService,
  ) {}

  async onModuleInit(): Promise<void> {
    const jobs = this.config.worker.jobs;
    this.worker = new JobWorker({
      databaseUrl: this.config.databaseUrl,
      registry: new JobTypeRegistry(
        builtinJobTypesWith({
          koiCatalogue: jobs.koiCatalogue,
          billing: () => this.billing.engine,
        }),
      ),
      concurrency: jobs.concurrency,
      pollingIntervalSeconds: jobs.pollIntervalMs / 1000,
      heartbeatSeconds: jobs.heartbeatSeconds,
      lostAfterSeconds: jobs.workerLostSeconds,
      schedulerIntervalSeconds: jobs.schedulerIntervalSeconds,
      shutdownGraceSeconds: jobs.shutdownGraceSeconds,
      log: (line) => this.logger.log(line),
    });
    await this.worker.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker?.stop();
  }
}

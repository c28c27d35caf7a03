import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { flushTallies, IngestStage } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import type { Pool } from 'pg';
import { PeriodicPass } from './periodic-pass';
import { InjectWorkerConfig, InjectWorkerPool, type WorkerConfig } from './worker-config';

/**
 * Turns the ingest gateway's per-minute tallies into movements once their minute has closed,
 * every ACCOUNTING_INTERVAL_SECONDS (default 10). Each pass moves and deletes tallies in one
 * transaction, so several workers never count a tally twice. It first settles commits a
 * gateway staged and could not settle (one that stopped for good): gateways settle their own
 * within a second, and one settler runs at a time.
 */
@Injectable()
export class AccountingService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('accounting');
  private readonly stage: IngestStage;
  private readonly passes = new PeriodicPass(() => this.settleAndFlush());

  constructor(
    @InjectWorkerPool() private readonly pool: Pool,
    @InjectWorkerConfig() private readonly config: WorkerConfig,
  ) {
    this.stage = new IngestStage(pool, new TimeSeriesStore(pool));
  }

  onModuleInit(): void {
    this.passes.start(this.config.worker.accountingIntervalSeconds);
  }

  /** One pass; overlapping calls share the pass in progress. Resolves to the movements made. */
  runOnce(): Promise<number> {
    return this.passes.runOnce();
  }

  private settleAndFlush(): Promise<number> {
    return this.stage
      .settle()
      .then(() => flushTallies(this.pool))
      .then((movements) => {
        if (movements) this.logger.log(`recorded ${movements} ingest movements`);
        return movements;
      })
      .catch((error: Error) => {
        this.logger.error(`accounting failed: ${error.message}`);
        return 0;
      });
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }
}

import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';
import { flushTallies, IngestStage } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import type { Pool } from 'pg';
import { WORKER_CONFIG, WORKER_POOL, type WorkerConfig } from './worker-config';

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
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    @Inject(WORKER_POOL) private readonly pool: Pool,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.stage = new IngestStage(pool, new TimeSeriesStore(pool));
  }

  onModuleInit(): void {
    const seconds = this.config.worker.accountingIntervalSeconds;
    this.timer = setInterval(() => void this.runOnce(), seconds * 1000);
    this.timer.unref();
  }

  runOnce(): Promise<number> {
    this.running ??= this.stage
      .settle()
      .then(() => flushTallies(this.pool))
      .then((movements) => {
        if (movements) this.logger.log(`recorded ${movements} ingest movements`);
        return movements;
      })
      .catch((error: Error) => {
        this.logger.error(`accounting failed: ${error.message}`);
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

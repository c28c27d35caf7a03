import { loadConfig } from '@sextant/config';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { flushTallies, IngestStage } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';

/**
 * Turns the ingest gateway's per-minute tallies into movements once their minute has closed,
 * every ACCOUNTING_INTERVAL_SECONDS (default 10). Each pass moves and deletes tallies in one
 * transaction, so several workers never count a tally twice. It first settles commits a
 * gateway staged and could not settle (one that stopped for good): gateways settle their own
 * within a second, and one settler runs at a time.
 */
@Injectable()
export class AccountingService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('accounting');
  private readonly pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  private readonly stage = new IngestStage(this.pool, new TimeSeriesStore(this.pool));
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  onModuleInit(): void {
    // A connection the server ends (e.g. a stalled settle) must not take the worker down.
    this.pool.on('error', (error) =>
      this.logger.warn(`database connection lost: ${error.message}`),
    );
    const seconds = loadConfig().worker.accountingIntervalSeconds;
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

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.pool.end();
  }
}

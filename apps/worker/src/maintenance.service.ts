import { loadConfig } from '@sextant/config';
import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { applyRetention, compact, TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';

/**
 * Time-series upkeep: compaction of small chunks and retention,
 * every MAINTENANCE_INTERVAL_SECONDS (default 60). Safe with several workers: compaction takes
 * an advisory lock per series and retention deletes are idempotent.
 */
@Injectable()
export class MaintenanceService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('maintenance');
  private readonly pool: Pool;
  private readonly store: TimeSeriesStore;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor() {
    this.pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    this.store = new TimeSeriesStore(this.pool);
  }

  onModuleInit(): void {
    const seconds = loadConfig().worker.maintenanceIntervalSeconds;
    this.timer = setInterval(() => void this.runOnce(), seconds * 1000);
    this.timer.unref();
  }

  /** One pass of compaction and retention; overlapping calls share the pass in progress. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        const compacted = await compact(this.store, this.pool);
        const dropped = await applyRetention(this.pool);
        if (compacted.series || dropped) {
          this.logger.log(
            `compacted ${compacted.series} series (${compacted.chunksBefore} → ${compacted.chunksAfter} chunks), retention dropped ${dropped} chunks`,
          );
        }
      } catch (error) {
        this.logger.error(`maintenance failed: ${(error as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.pool.end();
  }
}

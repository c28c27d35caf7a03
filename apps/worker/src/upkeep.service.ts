import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { applyRetention, compact, TimeSeriesStore } from '@sextant/timeseries';
import type { Pool } from 'pg';
import { PeriodicPass } from './periodic-pass';
import { InjectWorkerConfig, InjectWorkerPool, type WorkerConfig } from './worker-config';

/**
 * Time-series upkeep: compaction of small chunks and retention,
 * every UPKEEP_INTERVAL_SECONDS (default 60). Safe with several workers: compaction takes
 * an advisory lock per series and retention deletes are idempotent.
 */
@Injectable()
export class UpkeepService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('upkeep');
  private readonly store: TimeSeriesStore;
  private readonly passes = new PeriodicPass(() => this.compactAndRetain());

  constructor(
    @InjectWorkerPool() private readonly pool: Pool,
    @InjectWorkerConfig() private readonly config: WorkerConfig,
  ) {
    this.store = new TimeSeriesStore(pool);
  }

  onModuleInit(): void {
    this.passes.start(this.config.worker.upkeepIntervalSeconds);
  }

  /** One pass of compaction and retention; overlapping calls share the pass in progress. */
  runOnce(): Promise<void> {
    return this.passes.runOnce();
  }

  private async compactAndRetain(): Promise<void> {
    try {
      const compacted = await compact(this.store, this.pool);
      const dropped = await applyRetention(this.pool);
      if (compacted.series || dropped) {
        this.logger.log(
          `compacted ${compacted.series} series (${compacted.chunksBefore} → ${compacted.chunksAfter} chunks), retention dropped ${dropped} chunks`,
        );
      }
    } catch (error) {
      this.logger.error(`upkeep failed: ${(error as Error).message}`);
    }
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.passes.stop();
  }
}

import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnModuleInit,
} from '@nestjs/common';
import { applyRetention, compact, TimeSeriesStore } from '@sextant/timeseries';
import type { Pool } from 'pg';
import { WORKER_CONFIG, WORKER_POOL, type WorkerConfig } from './worker-config';

/**
 * Time-series upkeep: compaction of small chunks and retention,
 * every UPKEEP_INTERVAL_SECONDS (default 60). Safe with several workers: compaction takes
 * an advisory lock per series and retention deletes are idempotent.
 */
@Injectable()
export class UpkeepService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('upkeep');
  private readonly store: TimeSeriesStore;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(WORKER_POOL) private readonly pool: Pool,
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
  ) {
    this.store = new TimeSeriesStore(pool);
  }

  onModuleInit(): void {
    const seconds = this.config.worker.upkeepIntervalSeconds;
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
        this.logger.error(`upkeep failed: ${(error as Error).message}`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}

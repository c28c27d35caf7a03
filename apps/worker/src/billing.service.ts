import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { builtinJobTypesWith } from '@sextant/analyses';
import {
  BillingEngine,
  billingRunType,
  dueBillingRuns,
  foldMovements,
  recordStorage,
} from '@sextant/billing';
import { JobPlatform, JobTypeRegistry } from '@sextant/jobs';
import type { Pool } from 'pg';
import { PeriodicPass } from './periodic-pass';
import { InjectWorkerConfig, InjectWorkerPool, type WorkerConfig } from './worker-config';

/**
 * Billing on timers: folds new movements into the hourly usage rollups every
 * BILLING_ROLLUP_INTERVAL_SECONDS (and records the bytes each organisation holds once an hour);
 * refreshes the open drafts every BILLING_REFRESH_INTERVAL_SECONDS, then submits a billing-run
 * job for each organisation with a period past its grace or a budget threshold crossed. Safe
 * with several workers: folding takes an advisory lock, billing runs lock per organisation.
 */
@Injectable()
export class BillingService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('billing');
  readonly engine: BillingEngine;
  private readonly platform: JobPlatform;
  private readonly folds = new PeriodicPass(() => this.fold());
  private readonly refreshes = new PeriodicPass(() => this.refresh());
  private meteredHour = 0;

  constructor(
    @InjectWorkerPool() private readonly pool: Pool,
    @InjectWorkerConfig() private readonly config: WorkerConfig,
  ) {
    this.engine = new BillingEngine(pool, config.billing.issuer);
    const registry = new JobTypeRegistry(builtinJobTypesWith({}));
    this.platform = new JobPlatform(pool, registry, { workerName: 'billing' });
  }

  onModuleInit(): void {
    this.folds.start(this.config.billing.rollupIntervalSeconds);
    this.refreshes.start(this.config.billing.refreshIntervalSeconds);
  }

  /** One folding pass (and the hourly storage reading when an hour has closed). */
  foldOnce(): Promise<void> {
    return this.folds.runOnce();
  }

  /** One refresh of drafts and submission of due billing runs. */
  refreshOnce(): Promise<void> {
    return this.refreshes.runOnce();
  }

  private async fold(): Promise<void> {
    try {
      const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
      if (hour > this.meteredHour) {
        await recordStorage(this.pool, new Date(hour - 3_600_000));
        this.meteredHour = hour;
      }
      const folded = await foldMovements(this.pool);
      if (folded.rollups) {
        this.logger.debug?.(`folded ${folded.movements} movements into ${folded.rollups} rollups`);
      }
    } catch (error) {
      this.logger.error(`folding usage failed: ${(error as Error).message}`);
    }
  }

  private async refresh(): Promise<void> {
    try {
      const at = new Date();
      const summary = await this.engine.run({ mode: 'refresh', at });
      for (const problem of summary.problems) this.logger.warn(problem);
      for (const organisationId of await dueBillingRuns(this.pool, at)) {
        await this.platform.submit({
          type: billingRunType,
          params: { mode: 'auto', at: at.toISOString() },
          ownerId: organisationId,
        });
      }
    } catch (error) {
      this.logger.error(`billing refresh failed: ${(error as Error).message}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.folds.stop(), this.refreshes.stop()]);
  }
}

import { DynamicModule, Module } from '@nestjs/common';
import type { Pool } from 'pg';
import { AccountingService } from './accounting.service';
import { BillingService } from './billing.service';
import { CdcService } from './cdc.service';
import { JobsService } from './jobs.service';
import { UpkeepService } from './upkeep.service';
import { WORKER_CONFIG, WORKER_POOL, type WorkerConfig } from './worker-config';
import { WorkerDatabase } from './worker-database.service';

// The worker runs the job platform (JobsService: analyses and other job types, cron
// schedules), time-series upkeep (compaction, retention) and ingest accounting on timers, and
// the managed CDC sources, and billing (usage rollups, drafts, billing runs). They share the configuration and the pool main.ts made.
@Module({})
export class WorkerModule {
  static forRoot(config: WorkerConfig, pool: Pool): DynamicModule {
    return {
      module: WorkerModule,
      providers: [
        { provide: WORKER_CONFIG, useValue: config },
        { provide: WORKER_POOL, useValue: pool },
        WorkerDatabase,
        UpkeepService,
        AccountingService,
        BillingService,
        CdcService,
        JobsService,
      ],
    };
  }
}

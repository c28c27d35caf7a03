import { Module } from '@nestjs/common';
import { DatabaseProbeModule } from '@sextant/db';
import { AccountingService } from './accounting.service';
import { CdcService } from './cdc.service';
import { JobsService } from './jobs.service';
import { MaintenanceService } from './maintenance.service';

// The worker runs the job platform (JobsService: analyses and other job types, cron
// schedules), time-series upkeep (compaction, retention) and ingest accounting on timers, and
// the managed CDC sources.
@Module({
  imports: [DatabaseProbeModule.forApp('worker')],
  providers: [MaintenanceService, AccountingService, CdcService, JobsService],
})
export class WorkerModule {}

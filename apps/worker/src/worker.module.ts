import { Module } from '@nestjs/common';
import { DatabaseProbeModule } from '@sextant/db';
import { AccountingService } from './accounting.service';
import { CdcService } from './cdc.service';
import { MaintenanceService } from './maintenance.service';

// The job platform arrives with the analytics issue; until then the worker runs time-series
// upkeep (compaction, retention) and ingest accounting on timers, and the managed CDC sources.
@Module({
  imports: [DatabaseProbeModule.forApp('worker')],
  providers: [MaintenanceService, AccountingService, CdcService],
})
export class WorkerModule {}

import { Module } from '@nestjs/common';
import { DatabaseProbeModule } from '@sextant/db';
import { MaintenanceService } from './maintenance.service';

// The job platform arrives with the analytics issue; until then the worker runs time-series
// upkeep (compaction, retention) on a timer.
@Module({ imports: [DatabaseProbeModule.forApp('worker')], providers: [MaintenanceService] })
export class WorkerModule {}

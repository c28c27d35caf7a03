import { Module } from '@nestjs/common';
import { DatabaseProbeModule } from '@sextant/db';

// The job runner arrives with the analytics issue; until then the process checks the database
// and stays ready.
@Module({ imports: [DatabaseProbeModule.forApp('worker')] })
export class WorkerModule {}

import { Module } from '@nestjs/common';
import { DatabaseProbeModule } from '@sextant/db';

// Protocol servers (line protocol, fluentd forward, JSON, MQTT) arrive with the ingest issue;
// until then the process checks the database and stays ready.
@Module({ imports: [DatabaseProbeModule.forApp('ingest')] })
export class IngestModule {}

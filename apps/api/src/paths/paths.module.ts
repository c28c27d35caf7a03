import { Module } from '@nestjs/common';
import { IngestStatusController } from './ingest-status/ingest-status.controller';
import { IngestStatusRepository } from './ingest-status/ingest-status.repository';
import { IngestStatusResolver } from './ingest-status/ingest-status.resolver';
import { IngestStatusService } from './ingest-status/ingest-status.service';
import { PathEventsController } from './events/path-events.controller';
import { PathEventsRepository } from './events/path-events.repository';
import { PathEventsResolver } from './events/path-events.resolver';
import { PathEventsService } from './events/path-events.service';
import { PathsController } from './paths.controller';
import { PathsRepository } from './paths.repository';
import { PathsResolver } from './paths.resolver';
import { PathsService } from './paths.service';
import { PathTokensController } from './tokens/path-tokens.controller';
import { PathTokensRepository } from './tokens/path-tokens.repository';
import { PathTokensResolver } from './tokens/path-tokens.resolver';
import { PathTokensService } from './tokens/path-tokens.service';

@Module({
  controllers: [
    PathsController,
    PathTokensController,
    IngestStatusController,
    PathEventsController,
  ],
  providers: [
    PathsService,
    PathsRepository,
    PathsResolver,
    PathTokensService,
    PathTokensRepository,
    PathTokensResolver,
    IngestStatusService,
    IngestStatusRepository,
    IngestStatusResolver,
    PathEventsService,
    PathEventsRepository,
    PathEventsResolver,
  ],
  exports: [PathsService],
})
export class PathsModule {}

import { Module } from '@nestjs/common';
import { IngestEndpointsController } from './ingest-endpoints.controller';
import { IngestEndpointsResolver } from './ingest-endpoints.resolver';
import { IngestEndpointsService } from './ingest-endpoints.service';

@Module({
  controllers: [IngestEndpointsController],
  providers: [IngestEndpointsService, IngestEndpointsResolver],
})
export class IngestModule {}

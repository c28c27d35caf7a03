import { Query, Resolver } from '@nestjs/graphql';
import { Can } from '../auth/can.decorator';
import { IngestEndpointsModel } from './ingest-endpoints.model';
import { IngestEndpointsService } from './ingest-endpoints.service';

@Resolver(() => IngestEndpointsModel)
export class IngestEndpointsResolver {
  constructor(private readonly service: IngestEndpointsService) {}

  @Query(() => IngestEndpointsModel, { description: 'Where agents send data.' })
  @Can('catalogue.read', 'platform')
  ingestEndpoints() {
    return this.service.get();
  }
}

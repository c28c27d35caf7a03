import { Args, ID, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor } from '../../auth/actor.decorator';
import { Can, onParent } from '../../auth/can.decorator';
import type { Principal } from '../../auth/principal';
import { PathModel } from '../path.model';
import { PathIngestStatusModel } from './ingest-status.model';
import { IngestStatusService } from './ingest-status.service';

@Resolver(() => PathModel)
export class IngestStatusResolver {
  constructor(private readonly service: IngestStatusService) {}

  @ResolveField(() => PathIngestStatusModel, {
    description: 'Live ingest statistics: points, points/s, last seen, rejected lines.',
  })
  @Can('path.read', onParent('path'))
  ingestStatus(@Parent() path: PathModel) {
    return this.service.get(path.id);
  }

  @Query(() => [PathIngestStatusModel], {
    description: 'Live ingest statistics of several paths (unknown ids left out).',
  })
  @Can('path.read', 'scoped')
  pathIngestStatuses(@Actor() actor: Principal, @Args('ids', { type: () => [ID] }) ids: string[]) {
    return this.service.list(actor, ids);
  }
}

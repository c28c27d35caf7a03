import { Args, Query, Resolver } from '@nestjs/graphql';
import { Can, inArgs } from '../../auth/can.decorator';
import { PathEventsArgs } from './dto/list-path-events.args';
import { PathEventConnection, PathEventModel } from './path-event.model';
import { PathEventsService } from './path-events.service';

@Resolver(() => PathEventModel)
export class PathEventsResolver {
  constructor(private readonly service: PathEventsService) {}

  @Query(() => PathEventConnection, {
    description: 'Events of a path (records with no numeric value), newest first.',
  })
  @Can('series.read', inArgs('path', 'pathId'))
  pathEvents(@Args() { pathId, ...page }: PathEventsArgs) {
    return this.service.list(pathId, page);
  }
}

import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import type { Principal, RequestOrigin } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreatePathInput, ListPathsArgs, UpdatePathInput } from './dto/path.inputs';
import { PathConnection, PathModel } from './path.model';
import { PathsService } from './paths.service';

@Resolver(() => PathModel)
export class PathsResolver {
  constructor(private readonly service: PathsService) {}

  @Query(() => PathConnection, { description: 'Paths, a page at a time.' })
  @Can('path.read', 'scoped')
  paths(@Actor() actor: Principal, @Args() args: ListPathsArgs) {
    return this.service.list(actor, args);
  }

  @Query(() => PathModel, { description: 'One path by id.' })
  @Can('path.read', inArgs('path', 'id'))
  path(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => PathModel)
  @Can('path.manage', [inInput('node', 'sourceId'), inInput('node', 'destinationId')])
  createPath(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('input') input: CreatePathInput,
  ) {
    return this.service.create(actor, origin, input);
  }

  @Mutation(() => PathModel)
  @Can(
    'path.manage',
    inArgs('path', 'id'),
    inInput('node', 'sourceId', { optional: true }),
    inInput('node', 'destinationId', { optional: true }),
  )
  updatePath(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdatePathInput,
  ) {
    return this.service.update(actor, origin, id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a path; returns its id.' })
  @Can('path.manage', inArgs('path', 'id'))
  async deletePath(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
  ) {
    await this.service.remove(actor, origin, id);
    return id;
  }
}

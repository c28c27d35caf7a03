import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import { CreatePathInput, ListPathsArgs, UpdatePathInput } from './dto/path.inputs';
import { PathConnection, PathModel } from './path.model';
import { PathsService } from './paths.service';

@Resolver(() => PathModel)
export class PathsResolver {
  constructor(private readonly service: PathsService) {}

  @Query(() => PathConnection, { description: 'Paths, a page at a time.' })
  paths(@Args() args: ListPathsArgs) {
    return this.service.list(args);
  }

  @Query(() => PathModel, { description: 'One path by id.' })
  path(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => PathModel)
  createPath(@Args('input') input: CreatePathInput) {
    return this.service.create(input);
  }

  @Mutation(() => PathModel)
  updatePath(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdatePathInput,
  ) {
    return this.service.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a path; returns its id.' })
  async deletePath(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.remove(id);
    return id;
  }
}

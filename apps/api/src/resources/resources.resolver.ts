import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Can } from '../auth/can.decorator';
import { IdPipe } from '../common/id.pipe';
import { CreateResourceInput, ListResourcesArgs, UpdateResourceInput } from './dto/resource.inputs';
import { ResourceConnection, ResourceModel } from './resource.model';
import { ResourcesService } from './resources.service';

@Resolver(() => ResourceModel)
export class ResourcesResolver {
  constructor(private readonly service: ResourcesService) {}

  @Query(() => ResourceConnection, { description: 'Resources, a page at a time.' })
  @Can('catalogue.read', 'platform')
  resources(@Args() args: ListResourcesArgs) {
    return this.service.list(args);
  }

  @Query(() => ResourceModel, { description: 'One resource by id.' })
  @Can('catalogue.read', 'platform')
  resource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => ResourceModel)
  @Can('catalogue.manage', 'platform')
  createResource(@Args('input') input: CreateResourceInput) {
    return this.service.create(input);
  }

  @Mutation(() => ResourceModel)
  @Can('catalogue.manage', 'platform')
  updateResource(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateResourceInput,
  ) {
    return this.service.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a resource; returns its id.' })
  @Can('catalogue.manage', 'platform')
  async deleteResource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.remove(id);
    return id;
  }
}

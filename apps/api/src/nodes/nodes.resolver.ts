import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import { CreateNodeInput, ListNodesArgs, UpdateNodeInput } from './dto/node.inputs';
import { NodeConnection, NodeModel, SubtreeNodeModel } from './node.model';
import { NodesService } from './nodes.service';

@Resolver(() => NodeModel)
export class NodesResolver {
  constructor(private readonly service: NodesService) {}

  @Query(() => NodeConnection, { description: 'Nodes, a page at a time.' })
  nodes(@Args() args: ListNodesArgs) {
    return this.service.list(args);
  }

  @Query(() => NodeModel, { description: 'One node by id.' })
  node(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @ResolveField(() => NodeModel, { nullable: true })
  parent(@Parent() node: NodeModel) {
    return node.parentId ? this.service.get(node.parentId) : null;
  }

  @ResolveField(() => [NodeModel], { description: 'Direct children, by name.' })
  children(@Parent() node: NodeModel) {
    return this.service.children(node.id);
  }

  @ResolveField(() => [NodeModel], { description: 'Ancestors, root first.' })
  ancestors(@Parent() node: NodeModel) {
    return this.service.ancestors(node.id);
  }

  @ResolveField(() => [SubtreeNodeModel], { description: 'This node and everything below it.' })
  subtree(@Parent() node: NodeModel) {
    return this.service.subtree(node.id);
  }

  @Mutation(() => NodeModel)
  createNode(@Args('input') input: CreateNodeInput) {
    return this.service.create(input);
  }

  @Mutation(() => NodeModel)
  updateNode(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateNodeInput,
  ) {
    return this.service.update(id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a node; returns its id.' })
  async deleteNode(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.remove(id);
    return id;
  }
}

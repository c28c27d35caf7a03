import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inArgs, inInput, onParent } from '../auth/can.decorator';
import type { Principal, RequestOrigin } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreateNodeInput, ListNodesArgs, TreeListArgs, UpdateNodeInput } from './dto/node.inputs';
import { NodeConnection, NodeModel, SubtreeNodeModel } from './node.model';
import { maxAncestors, NodesService } from './nodes.service';

@Resolver(() => NodeModel)
export class NodesResolver {
  constructor(private readonly service: NodesService) {}

  @Query(() => NodeConnection, { description: 'Nodes you may see, a page at a time.' })
  @Can('node.read', 'scoped')
  nodes(@Actor() actor: Principal, @Args() args: ListNodesArgs) {
    return this.service.list(actor, args);
  }

  @Query(() => NodeModel, { description: 'One node by id.' })
  @Can('node.read', inArgs('node', 'id'))
  node(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @ResolveField(() => NodeModel, {
    nullable: true,
    description: 'The parent node; null for a root or a parent you may not see.',
  })
  @Can('node.read', onParent('node'))
  parent(@Actor() actor: Principal, @Parent() node: NodeModel) {
    return node.parentId ? this.service.visibleParent(actor, node.parentId) : null;
  }

  @ResolveField(() => [NodeModel], { description: 'Direct children, by name.' })
  @Can('node.read', onParent('node'))
  children(@Parent() node: NodeModel, @Args() args: TreeListArgs) {
    return this.service.children(node.id, args.limit);
  }

  @ResolveField(() => [NodeModel], {
    description: `Ancestors you may see, root first (the nearest ${maxAncestors}).`,
  })
  @Can('node.read', onParent('node'))
  ancestors(@Actor() actor: Principal, @Parent() node: NodeModel) {
    return this.service.ancestors(actor, node.id);
  }

  @ResolveField(() => [SubtreeNodeModel], { description: 'This node and everything below it.' })
  @Can('node.read', onParent('node'))
  subtree(@Parent() node: NodeModel, @Args() args: TreeListArgs) {
    return this.service.subtree(node.id, args.limit);
  }

  @Mutation(() => NodeModel)
  @Can('node.manage', inInput('node', 'parentId', { absent: 'organisation.create' }))
  createNode(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('input') input: CreateNodeInput,
  ) {
    return this.service.create(actor, origin, input);
  }

  @Mutation(() => NodeModel)
  @Can(
    'node.manage',
    inArgs('node', 'id'),
    inInput('node', 'parentId', { optional: true, action: 'node.manage' }),
  )
  updateNode(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateNodeInput,
  ) {
    return this.service.update(actor, origin, id, input);
  }

  @Mutation(() => ID, { description: 'Deletes a node; returns its id.' })
  @Can('node.manage', inArgs('node', 'id'))
  async deleteNode(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
  ) {
    await this.service.remove(actor, origin, id);
    return id;
  }
}

import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import {
  CreateMovementInput,
  ListMovementsArgs,
  NodeMovementSummaryArgs,
} from './dto/movement.inputs';
import { MovementConnection, MovementModel, MovementSummary } from './movement.model';
import { MovementsService } from './movements.service';

@Resolver(() => MovementModel)
export class MovementsResolver {
  constructor(private readonly service: MovementsService) {}

  @Query(() => MovementConnection, { description: 'Movements, newest first.' })
  @Can('movement.read', 'scoped')
  movements(@Actor() actor: Principal, @Args() args: ListMovementsArgs) {
    return this.service.list(actor, args);
  }

  @Query(() => MovementModel, { description: 'One movement by id.' })
  @Can('movement.read', inArgs('movement', 'id'))
  movement(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Query(() => MovementSummary, {
    description: "Quantities per resource and UTC day over a node's subtree.",
  })
  @Can('movement.read', inArgs('node', 'nodeId'))
  // One arguments class: a second @Args() would see nodeId as an unknown property.
  movementSummary(@Args() { nodeId, ...args }: NodeMovementSummaryArgs) {
    return this.service.summary(nodeId, args);
  }

  @Mutation(() => MovementModel, { description: 'Records a movement; idempotent with externalId.' })
  // The path, item and corrected movement a movement names must be the caller's to read, like
  // its two nodes.
  @Can(
    'movement.create',
    [inInput('node', 'sourceId'), inInput('node', 'destinationId')],
    inInput('path', 'pathId', { optional: true, action: 'path.read' }),
    inInput('item', 'itemId', { optional: true, action: 'item.read' }),
    inInput('movement', 'correctsId', { optional: true, action: 'movement.read' }),
  )
  createMovement(@Args('input') input: CreateMovementInput) {
    return this.service.create(input);
  }
}

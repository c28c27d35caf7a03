import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can, on } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreateMovementInput, ListMovementsArgs, MovementSummaryArgs } from './dto/movement.inputs';
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
  @Can('movement.read', on('movement', 'id'))
  movement(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Query(() => MovementSummary, {
    description: "Quantities per resource and UTC day over a node's subtree.",
  })
  @Can('movement.read', on('node', 'nodeId'))
  movementSummary(
    @Args('nodeId', { type: () => ID }, IdPipe) nodeId: string,
    @Args() args: MovementSummaryArgs,
  ) {
    return this.service.summary(nodeId, args);
  }

  @Mutation(() => MovementModel, { description: 'Records a movement; idempotent with externalId.' })
  @Can('movement.create', [on('node', 'sourceId'), on('node', 'destinationId')])
  createMovement(@Args('input') input: CreateMovementInput) {
    return this.service.create(input);
  }
}

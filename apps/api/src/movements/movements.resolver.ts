import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import { CreateMovementInput, ListMovementsArgs, MovementSummaryArgs } from './dto/movement.inputs';
import { MovementConnection, MovementModel, MovementSummary } from './movement.model';
import { MovementsService } from './movements.service';

@Resolver(() => MovementModel)
export class MovementsResolver {
  constructor(private readonly service: MovementsService) {}

  @Query(() => MovementConnection, { description: 'Movements, newest first.' })
  movements(@Args() args: ListMovementsArgs) {
    return this.service.list(args);
  }

  @Query(() => MovementModel, { description: 'One movement by id.' })
  movement(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Query(() => MovementSummary, {
    description: "Quantities per resource and UTC day over a node's subtree.",
  })
  movementSummary(
    @Args('nodeId', { type: () => ID }, IdPipe) nodeId: string,
    @Args() args: MovementSummaryArgs,
  ) {
    return this.service.summary(nodeId, args);
  }

  @Mutation(() => MovementModel, { description: 'Records a movement; idempotent with externalId.' })
  createMovement(@Args('input') input: CreateMovementInput) {
    return this.service.create(input);
  }
}

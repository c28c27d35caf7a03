import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import {
  CreateAlertInput,
  CreateMaintenanceOrderInput,
  ListTicketsArgs,
  RemainingLifeArgs,
  TicketStateInput,
  UpdateTicketInput,
} from './dto/ticket.inputs';
import { MaintenanceService } from './maintenance.service';
import { EstimateModel, MachineLifeModel, TicketConnection, TicketModel } from './ticket.model';

@Resolver(() => TicketModel)
export class MaintenanceResolver {
  constructor(private readonly service: MaintenanceService) {}

  @Query(() => TicketConnection, { description: 'Alerts, newest first.' })
  alerts(@Args() args: ListTicketsArgs) {
    return this.service.list('alert', args);
  }

  @Query(() => TicketModel)
  alert(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get('alert', id);
  }

  @Mutation(() => TicketModel)
  createAlert(@Args('input') input: CreateAlertInput) {
    return this.service.create('alert', input);
  }

  @Mutation(() => TicketModel)
  updateAlert(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateTicketInput,
  ) {
    return this.service.update('alert', id, input);
  }

  @Mutation(() => TicketModel, { description: 'open -> planned -> done, planned -> open.' })
  setAlertState(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: TicketStateInput,
  ) {
    return this.service.setState('alert', id, input.state);
  }

  @Query(() => TicketConnection, { description: 'Maintenance orders, newest first.' })
  maintenanceOrders(@Args() args: ListTicketsArgs) {
    return this.service.list('maintenance_order', args);
  }

  @Query(() => TicketModel)
  maintenanceOrder(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get('maintenance_order', id);
  }

  @Mutation(() => TicketModel)
  createMaintenanceOrder(@Args('input') input: CreateMaintenanceOrderInput) {
    return this.service.create('maintenance_order', input);
  }

  @Mutation(() => TicketModel)
  updateMaintenanceOrder(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateTicketInput,
  ) {
    return this.service.update('maintenance_order', id, input);
  }

  @Mutation(() => TicketModel, { description: 'open -> planned -> done, planned -> open.' })
  setMaintenanceOrderState(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: TicketStateInput,
  ) {
    return this.service.setState('maintenance_order', id, input.state);
  }

  @Query(() => [MachineLifeModel], {
    description: 'Machines with their latest remaining-life estimate and what is open on them.',
  })
  remainingLife(@Args() args: RemainingLifeArgs) {
    return this.service.remainingLife(args.nodeId);
  }

  @Query(() => [EstimateModel], { description: "A machine's estimates, newest first." })
  remainingLifeHistory(@Args('nodeId', { type: () => ID }, IdPipe) nodeId: string) {
    return this.service.history(nodeId);
  }
}

import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
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
  @Can('alert.read', 'scoped')
  alerts(@Actor() actor: Principal, @Args() args: ListTicketsArgs) {
    return this.service.list(actor, 'alert', args);
  }

  @Query(() => TicketModel)
  @Can('alert.read', inArgs('alert', 'id'))
  alert(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get('alert', id);
  }

  @Mutation(() => TicketModel)
  @Can('alert.manage', inInput('node', 'nodeId'))
  createAlert(@Args('input') input: CreateAlertInput) {
    return this.service.create('alert', input);
  }

  @Mutation(() => TicketModel)
  @Can('alert.manage', inArgs('alert', 'id'))
  updateAlert(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateTicketInput,
  ) {
    return this.service.update('alert', id, input);
  }

  @Mutation(() => TicketModel, { description: 'open -> planned -> done, planned -> open.' })
  @Can('alert.manage', inArgs('alert', 'id'))
  setAlertState(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: TicketStateInput,
  ) {
    return this.service.setState('alert', id, input.state);
  }

  @Query(() => TicketConnection, { description: 'Maintenance orders, newest first.' })
  @Can('maintenance.read', 'scoped')
  maintenanceOrders(@Actor() actor: Principal, @Args() args: ListTicketsArgs) {
    return this.service.list(actor, 'maintenance_order', args);
  }

  @Query(() => TicketModel)
  @Can('maintenance.read', inArgs('order', 'id'))
  maintenanceOrder(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get('maintenance_order', id);
  }

  @Mutation(() => TicketModel)
  @Can(
    'maintenance.manage',
    inInput('node', 'nodeId'),
    inInput('alert', 'alertId', { optional: true, action: 'alert.read' }),
  )
  createMaintenanceOrder(@Args('input') input: CreateMaintenanceOrderInput) {
    return this.service.create('maintenance_order', input);
  }

  @Mutation(() => TicketModel)
  @Can('maintenance.manage', inArgs('order', 'id'))
  updateMaintenanceOrder(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: UpdateTicketInput,
  ) {
    return this.service.update('maintenance_order', id, input);
  }

  @Mutation(() => TicketModel, { description: 'open -> planned -> done, planned -> open.' })
  @Can('maintenance.manage', inArgs('order', 'id'))
  setMaintenanceOrderState(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('input') input: TicketStateInput,
  ) {
    return this.service.setState('maintenance_order', id, input.state);
  }

  @Query(() => [MachineLifeModel], {
    description: 'Machines with their latest remaining-life estimate and what is open on them.',
  })
  @Can('maintenance.read', 'scoped')
  remainingLife(@Actor() actor: Principal, @Args() args: RemainingLifeArgs) {
    return this.service.remainingLife(actor, args.nodeId);
  }

  @Query(() => [EstimateModel], { description: "A machine's estimates, newest first." })
  @Can('maintenance.read', inArgs('node', 'nodeId'))
  remainingLifeHistory(@Args('nodeId', { type: () => ID }, IdPipe) nodeId: string) {
    return this.service.history(nodeId);
  }
}

import { Body, Controller, Get, Param, Patch, Post, Query, HttpCode } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
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

@ApiTags('maintenance')
@Controller('alerts')
export class AlertsController {
  constructor(private readonly service: MaintenanceService) {}

  @Get()
  @ApiOperation({ summary: 'Alerts, newest first (filters: state, priority, node and below).' })
  @ApiOkResponse({ type: TicketConnection })
  @Can('alert.read', 'scoped')
  list(@Actor() actor: Principal, @Query() args: ListTicketsArgs) {
    return this.service.list(actor, 'alert', args);
  }

  @Post()
  @ApiOperation({ summary: 'Raise an alert on a machine.' })
  @ApiOkResponse({ type: TicketModel })
  @Can('alert.manage', inBody('node', 'nodeId'))
  create(@Body() input: CreateAlertInput) {
    return this.service.create('alert', input);
  }

  @Get(':id')
  @ApiOperation({ summary: 'An alert.' })
  @ApiOkResponse({ type: TicketModel })
  @Can('alert.read', inRoute('alert', 'id'))
  get(@Param('id', IdPipe) id: string) {
    return this.service.get('alert', id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an alert (409 once done).' })
  @ApiOkResponse({ type: TicketModel })
  @Can('alert.manage', inRoute('alert', 'id'))
  update(@Param('id', IdPipe) id: string, @Body() input: UpdateTicketInput) {
    return this.service.update('alert', id, input);
  }

  @Post(':id/state')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move an alert: open -> planned -> done, planned -> open (else 409).' })
  @ApiOkResponse({ type: TicketModel })
  @Can('alert.manage', inRoute('alert', 'id'))
  setState(@Param('id', IdPipe) id: string, @Body() input: TicketStateInput) {
    return this.service.setState('alert', id, input.state);
  }
}

@ApiTags('maintenance')
@Controller('maintenance-orders')
export class MaintenanceOrdersController {
  constructor(private readonly service: MaintenanceService) {}

  @Get()
  @ApiOperation({ summary: 'Maintenance orders, newest first (filters: state, priority, node).' })
  @ApiOkResponse({ type: TicketConnection })
  @Can('maintenance.read', 'scoped')
  list(@Actor() actor: Principal, @Query() args: ListTicketsArgs) {
    return this.service.list(actor, 'maintenance_order', args);
  }

  @Post()
  @ApiOperation({
    summary:
      'Order maintenance on a machine, optionally answering an alert (which is then planned).',
  })
  @ApiOkResponse({ type: TicketModel })
  @Can(
    'maintenance.manage',
    inBody('node', 'nodeId'),
    inBody('alert', 'alertId', { optional: true, action: 'alert.read' }),
  )
  create(@Body() input: CreateMaintenanceOrderInput) {
    return this.service.create('maintenance_order', input);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A maintenance order.' })
  @ApiOkResponse({ type: TicketModel })
  @Can('maintenance.read', inRoute('order', 'id'))
  get(@Param('id', IdPipe) id: string) {
    return this.service.get('maintenance_order', id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an order (409 once done).' })
  @ApiOkResponse({ type: TicketModel })
  @Can('maintenance.manage', inRoute('order', 'id'))
  update(@Param('id', IdPipe) id: string, @Body() input: UpdateTicketInput) {
    return this.service.update('maintenance_order', id, input);
  }

  @Post(':id/state')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Move an order: open -> planned -> done, planned -> open (else 409). Done also closes the alert it answers.',
  })
  @ApiOkResponse({ type: TicketModel })
  @Can('maintenance.manage', inRoute('order', 'id'))
  setState(@Param('id', IdPipe) id: string, @Body() input: TicketStateInput) {
    return this.service.setState('maintenance_order', id, input.state);
  }
}

@ApiTags('maintenance')
@Controller('remaining-life')
export class RemainingLifeController {
  constructor(private readonly service: MaintenanceService) {}

  @Get()
  @ApiOperation({
    summary:
      'Machines (under nodeId, or all) with their latest remaining-life estimate, open alerts and active orders.',
  })
  @ApiOkResponse({ type: MachineLifeModel, isArray: true })
  @Can('maintenance.read', 'scoped')
  list(@Actor() actor: Principal, @Query() args: RemainingLifeArgs) {
    return this.service.remainingLife(actor, args.nodeId);
  }

  @Get(':nodeId')
  @ApiOperation({ summary: "A machine's estimates, newest first." })
  @ApiOkResponse({ type: EstimateModel, isArray: true })
  @Can('maintenance.read', inRoute('node', 'nodeId'))
  history(@Param('nodeId', IdPipe) nodeId: string) {
    return this.service.history(nodeId);
  }
}

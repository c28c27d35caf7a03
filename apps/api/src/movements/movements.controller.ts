import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreateMovementInput, ListMovementsArgs, MovementSummaryArgs } from './dto/movement.inputs';
import { MovementConnection, MovementModel, MovementSummary } from './movement.model';
import { MovementsService } from './movements.service';

@ApiTags('movements')
@Controller()
export class MovementsController {
  constructor(private readonly service: MovementsService) {}

  @Get('movements')
  @ApiOperation({ summary: 'List movements, newest first, with filters.' })
  @ApiOkResponse({ type: MovementConnection })
  @Can('movement.read', 'scoped')
  list(@Actor() actor: Principal, @Query() args: ListMovementsArgs) {
    return this.service.list(actor, args);
  }

  @Get('movements/:id')
  @Can('movement.read', inRoute('movement', 'id'))
  @ApiOperation({ summary: 'Get a movement.' })
  @ApiOkResponse({ type: MovementModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Post('movements')
  // The path, item and corrected movement a movement names must be the caller's to read, like
  // its two nodes.
  @Can(
    'movement.create',
    [inBody('node', 'sourceId'), inBody('node', 'destinationId')],
    inBody('path', 'pathId', { optional: true, action: 'path.read' }),
    inBody('item', 'itemId', { optional: true, action: 'item.read' }),
    inBody('movement', 'correctsId', { optional: true, action: 'movement.read' }),
  )
  @ApiOperation({ summary: 'Record a movement (idempotent with externalId).' })
  @ApiOkResponse({ type: MovementModel })
  create(@Body() input: CreateMovementInput) {
    return this.service.create(input);
  }

  @Get('nodes/:id/movement-summary')
  @Can('movement.read', inRoute('node', 'id'))
  @ApiOperation({ summary: "Quantities per resource and UTC day over a node's subtree." })
  @ApiOkResponse({ type: MovementSummary })
  summary(@Param('id', IdPipe) id: string, @Query() args: MovementSummaryArgs) {
    return this.service.summary(id, args);
  }
}

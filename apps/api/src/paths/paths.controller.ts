import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import type { Principal, RequestOrigin } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreatePathInput, ListPathsArgs, UpdatePathInput } from './dto/path.inputs';
import { PathConnection, PathModel } from './path.model';
import { PathsService } from './paths.service';

@ApiTags('paths')
@Controller('paths')
export class PathsController {
  constructor(private readonly service: PathsService) {}

  @Get()
  @Can('path.read', 'scoped')
  @ApiOperation({ summary: 'List the paths you may see (cursor pagination, filters, sort).' })
  @ApiOkResponse({ type: PathConnection })
  list(@Actor() actor: Principal, @Query() args: ListPathsArgs) {
    return this.service.list(actor, args);
  }

  @Get(':id')
  @Can('path.read', inRoute('path', 'id'))
  @ApiOperation({ summary: 'Get a path.' })
  @ApiOkResponse({ type: PathModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Post()
  @Can('path.manage', [inBody('node', 'sourceId'), inBody('node', 'destinationId')])
  @ApiOperation({ summary: 'Create a path (you operate one of its ends and may see both).' })
  @ApiOkResponse({ type: PathModel })
  create(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Body() input: CreatePathInput,
  ) {
    return this.service.create(actor, origin, input);
  }

  @Patch(':id')
  @Can(
    'path.manage',
    inRoute('path', 'id'),
    inBody('node', 'sourceId', { optional: true }),
    inBody('node', 'destinationId', { optional: true }),
  )
  @ApiOperation({ summary: 'Change a path.' })
  @ApiOkResponse({ type: PathModel })
  update(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
    @Body() input: UpdatePathInput,
  ) {
    return this.service.update(actor, origin, id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Can('path.manage', inRoute('path', 'id'))
  @ApiOperation({ summary: 'Delete a path that no movement refers to.' })
  async remove(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    await this.service.remove(actor, origin, id);
  }
}

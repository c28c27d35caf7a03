import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import type { Principal, RequestOrigin } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreateNodeInput, ListNodesArgs, UpdateNodeInput } from './dto/node.inputs';
import { NodeConnection, NodeList, NodeModel, SubtreeNodeList } from './node.model';
import { NodesService } from './nodes.service';

@ApiTags('nodes')
@Controller('nodes')
export class NodesController {
  constructor(private readonly service: NodesService) {}

  @Get()
  @Can('node.read', 'scoped')
  @ApiOperation({ summary: 'List the nodes you may see (cursor pagination, filters, sort).' })
  @ApiOkResponse({ type: NodeConnection })
  list(@Actor() actor: Principal, @Query() args: ListNodesArgs) {
    return this.service.list(actor, args);
  }

  @Get(':id')
  @Can('node.read', inRoute('node', 'id'))
  @ApiOperation({ summary: 'Get a node.' })
  @ApiOkResponse({ type: NodeModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Get(':id/children')
  @Can('node.read', inRoute('node', 'id'))
  @ApiOperation({ summary: 'Direct children of a node, by name.' })
  @ApiOkResponse({ type: NodeList })
  async children(@Param('id', IdPipe) id: string) {
    return { items: await this.service.children(id) };
  }

  @Get(':id/ancestors')
  @Can('node.read', inRoute('node', 'id'))
  @ApiOperation({ summary: 'Ancestors of a node that you may see, root first.' })
  @ApiOkResponse({ type: NodeList })
  async ancestors(@Actor() actor: Principal, @Param('id', IdPipe) id: string) {
    return { items: await this.service.ancestors(actor, id) };
  }

  @Get(':id/subtree')
  @Can('node.read', inRoute('node', 'id'))
  @ApiOperation({ summary: 'The node and all nodes below it, depth-first, with their depth.' })
  @ApiOkResponse({ type: SubtreeNodeList })
  async subtree(@Param('id', IdPipe) id: string) {
    return { items: await this.service.subtree(id) };
  }

  @Post()
  @Can('node.manage', inBody('node', 'parentId', { absent: 'organisation.create' }))
  @ApiOperation({ summary: 'Create a node (under a node you administer; roots: platform admins).' })
  @ApiOkResponse({ type: NodeModel })
  create(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Body() input: CreateNodeInput,
  ) {
    return this.service.create(actor, origin, input);
  }

  @Patch(':id')
  @Can(
    'node.manage',
    inRoute('node', 'id'),
    inBody('node', 'parentId', { optional: true, action: 'node.manage' }),
  )
  @ApiOperation({ summary: 'Change a node (move it with parentId).' })
  @ApiOkResponse({ type: NodeModel })
  update(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
    @Body() input: UpdateNodeInput,
  ) {
    return this.service.update(actor, origin, id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Can('node.manage', inRoute('node', 'id'))
  @ApiOperation({ summary: 'Delete a node without children, paths, items or movements.' })
  async remove(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
  ): Promise<void> {
    await this.service.remove(actor, origin, id);
  }
}

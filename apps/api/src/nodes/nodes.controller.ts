import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { CreateNodeInput, ListNodesArgs, UpdateNodeInput } from './dto/node.inputs';
import { NodeConnection, NodeList, NodeModel, SubtreeNodeList } from './node.model';
import { NodesService } from './nodes.service';

@ApiTags('nodes')
@Controller('nodes')
export class NodesController {
  constructor(private readonly service: NodesService) {}

  @Get()
  @ApiOperation({ summary: 'List nodes (cursor pagination, filters, sort).' })
  @ApiOkResponse({ type: NodeConnection })
  list(@Query() args: ListNodesArgs) {
    return this.service.list(args);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a node.' })
  @ApiOkResponse({ type: NodeModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Get(':id/children')
  @ApiOperation({ summary: 'Direct children of a node, by name.' })
  @ApiOkResponse({ type: NodeList })
  async children(@Param('id', IdPipe) id: string) {
    return { items: await this.service.children(id) };
  }

  @Get(':id/ancestors')
  @ApiOperation({ summary: 'Ancestors of a node, root first.' })
  @ApiOkResponse({ type: NodeList })
  async ancestors(@Param('id', IdPipe) id: string) {
    return { items: await this.service.ancestors(id) };
  }

  @Get(':id/subtree')
  @ApiOperation({ summary: 'The node and all nodes below it, depth-first, with their depth.' })
  @ApiOkResponse({ type: SubtreeNodeList })
  async subtree(@Param('id', IdPipe) id: string) {
    return { items: await this.service.subtree(id) };
  }

  @Post()
  @ApiOperation({ summary: 'Create a node.' })
  @ApiOkResponse({ type: NodeModel })
  create(@Body() input: CreateNodeInput) {
    return this.service.create(input);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a node (move it with parentId).' })
  @ApiOkResponse({ type: NodeModel })
  update(@Param('id', IdPipe) id: string, @Body() input: UpdateNodeInput) {
    return this.service.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a node without children, paths, items or movements.' })
  async remove(@Param('id', IdPipe) id: string): Promise<void> {
    await this.service.remove(id);
  }
}

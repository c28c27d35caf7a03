import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Can } from '../auth/can.decorator';
import { IdPipe } from '../common/id.pipe';
import { CreateResourceInput, ListResourcesArgs, UpdateResourceInput } from './dto/resource.inputs';
import { ResourceConnection, ResourceModel } from './resource.model';
import { ResourcesService } from './resources.service';

@ApiTags('resources')
@Controller('resources')
export class ResourcesController {
  constructor(private readonly service: ResourcesService) {}

  @Get()
  @Can('catalogue.read', 'platform')
  @ApiOperation({ summary: 'List resources (cursor pagination, filters, sort).' })
  @ApiOkResponse({ type: ResourceConnection })
  list(@Query() args: ListResourcesArgs) {
    return this.service.list(args);
  }

  @Get(':id')
  @Can('catalogue.read', 'platform')
  @ApiOperation({ summary: 'Get a resource.' })
  @ApiOkResponse({ type: ResourceModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Post()
  @Can('catalogue.manage', 'platform')
  @ApiOperation({ summary: 'Create a resource.' })
  @ApiOkResponse({ type: ResourceModel })
  create(@Body() input: CreateResourceInput) {
    return this.service.create(input);
  }

  @Patch(':id')
  @Can('catalogue.manage', 'platform')
  @ApiOperation({ summary: 'Change a resource.' })
  @ApiOkResponse({ type: ResourceModel })
  update(@Param('id', IdPipe) id: string, @Body() input: UpdateResourceInput) {
    return this.service.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Can('catalogue.manage', 'platform')
  @ApiOperation({ summary: 'Delete a resource that no movement refers to.' })
  async remove(@Param('id', IdPipe) id: string): Promise<void> {
    await this.service.remove(id);
  }
}

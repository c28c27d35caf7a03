import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../common/id.pipe';
import { CreatePathInput, ListPathsArgs, UpdatePathInput } from './dto/path.inputs';
import { PathConnection, PathModel } from './path.model';
import { PathsService } from './paths.service';

@ApiTags('paths')
@Controller('paths')
export class PathsController {
  constructor(private readonly service: PathsService) {}

  @Get()
  @ApiOperation({ summary: 'List paths (cursor pagination, filters, sort).' })
  @ApiOkResponse({ type: PathConnection })
  list(@Query() args: ListPathsArgs) {
    return this.service.list(args);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a path.' })
  @ApiOkResponse({ type: PathModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Post()
  @ApiOperation({ summary: 'Create a path.' })
  @ApiOkResponse({ type: PathModel })
  create(@Body() input: CreatePathInput) {
    return this.service.create(input);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a path.' })
  @ApiOkResponse({ type: PathModel })
  update(@Param('id', IdPipe) id: string, @Body() input: UpdatePathInput) {
    return this.service.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a path that no movement refers to.' })
  async remove(@Param('id', IdPipe) id: string): Promise<void> {
    await this.service.remove(id);
  }
}

import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CreateItemInput, ListItemsArgs, UpdateItemInput } from './dto/item.inputs';
import { ItemConnection, ItemModel } from './item.model';
import { ItemsService } from './items.service';

@ApiTags('items')
@Controller('items')
export class ItemsController {
  constructor(private readonly service: ItemsService) {}

  @Get()
  @ApiOperation({ summary: 'List items (cursor pagination, filters, sort).' })
  @ApiOkResponse({ type: ItemConnection })
  @Can('item.read', 'scoped')
  list(@Actor() actor: Principal, @Query() args: ListItemsArgs) {
    return this.service.list(actor, args);
  }

  @Get(':id')
  @Can('item.read', inRoute('item', 'id'))
  @ApiOperation({ summary: 'Get a item.' })
  @ApiOkResponse({ type: ItemModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Get(':id/content')
  @Can('item.read', inRoute('item', 'id'))
  @ApiOperation({
    summary:
      "Download an item's body (a trained model's trees as JSON), as a file named after its reference; 404 when it has none.",
  })
  @ApiProduces('application/json', 'application/octet-stream')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  async content(@Param('id', IdPipe) id: string): Promise<StreamableFile> {
    const { item, mediaType, bytes } = await this.service.content(id);
    const name = item.reference.replace(/[^\w.-]+/g, '_');
    const extension = mediaType === 'application/json' ? '.json' : '';
    return new StreamableFile(Buffer.from(bytes), {
      type: mediaType,
      length: bytes.length,
      disposition: `attachment; filename="${name}${extension}"`,
    });
  }

  @Post()
  @Can('item.manage', inBody('node', 'ownerId'))
  @ApiOperation({ summary: 'Create a item.' })
  @ApiOkResponse({ type: ItemModel })
  create(@Body() input: CreateItemInput) {
    return this.service.create(input);
  }

  @Patch(':id')
  @Can(
    'item.manage',
    inRoute('item', 'id'),
    inBody('node', 'ownerId', { optional: true, action: 'item.manage' }),
  )
  @ApiOperation({ summary: 'Change a item.' })
  @ApiOkResponse({ type: ItemModel })
  update(@Param('id', IdPipe) id: string, @Body() input: UpdateItemInput) {
    return this.service.update(id, input);
  }

  @Delete(':id')
  @HttpCode(204)
  @Can('item.manage', inRoute('item', 'id'))
  @ApiOperation({ summary: 'Delete a item that no movement refers to.' })
  async remove(@Param('id', IdPipe) id: string): Promise<void> {
    await this.service.remove(id);
  }
}

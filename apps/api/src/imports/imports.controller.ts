import { Controller, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Can, on } from '../auth/can.decorator';
import { IdPipe } from '../common/id.pipe';
import { ImportCmapssArgs } from './dto/import.inputs';
import { CmapssImportModel } from './imports.model';
import { ImportsService } from './imports.service';

const textBody = { schema: { type: 'string', format: 'binary' } } as const;

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly service: ImportsService) {}

  @Post('cmapss/:parentId')
  @Can('node.manage', on('node', 'parentId'))
  @ApiOperation({
    summary:
      'Import a NASA C-MAPSS turbofan file (train_FD00x.txt as the body): one machine node per engine under parentId, one series per setting and sensor, accounted as movements; 400 naming the line of a bad row.',
  })
  @ApiConsumes('text/plain', 'text/csv', 'application/octet-stream')
  @ApiBody(textBody)
  @ApiOkResponse({ type: CmapssImportModel })
  cmapss(
    @Param('parentId', IdPipe) parentId: string,
    @Query() args: ImportCmapssArgs,
    @Req() request: FastifyRequest,
  ) {
    return this.service.cmapss(parentId, args, request.body);
  }
}

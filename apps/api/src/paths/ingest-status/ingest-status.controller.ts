import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../auth/actor.decorator';
import { Can, inRoute } from '../../auth/can.decorator';
import type { Principal } from '../../auth/principal';
import { IdPipe } from '../../common/id.pipe';
import { PathIngestStatusModel } from './ingest-status.model';
import { IngestStatusService, maxStatusIds } from './ingest-status.service';

@ApiTags('paths')
@Controller('paths')
export class IngestStatusController {
  constructor(private readonly service: IngestStatusService) {}

  @Get('ingest-status')
  @ApiOperation({ summary: 'Live ingest statistics of several paths (unknown ids left out).' })
  @ApiQuery({
    name: 'ids',
    type: String,
    description: `Path ids separated by commas, at most ${maxStatusIds}.`,
    required: true,
  })
  @ApiOkResponse({ type: PathIngestStatusModel, isArray: true })
  @Can('path.read', 'scoped')
  list(@Actor() actor: Principal, @Query('ids') ids: string | string[] = '') {
    // ?ids=a,b and ?ids=a&ids=b alike
    return this.service.list(actor, [ids].flat().join(',').split(','));
  }

  @Get(':id/ingest-status')
  @Can('path.read', inRoute('path', 'id'))
  @ApiOperation({
    summary: 'Live ingest statistics of a path: points, points/s, last seen, rejected lines.',
  })
  @ApiOkResponse({ type: PathIngestStatusModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }
}

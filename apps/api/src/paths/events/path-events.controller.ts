import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Can, inRoute } from '../../auth/can.decorator';
import { IdPipe } from '../../common/id.pipe';
import { ListPathEventsArgs } from './dto/list-path-events.args';
import { PathEventConnection } from './path-event.model';
import { PathEventsService } from './path-events.service';

@ApiTags('paths')
@Controller('paths/:pathId/events')
export class PathEventsController {
  constructor(private readonly service: PathEventsService) {}

  @Get()
  @Can('series.read', inRoute('path', 'pathId'))
  @ApiOperation({
    summary: 'Events of a path: records with no numeric value, newest first (cursor pagination).',
  })
  @ApiOkResponse({ type: PathEventConnection })
  list(@Param('pathId', IdPipe) pathId: string, @Query() args: ListPathEventsArgs) {
    return this.service.list(pathId, args);
  }
}

import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Can } from '../auth/can.decorator';
import { IngestEndpointsModel } from './ingest-endpoints.model';
import { IngestEndpointsService } from './ingest-endpoints.service';

@ApiTags('ingest')
@Controller('ingest')
export class IngestEndpointsController {
  constructor(private readonly service: IngestEndpointsService) {}

  @Get('endpoints')
  @Can('catalogue.read', 'platform')
  @ApiOperation({
    summary: 'Where agents send data: the ingest gateway’s HTTP URL and forward port.',
  })
  @ApiOkResponse({ type: IngestEndpointsModel })
  get() {
    return this.service.get();
  }
}

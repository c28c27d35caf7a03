import { Body, Controller, Get, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Can, inQuery, inRoute } from '../auth/can.decorator';
import { IdPipe } from '../common/id.pipe';
import { Upload } from '../common/upload';
import { ImportLightCurveArgs, TransitSearchInput } from './dto/lightcurve.inputs';
import {
  LightCurveImportModel,
  TransitCandidateDetailModel,
  TransitCandidateListModel,
  TransitSearchSubmittedModel,
} from './lightcurves.model';
import { LightCurvesService } from './lightcurves.service';

@ApiTags('lightcurves')
@Controller('lightcurves')
export class LightCurvesController {
  constructor(private readonly service: LightCurvesService) {}

  @Post()
  @Can('node.manage', inQuery('node', 'parentId'))
  @Upload()
  @ApiOperation({
    summary:
      'Import a Kepler or TESS light curve (FITS file as the body): a star node under parentId with PDCSAP flux and error series, accounted as movements; 400 naming `file` when it is not a FITS light curve.',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: LightCurveImportModel })
  import(@Query() args: ImportLightCurveArgs, @Req() request: FastifyRequest) {
    return this.service.import(args, request.body);
  }

  @Post('stars/:id/transit-search')
  @Can('job.manage', inRoute('node', 'id'))
  @ApiOperation({
    summary: "Submit a transit-search run on the star's light curve (candidates become items).",
  })
  @ApiOkResponse({ type: TransitSearchSubmittedModel })
  search(@Param('id', IdPipe) id: string, @Body() input: TransitSearchInput) {
    return this.service.search(id, input);
  }

  @Get('stars/:id/candidates')
  @Can('item.read', inRoute('node', 'id'))
  @ApiOperation({
    summary: "Transit candidates of a star's latest search, by rank, with their KOI match.",
  })
  @ApiOkResponse({ type: TransitCandidateListModel })
  candidates(@Param('id', IdPipe) id: string) {
    return this.service.candidates(id);
  }

  @Get('candidates/:id')
  @Can('item.read', inRoute('item', 'id'))
  @ApiOperation({
    summary: 'A transit candidate with its periodogram and its light curve folded on its period.',
  })
  @ApiOkResponse({ type: TransitCandidateDetailModel })
  candidate(@Param('id', IdPipe) id: string) {
    return this.service.candidate(id);
  }
}

import { Controller, Param, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Can, inRoute } from '../auth/can.decorator';
import { IdPipe } from '../common/id.pipe';
import { Upload } from '../common/upload';
import { ImportCmapssArgs, ImportWindScadaArgs } from './dto/import.inputs';
import {
  CmapssImportModel,
  SolarGenerationImportModel,
  SolarWeatherImportModel,
  WindScadaImportModel,
} from './imports.model';
import { ImportsService } from './imports.service';

const textBody = { schema: { type: 'string', format: 'binary' } } as const;

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly service: ImportsService) {}

  @Post('cmapss/:parentId')
  @Can('node.manage', inRoute('node', 'parentId'))
  @Upload()
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

  @Post('wind-scada/:parentId')
  @Can('node.manage', inRoute('node', 'parentId'))
  @Upload()
  @ApiOperation({
    summary:
      "Import a wind turbine's 10-minute SCADA CSV (the layout of T1.csv: date/time, active power, wind speed, theoretical power, wind direction) as a turbine (machine) under parentId with one series per column, accounted as movements; 400 naming the line of a bad row.",
  })
  @ApiConsumes('text/csv', 'text/plain', 'application/octet-stream')
  @ApiBody(textBody)
  @ApiOkResponse({ type: WindScadaImportModel })
  windScada(
    @Param('parentId', IdPipe) parentId: string,
    @Query() args: ImportWindScadaArgs,
    @Req() request: FastifyRequest,
  ) {
    return this.service.windScada(parentId, args, request.body);
  }

  @Post('solar-generation/:parentId')
  @Can('node.manage', inRoute('node', 'parentId'))
  @Upload()
  @ApiOperation({
    summary:
      "Import a solar plant's generation CSV (DC and AC power, daily and total yield per inverter and 15-minute slot): the plant (site) under parentId, one machine per inverter, their series, accounted as movements.",
  })
  @ApiConsumes('text/csv', 'text/plain', 'application/octet-stream')
  @ApiBody(textBody)
  @ApiOkResponse({ type: SolarGenerationImportModel })
  solarGeneration(@Param('parentId', IdPipe) parentId: string, @Req() request: FastifyRequest) {
    return this.service.solarGeneration(parentId, request.body);
  }

  @Post('solar-weather/:parentId')
  @Can('node.manage', inRoute('node', 'parentId'))
  @Upload()
  @ApiOperation({
    summary:
      "Import a solar plant's weather sensor CSV (irradiation, ambient and module temperature): the same plant as its generation file, a sensor node with three series, accounted as movements.",
  })
  @ApiConsumes('text/csv', 'text/plain', 'application/octet-stream')
  @ApiBody(textBody)
  @ApiOkResponse({ type: SolarWeatherImportModel })
  solarWeather(@Param('parentId', IdPipe) parentId: string, @Req() request: FastifyRequest) {
    return this.service.solarWeather(parentId, request.body);
  }
}

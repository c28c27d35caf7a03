import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  AggregateInput,
  ChartArgs,
  LastArgs,
  ListSeriesArgs,
  PointsArgs,
} from './dto/series.inputs';
import {
  AggregateResultModel,
  ChartModel,
  LastPointModel,
  PointsPage,
  SeriesConnection,
  SeriesModel,
} from './series.model';
import { Actor } from '../auth/actor.decorator';
import { Can, inRoute } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { SeriesService } from './series.service';

@ApiTags('series')
@Controller('series')
export class SeriesController {
  constructor(private readonly service: SeriesService) {}

  @Get()
  @ApiOperation({
    summary: 'List series by measurement, field, tags (tag=name:value), node or resource.',
  })
  @ApiOkResponse({ type: SeriesConnection })
  @Can('series.read', 'scoped')
  list(@Actor() actor: Principal, @Query() args: ListSeriesArgs) {
    return this.service.list(actor, args);
  }

  @Get('last')
  @ApiOperation({ summary: 'The latest point of each matching series.' })
  @ApiOkResponse({ type: LastPointModel, isArray: true })
  @Can('series.read', 'scoped')
  last(@Actor() actor: Principal, @Query() args: LastArgs) {
    return this.service.last(actor, args);
  }

  @Post('aggregate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Aggregates in time buckets, grouped by tags, from chunk summaries where possible.',
  })
  @ApiOkResponse({ type: AggregateResultModel })
  @Can('series.read', 'scoped')
  aggregate(@Actor() actor: Principal, @Body() input: AggregateInput) {
    return this.service.aggregate(actor, input);
  }

  @Get(':id')
  @Can('series.read', inRoute('series', 'id'))
  @ApiOperation({ summary: 'One series.' })
  @ApiOkResponse({ type: SeriesModel })
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @Get(':id/points')
  @Can('series.read', inRoute('series', 'id'))
  @ApiOperation({ summary: 'Raw points in [from, to), a page at a time.' })
  @ApiOkResponse({ type: PointsPage })
  points(@Param('id') id: string, @Query() args: PointsArgs) {
    return this.service.points(id, args);
  }

  @Get(':id/chart')
  @Can('series.read', inRoute('series', 'id'))
  @ApiOperation({
    summary: 'The series downsampled to at most `points` pixels: min, max and mean per pixel.',
  })
  @ApiOkResponse({ type: ChartModel })
  chart(@Param('id') id: string, @Query() args: ChartArgs) {
    return this.service.chart(id, args);
  }
}

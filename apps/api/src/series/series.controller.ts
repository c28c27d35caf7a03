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
  list(@Query() args: ListSeriesArgs) {
    return this.service.list(args);
  }

  @Get('last')
  @ApiOperation({ summary: 'The latest point of each matching series.' })
  @ApiOkResponse({ type: LastPointModel, isArray: true })
  last(@Query() args: LastArgs) {
    return this.service.last(args);
  }

  @Post('aggregate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Aggregates in time buckets, grouped by tags, from chunk summaries where possible.',
  })
  @ApiOkResponse({ type: AggregateResultModel })
  aggregate(@Body() input: AggregateInput) {
    return this.service.aggregate(input);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One series.' })
  @ApiOkResponse({ type: SeriesModel })
  get(@Param('id') id: string) {
    return this.service.get(id);
  }

  @Get(':id/points')
  @ApiOperation({ summary: 'Raw points in [from, to), a page at a time.' })
  @ApiOkResponse({ type: PointsPage })
  points(@Param('id') id: string, @Query() args: PointsArgs) {
    return this.service.points(id, args);
  }

  @Get(':id/chart')
  @ApiOperation({
    summary: 'The series downsampled to at most `points` pixels: min, max and mean per pixel.',
  })
  @ApiOkResponse({ type: ChartModel })
  chart(@Param('id') id: string, @Query() args: ChartArgs) {
    return this.service.chart(id, args);
  }
}

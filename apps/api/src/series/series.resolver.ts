import { Args, Query, Resolver } from '@nestjs/graphql';
import {
  AggregateInput,
  LastArgs,
  ListSeriesArgs,
  SeriesChartArgs,
  SeriesPointsArgs,
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

@Resolver(() => SeriesModel)
export class SeriesResolver {
  constructor(private readonly service: SeriesService) {}

  @Query(() => SeriesConnection, { description: 'Series matching a selector.' })
  series(@Args() args: ListSeriesArgs) {
    return this.service.list(args);
  }

  @Query(() => PointsPage, { description: 'Raw points of one series.' })
  seriesPoints(@Args() { id, ...args }: SeriesPointsArgs) {
    return this.service.points(id, args);
  }

  @Query(() => ChartModel, { description: 'One series downsampled for a chart.' })
  seriesChart(@Args() { id, ...args }: SeriesChartArgs) {
    return this.service.chart(id, args);
  }

  @Query(() => AggregateResultModel, { description: 'Aggregates in time buckets grouped by tags.' })
  seriesAggregate(@Args('input') input: AggregateInput) {
    return this.service.aggregate(input);
  }

  @Query(() => [LastPointModel], { description: 'The latest point of each matching series.' })
  seriesLast(@Args() args: LastArgs) {
    return this.service.last(args);
  }
}

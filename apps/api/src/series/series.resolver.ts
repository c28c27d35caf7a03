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
import { Actor } from '../auth/actor.decorator';
import { Can, inArgs } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { SeriesService } from './series.service';

@Resolver(() => SeriesModel)
export class SeriesResolver {
  constructor(private readonly service: SeriesService) {}

  @Query(() => SeriesConnection, { description: 'Series matching a selector.' })
  @Can('series.read', 'scoped')
  series(@Actor() actor: Principal, @Args() args: ListSeriesArgs) {
    return this.service.list(actor, args);
  }

  @Query(() => PointsPage, { description: 'Raw points of one series.' })
  @Can('series.read', inArgs('series', 'id'))
  seriesPoints(@Args() { id, ...args }: SeriesPointsArgs) {
    return this.service.points(id, args);
  }

  @Query(() => ChartModel, { description: 'One series downsampled for a chart.' })
  @Can('series.read', inArgs('series', 'id'))
  seriesChart(@Args() { id, ...args }: SeriesChartArgs) {
    return this.service.chart(id, args);
  }

  @Query(() => AggregateResultModel, { description: 'Aggregates in time buckets grouped by tags.' })
  @Can('series.read', 'scoped')
  seriesAggregate(@Actor() actor: Principal, @Args('input') input: AggregateInput) {
    return this.service.aggregate(actor, input);
  }

  @Query(() => [LastPointModel], { description: 'The latest point of each matching series.' })
  @Can('series.read', 'scoped')
  seriesLast(@Actor() actor: Principal, @Args() args: LastArgs) {
    return this.service.last(actor, args);
  }
}

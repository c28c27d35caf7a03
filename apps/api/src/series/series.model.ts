import { Field, Float, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { valueTypes } from '@sextant/domain';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Connection, ValueTypeEnum } from '../common/graphql-types';

@ObjectType('Series', {
  description: 'A time series: measurement + tags + field, stored in compressed chunks.',
})
export class SeriesModel {
  @Field(() => ID)
  @ApiProperty({ example: '42' })
  id!: string;

  @Field({ description: 'Canonical key: measurement,tag=value,... field (unique per node).' })
  @ApiProperty()
  key!: string;

  @Field()
  @ApiProperty()
  measurement!: string;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  tags!: Record<string, string>;

  @Field()
  @ApiProperty()
  field!: string;

  @Field(() => ValueTypeEnum)
  @ApiProperty({ enum: valueTypes })
  valueType!: (typeof valueTypes)[number];

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  nodeId!: string | null;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  resourceId!: string | null;
}

export const SeriesConnection = Connection(SeriesModel, 'SeriesConnection');

@ObjectType('SeriesPoint')
export class PointModel {
  @Field({ description: 'RFC 3339, with nanoseconds when there are any.' })
  @ApiProperty({ example: '2026-11-21T10:00:00.000Z' })
  time!: string;

  @Field(() => GraphQLJSON, {
    description: 'Number, boolean or string; 64-bit integers as strings.',
  })
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] })
  value!: number | string | boolean;
}

@ObjectType('SeriesPoints')
export class PointsPage {
  @Field(() => SeriesModel)
  @ApiProperty({ type: SeriesModel })
  series!: SeriesModel;

  @Field(() => [PointModel])
  @ApiProperty({ type: PointModel, isArray: true })
  points!: PointModel[];

  @Field(() => String, {
    nullable: true,
    description: 'Pass as cursor for the next page; null on the last.',
  })
  @ApiProperty({ type: String, nullable: true })
  nextCursor!: string | null;
}

@ObjectType('ChartPoint', { description: 'One pixel of a downsampled chart.' })
export class ChartPointModel {
  @Field()
  @ApiProperty()
  time!: string;

  @Field(() => Float)
  @ApiProperty()
  min!: number;

  @Field(() => Float)
  @ApiProperty()
  max!: number;

  @Field(() => Float)
  @ApiProperty()
  mean!: number;

  @Field(() => Int)
  @ApiProperty()
  count!: number;
}

@ObjectType('QueryStats', {
  description: 'How a query was answered: chunks read from summaries or decoded.',
})
export class QueryStatsModel {
  @Field(() => Int)
  @ApiProperty()
  series!: number;

  @Field(() => Int)
  @ApiProperty()
  chunks!: number;

  @Field(() => Int)
  @ApiProperty()
  chunksFromSummary!: number;

  @Field(() => Int, { description: 'Chunks taken whole from their per-grain segment summaries.' })
  @ApiProperty({ description: 'Chunks taken whole from their per-grain segment summaries.' })
  chunksFromSegments!: number;

  @Field(() => Int)
  @ApiProperty()
  chunksDecoded!: number;
}

@ObjectType('SeriesChart')
export class ChartModel {
  @Field(() => SeriesModel)
  @ApiProperty({ type: SeriesModel })
  series!: SeriesModel;

  @Field(() => [ChartPointModel])
  @ApiProperty({ type: ChartPointModel, isArray: true })
  points!: ChartPointModel[];

  @Field(() => QueryStatsModel)
  @ApiProperty({ type: QueryStatsModel })
  stats!: QueryStatsModel;
}

@ObjectType('AggregateBucket')
export class BucketModel {
  @Field()
  @ApiProperty()
  time!: string;

  @Field(() => GraphQLJSONObject, {
    description: 'Aggregate name to value (null for an empty bucket).',
  })
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number', nullable: true } })
  values!: Record<string, number | null>;
}

@ObjectType('AggregateGroup')
export class GroupModel {
  @Field(() => ID, {
    nullable: true,
    description:
      "The organisation (root node) of the group's series: a group never merges two organisations.",
  })
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      "The organisation (root node) of the group's series: a group never merges two organisations.",
  })
  organisationId!: string | null;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  tags!: Record<string, string>;

  @Field(() => Int)
  @ApiProperty()
  series!: number;

  @Field(() => [BucketModel])
  @ApiProperty({ type: BucketModel, isArray: true })
  buckets!: BucketModel[];
}

@ObjectType('AggregateResult')
export class AggregateResultModel {
  @Field(() => [GroupModel])
  @ApiProperty({ type: GroupModel, isArray: true })
  groups!: GroupModel[];

  @Field(() => QueryStatsModel)
  @ApiProperty({ type: QueryStatsModel })
  stats!: QueryStatsModel;
}

@ObjectType('LastPoint')
export class LastPointModel {
  @Field(() => SeriesModel)
  @ApiProperty({ type: SeriesModel })
  series!: SeriesModel;

  @Field()
  @ApiProperty()
  time!: string;

  @Field(() => GraphQLJSON)
  @ApiProperty({ oneOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] })
  value!: number | string | boolean;
}

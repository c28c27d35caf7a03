import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { limits, parseDuration, parseTime } from '@sextant/timeseries';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  ValidateBy,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { IdField, IntField, PatternField, TextField } from '../../common/fields';

const timeRule =
  'must be an RFC 3339 time (2026-11-21T10:00:00Z) or an integer of nanoseconds since the epoch';

function IsTime(): PropertyDecorator {
  return ValidateBy({
    name: 'isTime',
    validator: {
      validate: (v) => typeof v === 'string' && parseTime(v) !== null,
      defaultMessage: () => timeRule,
    },
  });
}

function IsDuration(): PropertyDecorator {
  return ValidateBy({
    name: 'isDuration',
    validator: {
      validate: (v) => typeof v === 'string' && (parseDuration(v) ?? 0n) > 0n,
      defaultMessage: () => 'must be a duration such as 10s, 15m, 1h or 1d',
    },
  });
}

/** Series per page of the series list. */
export const seriesPage = { default: 100, max: 1000 };
/** Raw points of one page when `limit` is not given (at most limits.rawPoints). */
export const defaultRawPoints = 1000;
/** Points of a chart when `points` is not given (at most limits.chartPoints). */
export const defaultChartPoints = 1000;

const aggregatePattern = /^(count|sum|mean|min|max|first|last|stddev|p(100|[1-9]?\d(\.\d+)?))$/;
const cursorMessage = 'not a cursor returned by this list';
const toArray = ({ value }: { value: unknown }) =>
  value === undefined || Array.isArray(value) ? value : [value];

@ArgsType()
export class SeriesSelectorArgs {
  @TextField({ optional: true, maxLength: 200 })
  measurement?: string;

  @TextField({ optional: true, maxLength: 200 })
  field?: string;

  @Field(() => [String], {
    nullable: true,
    description: 'Tag filters as name:value; all must match.',
  })
  @ApiPropertyOptional({ type: [String], example: ['site:north', 'turbine:T07'] })
  @IsOptional()
  @Transform(toArray)
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(/^[^:]{1,200}:.{0,200}$/, { each: true, message: 'each tag filter must be name:value' })
  tag?: string[];

  @IdField({ optional: true })
  nodeId?: string;

  @IdField({ optional: true })
  resourceId?: string;
}

@ArgsType()
export class ListSeriesArgs extends SeriesSelectorArgs {
  @IntField({
    optional: true,
    fromQuery: true,
    min: 1,
    max: seriesPage.max,
    default: seriesPage.default,
  })
  limit?: number;

  @PatternField(/^\d{1,19}$/, cursorMessage, { optional: true })
  cursor?: string;
}

@ArgsType()
export class PointsArgs {
  @Field()
  @ApiProperty({ example: '2026-11-21T00:00:00Z' })
  @IsTime()
  from!: string;

  @Field()
  @ApiProperty({ example: '2026-11-22T00:00:00Z' })
  @IsTime()
  to!: string;

  @IntField({
    optional: true,
    fromQuery: true,
    min: 1,
    max: limits.rawPoints,
    default: defaultRawPoints,
  })
  limit?: number;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'must be asc or desc' })
  order?: 'asc' | 'desc';

  @PatternField(/^-?\d{1,19}$/, cursorMessage, {
    optional: true,
    description: 'nextCursor of the previous page.',
  })
  cursor?: string;
}

@ArgsType()
export class ChartArgs {
  @Field()
  @ApiProperty()
  @IsTime()
  from!: string;

  @Field()
  @ApiProperty()
  @IsTime()
  to!: string;

  @IntField({
    optional: true,
    fromQuery: true,
    min: 1,
    max: limits.chartPoints,
    default: defaultChartPoints,
    description: `Pixels: at most this many points (default ${defaultChartPoints}).`,
  })
  points?: number;
}

@InputType({ description: 'Aggregates in time buckets over the series that match.' })
export class AggregateInput {
  @TextField({ maxLength: 200 })
  measurement!: string;

  @TextField({ maxLength: 200 })
  field!: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Tag filter: every given tag must match.',
  })
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  tags?: Record<string, string>;

  @IdField({ optional: true })
  nodeId?: string;

  @Field()
  @ApiProperty()
  @IsTime()
  from!: string;

  @Field()
  @ApiProperty()
  @IsTime()
  to!: string;

  @Field({ description: 'Bucket width: 10s, 15m, 1h, 1d...' })
  @ApiProperty({ example: '1h' })
  @IsDuration()
  every!: string;

  @Field(() => [String], {
    description: 'count, sum, mean, min, max, first, last, stddev, p50, p95, p99...',
  })
  @ApiProperty({ type: [String], example: ['mean', 'max'] })
  @IsArray()
  @ArrayMaxSize(20)
  @Matches(aggregatePattern, {
    each: true,
    message: 'each aggregate must be count, sum, mean, min, max, first, last, stddev or pNN',
  })
  aggregates!: string[];

  @Field(() => [String], { nullable: true, description: 'Tag names to group by.' })
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  groupBy?: string[];
}

@ArgsType()
export class LastArgs extends SeriesSelectorArgs {}

/** GraphQL takes the series id among the arguments (REST has it in the path). */
@ArgsType()
export class SeriesPointsArgs extends PointsArgs {
  @Field(() => ID)
  @IsString()
  id!: string;
}

@ArgsType()
export class SeriesChartArgs extends ChartArgs {
  @Field(() => ID)
  @IsString()
  id!: string;
}

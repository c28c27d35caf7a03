import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { limits, parseDuration, parseTime } from '@sextant/timeseries';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';

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
const toArray = ({ value }: { value: unknown }) =>
  value === undefined || Array.isArray(value) ? value : [value];

@ArgsType()
export class SeriesSelectorArgs {
  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  measurement?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
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

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  nodeId?: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  resourceId?: string;
}

@ArgsType()
export class ListSeriesArgs extends SeriesSelectorArgs {
  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ minimum: 1, maximum: seriesPage.max, default: seriesPage.default })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(seriesPage.max)
  limit?: number;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: 'not a cursor returned by this list' })
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

  @Field(() => Int, { nullable: true })
  @ApiPropertyOptional({ minimum: 1, maximum: limits.rawPoints, default: defaultRawPoints })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(limits.rawPoints)
  limit?: number;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'must be asc or desc' })
  order?: 'asc' | 'desc';

  @Field(() => String, { nullable: true, description: 'nextCursor of the previous page.' })
  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^-?\d{1,19}$/, { message: 'not a cursor returned by this list' })
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

  @Field(() => Int, {
    nullable: true,
    description: `Pixels: at most this many points (default ${defaultChartPoints}).`,
  })
  @ApiPropertyOptional({ minimum: 1, maximum: limits.chartPoints, default: defaultChartPoints })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(limits.chartPoints)
  points?: number;
}

@InputType({ description: 'Aggregates in time buckets over the series that match.' })
export class AggregateInput {
  @Field()
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  measurement!: string;

  @Field()
  @ApiProperty()
  @IsString()
  @MaxLength(200)
  field!: string;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'Tag filter: every given tag must match.',
  })
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptional()
  @IsObject()
  tags?: Record<string, string>;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
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

import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DateTimeField, IdField } from '../../../common/fields';
import { maxPageSize } from '../../../common/list.args';

/** Newest first: a page of events, optionally before a time. */
@ArgsType()
export class ListPathEventsArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Events per page, 1-${maxPageSize} (default 50).`,
  })
  @ApiPropertyOptional({ minimum: 1, maximum: maxPageSize, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(maxPageSize)
  limit?: number;

  @DateTimeField({ optional: true, description: 'Only events whose time is before this one.' })
  before?: string;

  @Field(() => String, { nullable: true, description: 'nextCursor of the previous page.' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** GraphQL: the path and the page in one set of arguments. */
@ArgsType()
export class PathEventsArgs extends ListPathEventsArgs {
  @IdField()
  pathId!: string;
}

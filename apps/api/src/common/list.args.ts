import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const maxPageSize = 500;
/** Rows of a page when `limit` is not given. */
export const defaultPageSize = 50;

/** Cursor paging shared by every list: `limit` rows after `cursor`. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Rows per page, 1-${maxPageSize} (default ${defaultPageSize}).`,
  })
  @ApiPropertyOptional({ minimum: 1, maximum: maxPageSize, default: defaultPageSize })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(maxPageSize)
  limit?: number;

  @Field(() => String, { nullable: true, description: 'nextCursor of the previous page.' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  cursor?: string;
}

/** Paging, sorting and a text filter: the lists of nodes, paths, resources, items, movements. */
@ArgsType()
export class ListArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Sort field, `-` prefix for descending.' })
  @ApiPropertyOptional({ example: '-createdAt' })
  @IsOptional()
  @IsString()
  @MaxLength(40)
  sort?: string;

  @Field(() => String, { nullable: true, description: 'Text contained in name or reference.' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;
}

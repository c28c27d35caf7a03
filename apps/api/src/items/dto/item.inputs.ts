import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { itemKinds } from '@sextant/domain';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { ItemKindEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { PartialInput } from '../../common/partial-input';
import { referencePattern, referenceRule } from '../../common/reference';

type Kind = (typeof itemKinds)[number];

@InputType({ description: 'A new item.' })
export class CreateItemInput {
  @Field(() => ItemKindEnum)
  @ApiProperty({ enum: itemKinds })
  @IsIn(itemKinds, { message: `must be one of ${itemKinds.join(', ')}` })
  kind!: Kind;

  @Field()
  @ApiProperty({ maxLength: 120 })
  @IsString()
  @MaxLength(120)
  @Matches(referencePattern, { message: referenceRule })
  reference!: string;

  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  ownerId!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

@InputType({ description: 'Changes to an item; absent fields are kept.' })
export class UpdateItemInput extends PartialInput(CreateItemInput) {}

@ArgsType()
export class ListItemsArgs extends ListArgs {
  @Field(() => ItemKindEnum, { nullable: true })
  @ApiPropertyOptional({ enum: itemKinds })
  @IsOptional()
  @IsIn(itemKinds, { message: `must be one of ${itemKinds.join(', ')}` })
  kind?: Kind;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  ownerId?: string;
}

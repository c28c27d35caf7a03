import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { nodeKinds, type NodeKindName } from '@sextant/domain';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { NodeKindEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { referencePattern, referenceRule } from '../../common/reference';

@InputType({ description: 'A new node.' })
export class CreateNodeInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Parent node; omit for a root (an organisation).',
  })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  parentId?: string;

  @Field(() => NodeKindEnum)
  @ApiProperty({ enum: nodeKinds })
  @IsIn(nodeKinds, { message: `must be one of ${nodeKinds.join(', ')}` })
  kind!: NodeKindName;

  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field()
  @ApiProperty({ maxLength: 120, pattern: referencePattern.source })
  @IsString()
  @MaxLength(120)
  @Matches(referencePattern, { message: referenceRule })
  reference!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

@InputType({
  description: 'Changes to a node; absent fields are kept. parentId null makes it a root.',
})
export class UpdateNodeInput {
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid', nullable: true, type: String })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsUUID('all')
  parentId?: string | null;

  @Field(() => NodeKindEnum, { nullable: true })
  @ApiPropertyOptional({ enum: nodeKinds })
  @IsOptional()
  @IsIn(nodeKinds, { message: `must be one of ${nodeKinds.join(', ')}` })
  kind?: NodeKindName;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name?: string;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 120 })
  @IsOptional()
  @IsString()
  @MaxLength(120)
  @Matches(referencePattern, { message: referenceRule })
  reference?: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

@ArgsType()
export class ListNodesArgs extends ListArgs {
  @Field(() => NodeKindEnum, { nullable: true })
  @ApiPropertyOptional({ enum: nodeKinds })
  @IsOptional()
  @IsIn(nodeKinds, { message: `must be one of ${nodeKinds.join(', ')}` })
  kind?: NodeKindName;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  parentId?: string;

  @Field(() => Boolean, { nullable: true, description: 'Only nodes without a parent.' })
  @ApiPropertyOptional()
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  root?: boolean;
}

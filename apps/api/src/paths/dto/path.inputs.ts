import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { pathProtocols, pathStates } from '@sextant/domain';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { PathProtocolEnum, PathStateEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { PartialInput } from '../../common/partial-input';

type Protocol = (typeof pathProtocols)[number];
type State = (typeof pathStates)[number];

@InputType({ description: 'A new path.' })
export class CreatePathInput {
  @Field()
  @ApiProperty({ maxLength: 200 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  name!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  sourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  destinationId!: string;

  @Field(() => PathProtocolEnum)
  @ApiProperty({ enum: pathProtocols })
  @IsIn(pathProtocols, { message: `must be one of ${pathProtocols.join(', ')}` })
  protocol!: Protocol;

  @Field(() => PathStateEnum, { nullable: true })
  @ApiPropertyOptional({ enum: pathStates, default: 'active' })
  @IsOptional()
  @IsIn(pathStates, { message: `must be one of ${pathStates.join(', ')}` })
  state?: State;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  mapping?: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}

@InputType({ description: 'Changes to a path; absent fields are kept.' })
export class UpdatePathInput extends PartialInput(CreatePathInput) {}

@ArgsType()
export class ListPathsArgs extends ListArgs {
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  sourceId?: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  destinationId?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'Paths with this node as source or destination.',
  })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  nodeId?: string;

  @Field(() => PathProtocolEnum, { nullable: true })
  @ApiPropertyOptional({ enum: pathProtocols })
  @IsOptional()
  @IsIn(pathProtocols, { message: `must be one of ${pathProtocols.join(', ')}` })
  protocol?: Protocol;

  @Field(() => PathStateEnum, { nullable: true })
  @ApiPropertyOptional({ enum: pathStates })
  @IsOptional()
  @IsIn(pathStates, { message: `must be one of ${pathStates.join(', ')}` })
  state?: State;
}

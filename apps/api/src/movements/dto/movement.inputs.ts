import { ArgsType, Field, ID, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { movementOrigins } from '@sextant/domain';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsDecimalString } from '../../common/decimal';
import { MovementOriginEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';

type Origin = (typeof movementOrigins)[number];
const nodeRoles = ['source', 'destination', 'either'] as const;

@InputType({ description: 'A movement to record.' })
export class CreateMovementInput {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  resourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  sourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  destinationId!: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  itemId?: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pathId?: string;

  @Field({ description: 'Non-negative decimal, e.g. "86400".' })
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '86400' })
  @IsDecimalString()
  quantity!: string;

  @Field()
  @ApiProperty({ format: 'date-time' })
  @IsISO8601(
    { strict: true },
    { message: 'must be an ISO 8601 date-time, e.g. 2026-11-21T00:00:00Z' },
  )
  start!: string;

  @Field()
  @ApiProperty({ format: 'date-time' })
  @IsISO8601(
    { strict: true },
    { message: 'must be an ISO 8601 date-time, e.g. 2026-11-22T00:00:00Z' },
  )
  stop!: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String })
  @IsOptional()
  @IsDecimalString()
  unitPrice?: string;

  @Field(() => MovementOriginEnum, { nullable: true })
  @ApiPropertyOptional({ enum: movementOrigins, default: 'manual' })
  @IsOptional()
  @IsIn(movementOrigins, { message: `must be one of ${movementOrigins.join(', ')}` })
  origin?: Origin;

  @Field(() => String, {
    nullable: true,
    description: 'Idempotency key: a retry with the same key records nothing new.',
  })
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  externalId?: string;
}

@ArgsType()
export class ListMovementsArgs extends ListArgs {
  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  resourceId?: string;

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  nodeId?: string;

  @Field(() => String, {
    nullable: true,
    description: 'With nodeId: source, destination or either (default).',
  })
  @ApiPropertyOptional({ enum: nodeRoles })
  @IsOptional()
  @IsIn(nodeRoles, { message: `must be one of ${nodeRoles.join(', ')}` })
  nodeRole?: (typeof nodeRoles)[number];

  @Field(() => ID, { nullable: true })
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('all')
  pathId?: string;

  @Field(() => MovementOriginEnum, { nullable: true })
  @ApiPropertyOptional({ enum: movementOrigins })
  @IsOptional()
  @IsIn(movementOrigins, { message: `must be one of ${movementOrigins.join(', ')}` })
  origin?: Origin;

  @Field(() => String, { nullable: true, description: 'Movements starting at or after this time.' })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  from?: string;

  @Field(() => String, { nullable: true, description: 'Movements starting before this time.' })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  to?: string;
}

@ArgsType()
export class MovementSummaryArgs {
  @Field(() => String, { nullable: true, description: 'Default: 31 days before `to`.' })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  from?: string;

  @Field(() => String, { nullable: true, description: 'Default: now.' })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be an ISO 8601 date-time' })
  to?: string;
}

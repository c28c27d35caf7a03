import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { movementOrigins } from '@sextant/domain';
import { Connection, MovementOriginEnum } from '../common/graphql-types';

@ObjectType('Movement', {
  description:
    'A quantity of a resource moving from a source node to a destination node over [start, stop). Immutable.',
})
export class MovementModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  resourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  sourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  destinationId!: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  itemId!: string | null;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  pathId!: string | null;

  @Field(() => ID, {
    nullable: true,
    description: 'The movement this correction corrects (only corrections may be negative).',
  })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  correctsId!: string | null;

  @Field({ description: 'Exact decimal.' })
  @ApiProperty({ example: '86400' })
  quantity!: string;

  @Field()
  @ApiProperty()
  start!: Date;

  @Field()
  @ApiProperty()
  stop!: Date;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  unitPrice!: string | null;

  @Field(() => MovementOriginEnum)
  @ApiProperty({ enum: movementOrigins })
  origin!: (typeof movementOrigins)[number];

  @Field(() => String, { nullable: true, description: 'Idempotency key, unique per origin.' })
  @ApiProperty({ type: String, nullable: true })
  externalId!: string | null;

  @Field()
  @ApiProperty()
  createdAt!: Date;
}

export const MovementConnection = Connection(MovementModel, 'MovementConnection');

@ObjectType('MovementSummaryRow', {
  description: 'Sum of quantities of one resource on one UTC day.',
})
export class MovementSummaryRow {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  resourceId!: string;

  @Field()
  @ApiProperty()
  resourceReference!: string;

  @Field()
  @ApiProperty()
  unit!: string;

  @Field({ description: 'UTC day, YYYY-MM-DD.' })
  @ApiProperty({ example: '2026-11-21' })
  day!: string;

  @Field()
  @ApiProperty()
  quantity!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Priced sum, when the movements or resource have a price.',
  })
  @ApiProperty({ type: String, nullable: true })
  amount!: string | null;

  @Field()
  @ApiProperty()
  movements!: number;
}

@ObjectType('MovementSummary')
export class MovementSummary {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  nodeId!: string;

  @Field(() => [MovementSummaryRow])
  @ApiProperty({ type: MovementSummaryRow, isArray: true })
  rows!: MovementSummaryRow[];

  @Field({ description: 'True when the rows were cut (narrow the window for the rest).' })
  @ApiProperty({ description: 'True when the rows were cut (narrow the window for the rest).' })
  truncated!: boolean;
}

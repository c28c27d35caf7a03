import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { valueTypes } from '@sextant/domain';
import { Connection, ValueTypeEnum } from '../common/graphql-types';

@ObjectType('Resource', { description: 'A kind of data, with unit, value type and price.' })
export class ResourceModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field({ description: 'Unique reference, e.g. vibration.rms or db.row:public.orders.' })
  @ApiProperty()
  reference!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field()
  @ApiProperty({ example: 'mm/s' })
  unit!: string;

  @Field(() => ValueTypeEnum)
  @ApiProperty({ enum: valueTypes })
  valueType!: (typeof valueTypes)[number];

  @Field()
  @ApiProperty()
  description!: string;

  @Field(() => String, { nullable: true, description: 'Price of one unit, as an exact decimal.' })
  @ApiProperty({ type: String, nullable: true, example: '0.0000100000' })
  unitPrice!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Points older than this many days are dropped; null keeps all.',
  })
  @ApiProperty({ type: Number, nullable: true })
  retentionDays!: number | null;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  updatedAt!: Date;
}

export const ResourceConnection = Connection(ResourceModel, 'ResourceConnection');

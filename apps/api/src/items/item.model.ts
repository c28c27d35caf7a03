import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { itemKinds } from '@sextant/domain';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection, ItemKindEnum } from '../common/graphql-types';

@ObjectType('Item', {
  description: 'An identified thing that is tracked or moved: sensor, data set, model...',
})
export class ItemModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ItemKindEnum)
  @ApiProperty({ enum: itemKinds })
  kind!: (typeof itemKinds)[number];

  @Field()
  @ApiProperty()
  reference!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field(() => ID, { description: 'The node that owns the item.' })
  @ApiProperty({ format: 'uuid' })
  ownerId!: string;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  updatedAt!: Date;
}

export const ItemConnection = Connection(ItemModel, 'ItemConnection');

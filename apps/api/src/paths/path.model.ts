import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { pathProtocols, pathStates } from '@sextant/domain';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection, PathProtocolEnum, PathStateEnum } from '../common/graphql-types';

@ObjectType('Path', {
  description: 'Registration of a data source: source node to destination node over a protocol.',
})
export class PathModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  sourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  destinationId!: string;

  @Field(() => PathProtocolEnum)
  @ApiProperty({ enum: pathProtocols })
  protocol!: (typeof pathProtocols)[number];

  @Field(() => PathStateEnum)
  @ApiProperty({ enum: pathStates })
  state!: (typeof pathStates)[number];

  @Field(() => GraphQLJSONObject, {
    description: 'Resource mapping rules: incoming fields to resources.',
  })
  @ApiProperty({ type: 'object', additionalProperties: true })
  mapping!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  settings!: Record<string, unknown>;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  updatedAt!: Date;
}

export const PathConnection = Connection(PathModel, 'PathConnection');

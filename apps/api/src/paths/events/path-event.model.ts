import { Field, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '../../common/graphql-types';

@ObjectType('PathEvent', {
  description:
    'A record that arrived through a path with no numeric value (a log line, a state change), kept as it came.',
})
export class PathEventModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  pathId!: string;

  @Field({ description: 'The tag the record arrived under (fluentd forward).' })
  @ApiProperty({ description: 'The tag the record arrived under (fluentd forward).' })
  tag!: string;

  @Field({ description: 'The record’s time, to the millisecond.' })
  @ApiProperty({ description: 'The record’s time, to the millisecond.' })
  time!: Date;

  @Field({ description: 'The record’s time in nanoseconds since the epoch, exact (decimal).' })
  @ApiProperty({
    description: 'The record’s time in nanoseconds since the epoch, exact (decimal).',
  })
  timeNs!: string;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  record!: Record<string, unknown>;

  @Field({ description: 'When the gateway stored it.' })
  @ApiProperty({ description: 'When the gateway stored it.' })
  createdAt!: Date;
}

export const PathEventConnection = Connection(PathEventModel, 'PathEventConnection');

import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

@ObjectType('PathIngestStatus', {
  description: 'Live ingest statistics of a path, summed over every ingest gateway.',
})
export class PathIngestStatusModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  pathId!: string;

  @Field(() => Float, { description: 'Points stored through the path (all gateways).' })
  @ApiProperty({ description: 'Points stored through the path (all gateways).' })
  points!: number;

  @Field(() => Float, {
    description: 'Points stored per second, averaged over the last 60 seconds.',
  })
  @ApiProperty({ description: 'Points stored per second, averaged over the last 60 seconds.' })
  pointsPerSecond!: number;

  @Field(() => Date, { nullable: true, description: 'Latest write through the path, good or bad.' })
  @ApiProperty({
    type: Date,
    nullable: true,
    description: 'Latest write through the path, good or bad.',
  })
  lastSeenAt!: Date | null;

  @Field(() => Float, { description: 'Lines (or records) refused, in all.' })
  @ApiProperty({ description: 'Lines (or records) refused, in all.' })
  rejectedLines!: number;

  @Field(() => String, { nullable: true, description: 'Why the latest refused line was refused.' })
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the latest refused line was refused.',
  })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Date, {
    nullable: true,
    description: 'When a gateway last reported on the path; null: never.',
  })
  @ApiProperty({
    type: Date,
    nullable: true,
    description: 'When a gateway last reported on the path; null: never.',
  })
  updatedAt!: Date | null;
}

import { Field, Float, ID, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { pathStates } from '@sextant/domain';
import { GraphQLJSONObject } from 'graphql-scalars';

/** What the process running a CDC source does; waiting: no process has taken it yet. */
export const cdcRunStates = [
  'starting',
  'snapshotting',
  'streaming',
  'paused',
  'retrying',
  'stopped',
  'waiting',
] as const;
export const cdcCommandStates = ['pending', 'running', 'done', 'failed'] as const;

@ObjectType('CdcSourceStatus', {
  description: 'What the process running a CDC source last reported (about once a second).',
})
export class CdcSourceStatusModel {
  @Field({
    description:
      'starting, snapshotting, streaming, paused, retrying, stopped; waiting: no process has taken it yet.',
  })
  @ApiProperty({
    enum: cdcRunStates,
    description:
      'starting, snapshotting, streaming, paused, retrying, stopped; waiting: no process has taken it yet.',
  })
  state!: string;

  @Field(() => String, {
    nullable: true,
    description: 'Last LSN confirmed to the source: applied.',
  })
  @ApiProperty({ type: String, nullable: true, example: '0/1A2B3C8' })
  confirmedLsn!: string | null;

  @Field(() => String, { nullable: true, description: "The source's current WAL position." })
  @ApiProperty({ type: String, nullable: true })
  sourceLsn!: string | null;

  @Field(() => Float, { nullable: true, description: 'WAL bytes between source and confirmed.' })
  @ApiProperty({ type: Number, nullable: true })
  lagBytes!: number | null;

  @Field(() => Float, { nullable: true, description: 'Age of the oldest unapplied commit.' })
  @ApiProperty({ type: Number, nullable: true })
  lagSeconds!: number | null;

  @Field(() => Float)
  @ApiProperty({ description: 'Changes applied per second, over the last seconds.' })
  changesPerSecond!: number;

  @Field(() => Float)
  @ApiProperty({ description: 'Changes applied since the running process took the source.' })
  changesApplied!: number;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  lastError!: string | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  lastErrorAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When an unreachable source is tried again.' })
  @ApiProperty({ type: Date, nullable: true })
  nextRetryAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Why the source is paused.' })
  @ApiProperty({ type: String, nullable: true })
  pausedReason!: string | null;

  @Field(() => [String], { description: 'Problems to act on, such as lag above its threshold.' })
  @ApiProperty({ type: String, isArray: true })
  problems!: string[];

  @Field(() => String, {
    nullable: true,
    description: 'The process running it (host:pid); platform administrators only.',
  })
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The process running it (host:pid); platform administrators only.',
  })
  runner!: string | null;

  @Field(() => Date, { nullable: true, description: 'When this status was reported.' })
  @ApiProperty({ type: Date, nullable: true })
  updatedAt!: Date | null;
}

@ObjectType('CdcSource', {
  description:
    'A Postgres database captured through logical replication into lake_<name>, as a path of protocol cdc.',
})
export class CdcSourceModel {
  @Field(() => ID, { description: 'The path id.' })
  @ApiProperty({ format: 'uuid', description: 'The path id.' })
  id!: string;

  @Field({ description: 'Names the mirror schema lake_<name>.' })
  @ApiProperty({ description: 'Names the mirror schema lake_<name>.' })
  name!: string;

  @Field({ description: 'The path: active, paused or revoked.' })
  @ApiProperty({ enum: pathStates, description: 'The path: active, paused or revoked.' })
  state!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid', description: 'The database node (movements come from it).' })
  sourceId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid', description: 'The lake node (movements go to it).' })
  destinationId!: string;

  @Field({ description: 'The connection string without its password.' })
  @ApiProperty({ description: 'The connection string without its password.' })
  connection!: string;

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  tables!: string[];

  @Field(() => GraphQLJSONObject)
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
    description: 'Key columns of each table.',
  })
  keys!: Record<string, string[]>;

  @Field()
  @ApiProperty()
  slot!: string;

  @Field()
  @ApiProperty()
  publication!: string;

  @Field({ description: 'The mirror schema.' })
  @ApiProperty({ description: 'The mirror schema.' })
  mirrorSchema!: string;

  @Field(() => CdcSourceStatusModel)
  @ApiProperty({ type: CdcSourceStatusModel })
  status!: CdcSourceStatusModel;

  @Field(() => Date)
  @ApiProperty()
  createdAt!: Date;
}

@ObjectType('CdcLagSample', { description: 'Lag and rate of a CDC source at one moment.' })
export class CdcLagSampleModel {
  @Field(() => Date)
  @ApiProperty()
  at!: Date;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  lagBytes!: number | null;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  lagSeconds!: number | null;

  @Field(() => Float)
  @ApiProperty()
  changesPerSecond!: number;
}

@ObjectType('CdcCommand', { description: 'A request to the process running a CDC source.' })
export class CdcCommandModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field({ description: 'resnapshot or resume.' })
  @ApiProperty({ description: 'resnapshot or resume.' })
  kind!: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  table!: string | null;

  @Field({ description: 'pending, running, done or failed.' })
  @ApiProperty({ enum: cdcCommandStates, description: 'pending, running, done or failed.' })
  state!: string;

  @Field(() => Date)
  @ApiProperty()
  requestedAt!: Date;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  finishedAt!: Date | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;
}

@ObjectType('CdcDeadLetter', {
  description: 'A change that could not be decoded or applied, kept for replay.',
})
export class CdcDeadLetterModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  topic!: string | null;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  partition!: number | null;

  @Field(() => String, { nullable: true, description: 'Kafka offset, as text.' })
  @ApiProperty({ type: String, nullable: true })
  offset!: string | null;

  @Field(() => String, { nullable: true, description: 'Where it was read (offset or LSN).' })
  @ApiProperty({ type: String, nullable: true })
  position!: string | null;

  @Field()
  @ApiProperty()
  reason!: string;

  @Field(() => String, { nullable: true, description: 'The message as text (UTF-8, or base64).' })
  @ApiProperty({ type: String, nullable: true })
  payload!: string | null;

  @Field(() => Date)
  @ApiProperty()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  replayedAt!: Date | null;
}

@ObjectType('CdcReplayFailure')
export class CdcReplayFailureModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  reason!: string;
}

@ObjectType('CdcReplayResult', {
  description: 'Dead letters replayed, and those that failed again.',
})
export class CdcReplayResultModel {
  @Field(() => [ID])
  @ApiProperty({ type: String, isArray: true })
  replayed!: string[];

  @Field(() => [CdcReplayFailureModel])
  @ApiProperty({ type: () => CdcReplayFailureModel, isArray: true })
  failed!: CdcReplayFailureModel[];
}

/** What dropping a CDC source did (REST only). */
export class CdcDropResultModel {
  @ApiProperty({ description: 'Whether the replication slot was dropped on the source.' })
  slotDropped!: boolean;

  @ApiProperty({ description: 'Whether the publication was dropped on the source.' })
  publicationDropped!: boolean;

  @ApiProperty({ description: 'Whether the mirror schema was dropped (dropMirror=true).' })
  mirrorDropped!: boolean;

  @ApiProperty({ description: 'The mirror schema, kept unless dropped.' })
  mirrorSchema!: string;

  @ApiProperty({
    enum: ['deleted', 'revoked'],
    description: 'The path: deleted, or revoked when movements refer to it.',
  })
  path!: 'deleted' | 'revoked';

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'What was left on the source when dropped with force=true.',
  })
  warning!: string | null;
}

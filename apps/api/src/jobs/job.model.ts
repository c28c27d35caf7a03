import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { jobLogLevels, jobRunStates, jobScheduleStates, jobTaskStates } from '@sextant/domain';
import { maxLineageRows } from '@sextant/jobs';
import { GraphQLJSON, GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '../common/graphql-types';

function enumObject<T extends string>(values: readonly T[]): Record<T, T> {
  return Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
}

export const JobRunStateEnum = enumObject(jobRunStates);
export const JobTaskStateEnum = enumObject(jobTaskStates);
export const JobLogLevelEnum = enumObject(jobLogLevels);
export const JobScheduleStateEnum = enumObject(jobScheduleStates);
registerEnumType(JobRunStateEnum, { name: 'JobRunState', description: 'Where a run is.' });
registerEnumType(JobTaskStateEnum, {
  name: 'JobTaskState',
  description: 'Where a task is: pending waits for the steps it depends on.',
});
registerEnumType(JobLogLevelEnum, { name: 'JobLogLevel' });
registerEnumType(JobScheduleStateEnum, { name: 'JobScheduleState' });

@ObjectType('JobParameter', {
  description: 'A parameter of a job type, as the submit form shows it.',
})
export class JobParameterModel {
  @Field()
  @ApiProperty()
  name!: string;

  @Field({ description: 'string, number, integer, boolean, datetime, node, item or enum.' })
  @ApiProperty({
    enum: ['string', 'number', 'integer', 'boolean', 'datetime', 'node', 'item', 'enum'],
  })
  type!: string;

  @Field()
  @ApiProperty()
  title!: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @Field({ description: 'Must be given (it has no default).' })
  @ApiProperty()
  required!: boolean;

  @Field(() => GraphQLJSON, { nullable: true })
  @ApiProperty({
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }],
  })
  default!: string | number | boolean | null;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  minimum!: number | null;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  maximum!: number | null;

  @Field(() => [String], { nullable: true, description: 'The values of an enum parameter.' })
  @ApiProperty({ type: String, isArray: true, nullable: true })
  values!: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Kinds of node a node parameter names.' })
  @ApiProperty({ type: String, isArray: true, nullable: true })
  nodeKinds!: string[] | null;

  @Field(() => [String], { nullable: true, description: 'Kinds of item an item parameter names.' })
  @ApiProperty({ type: String, isArray: true, nullable: true })
  itemKinds!: string[] | null;
}

@ObjectType('JobStep', { description: 'A step of a job type.' })
export class JobStepModel {
  @Field()
  @ApiProperty()
  name!: string;

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  dependsOn!: string[];

  @Field({ description: 'One task per input listed at run time.' })
  @ApiProperty()
  fanOut!: boolean;

  @Field(() => Int)
  @ApiProperty()
  timeoutSeconds!: number;

  @Field(() => Int)
  @ApiProperty()
  maxAttempts!: number;

  @Field(() => Int)
  @ApiProperty()
  backoffSeconds!: number;
}

@ObjectType('JobType', { description: 'A kind of job workers can run, with its parameters.' })
export class JobTypeModel {
  @Field()
  @ApiProperty({ example: 'series-health' })
  name!: string;

  @Field()
  @ApiProperty()
  title!: string;

  @Field()
  @ApiProperty()
  description!: string;

  @Field(() => [JobParameterModel])
  @ApiProperty({ type: JobParameterModel, isArray: true })
  parameters!: JobParameterModel[];

  @Field(() => [JobStepModel])
  @ApiProperty({ type: JobStepModel, isArray: true })
  steps!: JobStepModel[];
}

@ObjectType('JobTask', { description: 'A task of a run: a step, or one input of a fan-out step.' })
export class JobTaskModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  step!: string;

  @Field({ description: 'The step, or step[position] for a fan-out task.' })
  @ApiProperty({ example: 'scan[3]' })
  key!: string;

  @Field(() => Int, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  position!: number | null;

  @Field(() => ID, { nullable: true, description: 'The fan-out task that made this one.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentId!: string | null;

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  dependsOn!: string[];

  @Field(() => JobTaskStateEnum)
  @ApiProperty({ enum: jobTaskStates })
  state!: (typeof jobTaskStates)[number];

  @Field(() => Int, { description: 'Attempts so far.' })
  @ApiProperty()
  attempt!: number;

  @Field(() => Int, { description: 'The last attempt allowed.' })
  @ApiProperty()
  attemptLimit!: number;

  @Field(() => Float, { description: '0-100.' })
  @ApiProperty()
  progress!: number;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  message!: string | null;

  @Field(() => GraphQLJSON, { nullable: true })
  @ApiProperty({ nullable: true })
  input!: unknown;

  @Field(() => GraphQLJSON, { nullable: true })
  @ApiProperty({ nullable: true })
  result!: unknown;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @Field(() => Int)
  @ApiProperty()
  timeoutSeconds!: number;

  @Field(() => ID, { nullable: true, description: 'The worker of the current attempt.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  workerId!: string | null;

  @Field(() => Date, { nullable: true, description: 'When a queued retry may start.' })
  @ApiProperty({ type: Date, nullable: true })
  runAfter!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  finishedAt!: Date | null;
}

@ObjectType('JobTaskCounts', { description: "A run's tasks by state." })
export class JobTaskCountsModel {
  @Field(() => Int)
  @ApiProperty()
  total!: number;
  @Field(() => Int)
  @ApiProperty()
  pending!: number;
  @Field(() => Int)
  @ApiProperty()
  queued!: number;
  @Field(() => Int)
  @ApiProperty()
  running!: number;
  @Field(() => Int)
  @ApiProperty()
  succeeded!: number;
  @Field(() => Int)
  @ApiProperty()
  failed!: number;
  @Field(() => Int)
  @ApiProperty()
  cancelled!: number;
}

@ObjectType('JobRun', { description: 'A run of a job type: a small workflow of tasks.' })
export class JobRunModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty({ example: 'series-health' })
  type!: string;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  params!: Record<string, unknown>;

  @Field(() => GraphQLJSONObject, {
    description: 'Task options given at submission (timeoutSeconds, maxAttempts, backoffSeconds).',
  })
  @ApiProperty({ type: 'object', additionalProperties: true })
  options!: Record<string, unknown>;

  @Field(() => JobRunStateEnum)
  @ApiProperty({ enum: jobRunStates })
  state!: (typeof jobRunStates)[number];

  @Field(() => Int)
  @ApiProperty()
  priority!: number;

  @Field(() => ID, { description: 'The node that owns the run, gets its results and pays.' })
  @ApiProperty({ format: 'uuid' })
  ownerId!: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  scheduleId!: string | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  scheduledFor!: Date | null;

  @Field(() => Float, { description: 'Percent: the mean of its steps, a fan-out by its tasks.' })
  @ApiProperty()
  progress!: number;

  @Field(() => JobTaskCountsModel)
  @ApiProperty({ type: JobTaskCountsModel })
  taskCounts!: JobTaskCountsModel;

  @Field(() => GraphQLJSON, { nullable: true, description: "The final step's result." })
  @ApiProperty({ nullable: true })
  result!: unknown;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  error!: string | null;

  @Field(() => Int, { description: 'Times it was retried after failing or being cancelled.' })
  @ApiProperty()
  retries!: number;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  finishedAt!: Date | null;
}

export const JobRunConnection = Connection(JobRunModel, 'JobRunConnection');

@ObjectType('JobRunDetail', { description: 'A run with its tasks.' })
export class JobRunDetailModel extends JobRunModel {
  @Field(() => [JobTaskModel])
  @ApiProperty({ type: JobTaskModel, isArray: true })
  tasks!: JobTaskModel[];
}

@ObjectType('JobLog', { description: 'A structured log line of a task, or of its run.' })
export class JobLogModel {
  @Field({ description: 'Ascending; pass the last as `after` to get newer lines.' })
  @ApiProperty({ example: '1042' })
  id!: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  taskId!: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  taskKey!: string | null;

  @Field(() => Int, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  attempt!: number | null;

  @Field()
  @ApiProperty()
  at!: Date;

  @Field(() => JobLogLevelEnum)
  @ApiProperty({ enum: jobLogLevels })
  level!: (typeof jobLogLevels)[number];

  @Field()
  @ApiProperty()
  message!: string;

  @Field(() => GraphQLJSONObject, { nullable: true })
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  data!: Record<string, unknown> | null;

  @Field(() => String, {
    nullable: true,
    description: 'The worker process (host:pid); platform administrators only.',
  })
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The worker process (host:pid); platform administrators only.',
  })
  worker!: string | null;
}

@ObjectType('JobLogPage', { description: 'Log lines after a given one, oldest first.' })
export class JobLogPageModel {
  @Field(() => [JobLogModel])
  @ApiProperty({ type: JobLogModel, isArray: true })
  items!: JobLogModel[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for newer lines.' })
  @ApiProperty({ type: String, nullable: true })
  last!: string | null;
}

@ObjectType('JobLineageInput', { description: 'A series a task read over a time range.' })
export class JobLineageInputModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @Field()
  @ApiProperty()
  taskKey!: string;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  seriesId!: string | null;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  seriesKey!: string | null;
  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  nodeId!: string | null;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  resourceReference!: string | null;
  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  start!: Date | null;
  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  stop!: Date | null;
  @Field(() => Float)
  @ApiProperty()
  points!: number;
  @Field(() => ID, { nullable: true, description: 'The movement accounting for it.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  movementId!: string | null;
}

@ObjectType('JobLineageOutput', { description: 'An item a task produced.' })
export class JobLineageOutputModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  taskId!: string;
  @Field()
  @ApiProperty()
  taskKey!: string;
  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  itemId!: string | null;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  itemKind!: string | null;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  itemReference!: string | null;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  itemName!: string | null;
  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  ownerId!: string | null;
  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  movementId!: string | null;
}

@ObjectType('JobLineageMovement', { description: 'A movement of origin job a run recorded.' })
export class JobLineageMovementModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @Field()
  @ApiProperty({ example: 'job.result' })
  resourceReference!: string;
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  sourceId!: string;
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  destinationId!: string;
  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  itemId!: string | null;
  @Field({ description: 'Decimal, as text.' })
  @ApiProperty({ example: '240.000000' })
  quantity!: string;
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: String, nullable: true })
  unitPrice!: string | null;
  @Field()
  @ApiProperty()
  start!: Date;
  @Field()
  @ApiProperty()
  stop!: Date;
}

@ObjectType('JobLineage', {
  description: 'What a run read (series and time ranges) and produced, with the movements.',
})
export class JobLineageModel {
  @Field(() => [JobLineageInputModel])
  @ApiProperty({ type: JobLineageInputModel, isArray: true })
  inputs!: JobLineageInputModel[];

  @Field(() => [JobLineageOutputModel])
  @ApiProperty({ type: JobLineageOutputModel, isArray: true })
  outputs!: JobLineageOutputModel[];

  @Field(() => [JobLineageMovementModel])
  @ApiProperty({ type: JobLineageMovementModel, isArray: true })
  movements!: JobLineageMovementModel[];

  @Field({ description: `True when a list was cut at its first ${maxLineageRows} rows.` })
  @ApiProperty({ description: `True when a list was cut at its first ${maxLineageRows} rows.` })
  truncated!: boolean;
}

@ObjectType('JobSchedule', { description: 'A cron schedule submitting runs of a job type.' })
export class JobScheduleModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @Field()
  @ApiProperty()
  name!: string;
  @Field()
  @ApiProperty()
  type!: string;
  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  params!: Record<string, unknown>;
  @Field()
  @ApiProperty({ example: '0 3 * * *' })
  cron!: string;
  @Field()
  @ApiProperty({ example: 'UTC' })
  timezone!: string;
  @Field(() => JobScheduleStateEnum)
  @ApiProperty({ enum: jobScheduleStates })
  state!: (typeof jobScheduleStates)[number];
  @Field(() => Int)
  @ApiProperty()
  priority!: number;
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  ownerId!: string;
  @Field()
  @ApiProperty()
  nextRunAt!: Date;
  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  lastRunAt!: Date | null;
  @Field(() => ID, { nullable: true, description: 'Its latest run.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  lastRunId!: string | null;
  @Field(() => JobRunStateEnum, { nullable: true })
  @ApiProperty({ enum: jobRunStates, nullable: true })
  lastRunState!: (typeof jobRunStates)[number] | null;
  @Field()
  @ApiProperty()
  createdAt!: Date;
}

@ObjectType('JobWorker', { description: 'A worker process of the job platform.' })
export class JobWorkerModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @Field(() => String, { nullable: true, description: 'Platform administrators only.' })
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Platform administrators only.',
  })
  host!: string | null;
  @Field(() => Int, { nullable: true, description: 'Platform administrators only.' })
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Platform administrators only.',
  })
  pid!: number | null;
  @Field(() => Int)
  @ApiProperty()
  concurrency!: number;
  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  types!: string[];
  @Field()
  @ApiProperty()
  startedAt!: Date;
  @Field()
  @ApiProperty()
  heartbeatAt!: Date;
  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  stoppedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'shutdown, or lost.' })
  @ApiProperty({ type: String, nullable: true })
  stopReason!: string | null;
  @Field(() => Int, { description: 'Attempts it is running now.' })
  @ApiProperty()
  running!: number;
}

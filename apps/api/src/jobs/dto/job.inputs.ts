import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { jobRunStates } from '@sextant/domain';
import { optionLimits } from '@sextant/jobs';
import { EnumField, IdField, JsonObjectField, NameField } from '../../common/fields';
import { PageArgs } from '../../common/list.args';
import { JobRunStateEnum } from '../job.model';

const typeName = /^[a-z][a-z0-9-]{0,99}$/;

/** An optional whole number in a range, for GraphQL, OpenAPI and validation. */
function IntField(range: { min: number; max: number }, description: string): PropertyDecorator {
  return (target, key) => {
    for (const decorator of [
      Field(() => Int, { nullable: true, description }),
      ApiPropertyOptional({ minimum: range.min, maximum: range.max, description }),
      IsOptional(),
      IsInt({ message: 'must be a whole number' }),
      Min(range.min),
      Max(range.max),
    ].reverse())
      decorator(target, key);
  };
}

@InputType({ description: 'A run to submit.' })
export class SubmitJobRunInput {
  @Field({ description: 'The job type, e.g. series-health (GET /api/jobs/types).' })
  @ApiProperty({ example: 'series-health' })
  @IsString()
  @Matches(typeName, { message: 'must be a job type name such as series-health' })
  type!: string;

  @JsonObjectField({
    optional: true,
    description: "Parameters, checked against the job type's schema.",
  })
  params?: Record<string, unknown>;

  @IdField({ description: 'The node that owns the run: it gets the results and pays for them.' })
  ownerId!: string;

  @IntField(optionLimits.priority, 'Higher runs first (default 0).')
  priority?: number;

  @IntField(optionLimits.timeoutSeconds, "Each task's deadline (default: the job type's).")
  timeoutSeconds?: number;

  @IntField(optionLimits.maxAttempts, "Attempts per task (default: the job type's).")
  maxAttempts?: number;

  @IntField(
    optionLimits.backoffSeconds,
    "Delay before a task's first retry (default: the job type's).",
  )
  backoffSeconds?: number;
}

@ArgsType()
export class ListJobRunsArgs extends PageArgs {
  @EnumField(jobRunStates, JobRunStateEnum, { optional: true })
  state?: (typeof jobRunStates)[number];

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ example: 'series-health' })
  @IsOptional()
  @Matches(typeName, { message: 'must be a job type name such as series-health' })
  type?: string;

  @IdField({ optional: true })
  ownerId?: string;

  @IdField({ optional: true })
  scheduleId?: string;
}

/** Log lines of a page when `limit` is not given, and the most a page holds. */
export const defaultLogLines = 200;
export const maxLogLines = 1000;

@ArgsType()
export class JobLogsArgs {
  @IdField({ optional: true, description: 'Lines of this task only.' })
  taskId?: string;

  @Field(() => String, {
    nullable: true,
    description: 'Only lines after this id (for live tails).',
  })
  @ApiPropertyOptional({ example: '1042' })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'must be the id of a log line' })
  after?: string;

  @Field(() => Int, {
    nullable: true,
    description: `Lines, 1-${maxLogLines} (default ${defaultLogLines}).`,
  })
  @ApiPropertyOptional({ minimum: 1, maximum: maxLogLines, default: defaultLogLines })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(maxLogLines)
  limit?: number;
}

/** The arguments of the jobRunLogs query: the run with the page (REST has it in the route). */
@ArgsType()
export class JobRunLogsArgs extends JobLogsArgs {
  @IdField({ description: 'The run.' })
  id!: string;
}

@InputType({ description: 'A cron schedule submitting runs of a job type.' })
export class CreateJobScheduleInput {
  @NameField()
  name!: string;

  @Field({ description: 'The job type.' })
  @ApiProperty({ example: 'series-health' })
  @IsString()
  @Matches(typeName, { message: 'must be a job type name such as series-health' })
  type!: string;

  @JsonObjectField({ optional: true, description: 'Parameters of every run.' })
  params?: Record<string, unknown>;

  @Field({
    description: 'Five fields (minute hour day month weekday), or six with seconds first.',
  })
  @ApiProperty({ example: '0 3 * * *' })
  @IsString()
  @MaxLength(120)
  cron!: string;

  @Field({ nullable: true, description: 'IANA time zone of the cron fields (default UTC).' })
  @ApiPropertyOptional({ example: 'Europe/Copenhagen' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timezone?: string;

  @IntField(optionLimits.priority, 'Priority of its runs (default 0).')
  priority?: number;

  @IdField({ description: 'The node owning its runs.' })
  ownerId!: string;

  @Field({ nullable: true, description: 'Create it paused.' })
  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  paused?: boolean;
}

import { ArgsType, InputType } from '@nestjs/graphql';
import { jobRunStates } from '@sextant/domain';
import { optionLimits } from '@sextant/jobs';
import {
  BooleanField,
  EnumField,
  IdField,
  IntField,
  JsonObjectField,
  NameField,
  PatternField,
  TextField,
} from '../../common/fields';
import { PageArgs } from '../../common/list.args';
import { JobRunStateEnum } from '../job.model';

const typeName = /^[a-z][a-z0-9-]{0,99}$/;

const typeMessage = 'must be a job type name such as series-health';

/** An optional whole number in a range of a run's options. */
function OptionField(range: { min: number; max: number }, description: string) {
  return IntField({ ...range, optional: true, description, message: 'must be a whole number' });
}

@InputType({ description: 'A run to submit.' })
export class SubmitJobRunInput {
  @PatternField(typeName, typeMessage, {
    isString: true,
    example: 'series-health',
    description: 'The job type, e.g. series-health (GET /api/jobs/types).',
  })
  type!: string;

  @JsonObjectField({
    optional: true,
    description: "Parameters, checked against the job type's schema.",
  })
  params?: Record<string, unknown>;

  @IdField({ description: 'The node that owns the run: it gets the results and pays for them.' })
  ownerId!: string;

  @OptionField(optionLimits.priority, 'Higher runs first (default 0).')
  priority?: number;

  @OptionField(optionLimits.timeoutSeconds, "Each task's deadline (default: the job type's).")
  timeoutSeconds?: number;

  @OptionField(optionLimits.maxAttempts, "Attempts per task (default: the job type's).")
  maxAttempts?: number;

  @OptionField(
    optionLimits.backoffSeconds,
    "Delay before a task's first retry (default: the job type's).",
  )
  backoffSeconds?: number;
}

@ArgsType()
export class ListJobRunsArgs extends PageArgs {
  @EnumField(jobRunStates, JobRunStateEnum, { optional: true })
  state?: (typeof jobRunStates)[number];

  @PatternField(typeName, typeMessage, { optional: true, example: 'series-health' })
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

  @PatternField(/^\d{1,18}$/, 'must be the id of a log line', {
    optional: true,
    example: '1042',
    description: 'Only lines after this id (for live tails).',
  })
  after?: string;

  @IntField({
    optional: true,
    fromQuery: true,
    min: 1,
    max: maxLogLines,
    default: defaultLogLines,
    description: `Lines, 1-${maxLogLines} (default ${defaultLogLines}).`,
  })
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

  @PatternField(typeName, typeMessage, {
    isString: true,
    example: 'series-health',
    description: 'The job type.',
  })
  type!: string;

  @JsonObjectField({ optional: true, description: 'Parameters of every run.' })
  params?: Record<string, unknown>;

  @TextField({
    maxLength: 120,
    example: '0 3 * * *',
    description: 'Five fields (minute hour day month weekday), or six with seconds first.',
  })
  cron!: string;

  @TextField({
    optional: true,
    maxLength: 64,
    example: 'Europe/Copenhagen',
    description: 'IANA time zone of the cron fields (default UTC).',
  })
  timezone?: string;

  @OptionField(optionLimits.priority, 'Priority of its runs (default 0).')
  priority?: number;

  @IdField({ description: 'The node owning its runs.' })
  ownerId!: string;

  @BooleanField({ optional: true, description: 'Create it paused.' })
  paused?: boolean;
}

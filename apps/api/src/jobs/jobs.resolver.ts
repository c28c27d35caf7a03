import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import {
  CreateJobScheduleInput,
  JobLogsArgs,
  ListJobRunsArgs,
  SubmitJobRunInput,
} from './dto/job.inputs';
import {
  JobLineageModel,
  JobLogPageModel,
  JobRunConnection,
  JobRunDetailModel,
  JobScheduleModel,
  JobTypeModel,
  JobWorkerModel,
} from './job.model';
import { JobsService } from './jobs.service';

@Resolver(() => JobRunDetailModel)
export class JobsResolver {
  constructor(private readonly service: JobsService) {}

  @Query(() => [JobTypeModel], { description: 'Job types with their parameter schemas.' })
  jobTypes() {
    return this.service.types();
  }

  @Query(() => JobTypeModel)
  jobType(@Args('name') name: string) {
    return this.service.type(name);
  }

  @Query(() => JobRunConnection, { description: 'Runs, newest first.' })
  jobRuns(@Args() args: ListJobRunsArgs) {
    return this.service.runs(args);
  }

  @Query(() => JobRunDetailModel, { description: 'A run with its tasks.' })
  jobRun(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.run(id);
  }

  @Query(() => JobLogPageModel, { description: "A run's log lines, oldest first." })
  jobRunLogs(@Args('id', { type: () => ID }, IdPipe) id: string, @Args() args: JobLogsArgs) {
    return this.service.logs(id, args);
  }

  @Query(() => JobLineageModel, { description: 'What a run read and produced.' })
  jobRunLineage(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.lineage(id);
  }

  @Query(() => [JobScheduleModel])
  jobSchedules() {
    return this.service.schedules();
  }

  @Query(() => [JobWorkerModel], { description: 'Worker processes heard from in the last day.' })
  jobWorkers() {
    return this.service.workers();
  }

  @Mutation(() => JobRunDetailModel, { description: 'Submit a run of a job type.' })
  submitJobRun(@Args('input') input: SubmitJobRunInput) {
    return this.service.submit(input);
  }

  @Mutation(() => JobRunDetailModel, { description: 'Cancel a queued or running run.' })
  cancelJobRun(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.cancel(id);
  }

  @Mutation(() => JobRunDetailModel, { description: 'Retry a failed or cancelled run.' })
  retryJobRun(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.retry(id);
  }

  @Mutation(() => JobScheduleModel)
  createJobSchedule(@Args('input') input: CreateJobScheduleInput) {
    return this.service.createSchedule(input);
  }

  @Mutation(() => JobScheduleModel)
  pauseJobSchedule(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.pauseSchedule(id);
  }

  @Mutation(() => JobScheduleModel)
  resumeJobSchedule(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.resumeSchedule(id);
  }

  @Mutation(() => ID, { description: 'Deletes a schedule; returns its id.' })
  async deleteJobSchedule(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.deleteSchedule(id);
    return id;
  }
}

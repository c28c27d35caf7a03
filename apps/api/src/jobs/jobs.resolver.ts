import { UseInterceptors } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import { PlatformOnly } from '../auth/platform-only.interceptor';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import {
  CreateJobScheduleInput,
  JobRunLogsArgs,
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
import { withoutLogWorkers, withoutWorkerHosts } from './platform-details';

@Resolver(() => JobRunDetailModel)
export class JobsResolver {
  constructor(private readonly service: JobsService) {}

  @Query(() => [JobTypeModel], { description: 'Job types with their parameter schemas.' })
  @Can('catalogue.read', 'platform')
  jobTypes() {
    return this.service.types();
  }

  @Query(() => JobTypeModel)
  @Can('catalogue.read', 'platform')
  jobType(@Args('name') name: string) {
    return this.service.type(name);
  }

  @Query(() => JobRunConnection, { description: 'Runs, newest first.' })
  @Can('job.read', 'scoped')
  jobRuns(@Actor() actor: Principal, @Args() args: ListJobRunsArgs) {
    return this.service.runs(actor, args);
  }

  @Query(() => JobRunDetailModel, { description: 'A run with its tasks.' })
  @Can('job.read', inArgs('job', 'id'))
  jobRun(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.run(id);
  }

  @Query(() => JobLogPageModel, { description: "A run's log lines, oldest first." })
  @Can('job.read', inArgs('job', 'id'))
  @UseInterceptors(new PlatformOnly(withoutLogWorkers))
  jobRunLogs(@Args() { id, ...args }: JobRunLogsArgs) {
    return this.service.logs(id.toLowerCase(), args);
  }

  @Query(() => JobLineageModel, { description: 'What a run read and produced.' })
  @Can('job.read', inArgs('job', 'id'))
  jobRunLineage(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.lineage(id);
  }

  @Query(() => [JobScheduleModel])
  @Can('job.read', 'scoped')
  jobSchedules(@Actor() actor: Principal) {
    return this.service.schedules(actor);
  }

  @Query(() => [JobWorkerModel], { description: 'Worker processes heard from in the last day.' })
  @Can('job.read', 'scoped')
  @UseInterceptors(new PlatformOnly(withoutWorkerHosts))
  jobWorkers(@Actor() actor: Principal) {
    return this.service.workers(actor);
  }

  @Mutation(() => JobRunDetailModel, { description: 'Submit a run of a job type.' })
  @Can('job.manage', inInput('node', 'ownerId'))
  submitJobRun(@Actor() actor: Principal, @Args('input') input: SubmitJobRunInput) {
    return this.service.submit(actor, input);
  }

  @Mutation(() => JobRunDetailModel, { description: 'Cancel a queued or running run.' })
  @Can('job.manage', inArgs('job', 'id'))
  cancelJobRun(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.cancel(id);
  }

  @Mutation(() => JobRunDetailModel, { description: 'Retry a failed or cancelled run.' })
  @Can('job.manage', inArgs('job', 'id'))
  retryJobRun(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.retry(id);
  }

  @Mutation(() => JobScheduleModel)
  @Can('job.manage', inInput('node', 'ownerId'))
  createJobSchedule(@Actor() actor: Principal, @Args('input') input: CreateJobScheduleInput) {
    return this.service.createSchedule(actor, input);
  }

  @Mutation(() => JobScheduleModel)
  @Can('job.manage', inArgs('schedule', 'id'))
  pauseJobSchedule(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.pauseSchedule(id);
  }

  @Mutation(() => JobScheduleModel)
  @Can('job.manage', inArgs('schedule', 'id'))
  resumeJobSchedule(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.resumeSchedule(id);
  }

  @Mutation(() => ID, { description: 'Deletes a schedule; returns its id.' })
  @Can('job.manage', inArgs('schedule', 'id'))
  async deleteJobSchedule(@Args('id', { type: () => ID }, IdPipe) id: string) {
    await this.service.deleteSchedule(id);
    return id;
  }
}

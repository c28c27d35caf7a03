import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  UseInterceptors,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import { PlatformOnly } from '../auth/platform-only.interceptor';
import type { Principal } from '../auth/principal';
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
import { withoutLogWorkers, withoutWorkerHosts } from './platform-details';

@ApiTags('jobs')
@Controller('jobs')
export class JobsController {
  constructor(private readonly service: JobsService) {}

  @Get('types')
  @ApiOperation({ summary: 'Job types, with their parameter schemas and steps.' })
  @ApiOkResponse({ type: JobTypeModel, isArray: true })
  @Can('catalogue.read', 'platform')
  types() {
    return this.service.types();
  }

  @Get('types/:name')
  @ApiOperation({ summary: 'One job type.' })
  @ApiOkResponse({ type: JobTypeModel })
  @Can('catalogue.read', 'platform')
  type(@Param('name') name: string) {
    return this.service.type(name);
  }

  @Post('runs')
  @ApiOperation({
    summary:
      'Submit a run: parameters are checked against the job type (400 naming each bad one), tasks without dependencies are queued.',
  })
  @ApiOkResponse({ type: JobRunDetailModel })
  @Can('job.manage', inBody('node', 'ownerId'))
  submit(@Actor() actor: Principal, @Body() input: SubmitJobRunInput) {
    return this.service.submit(actor, input);
  }

  @Get('runs')
  @ApiOperation({ summary: 'Runs, newest first, with state, progress and task counts.' })
  @ApiOkResponse({ type: JobRunConnection })
  @Can('job.read', 'scoped')
  runs(@Actor() actor: Principal, @Query() args: ListJobRunsArgs) {
    return this.service.runs(actor, args);
  }

  @Get('runs/:id')
  @ApiOperation({ summary: 'A run with its tasks.' })
  @ApiOkResponse({ type: JobRunDetailModel })
  @Can('job.read', inRoute('job', 'id'))
  run(@Param('id', IdPipe) id: string) {
    return this.service.run(id);
  }

  @Post('runs/:id/cancel')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Cancel a queued or running run: running tasks are aborted (409 if it has finished).',
  })
  @ApiOkResponse({ type: JobRunDetailModel })
  @Can('job.manage', inRoute('job', 'id'))
  cancel(@Param('id', IdPipe) id: string) {
    return this.service.cancel(id);
  }

  @Post('runs/:id/retry')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Retry a failed or cancelled run: its failed and cancelled tasks run again with fresh attempts (409 otherwise).',
  })
  @ApiOkResponse({ type: JobRunDetailModel })
  @Can('job.manage', inRoute('job', 'id'))
  retry(@Param('id', IdPipe) id: string) {
    return this.service.retry(id);
  }

  @Get('runs/:id/logs')
  @ApiOperation({ summary: "A run's log lines (of one task with taskId), oldest first." })
  @ApiOkResponse({ type: JobLogPageModel })
  @Can('job.read', inRoute('job', 'id'))
  @UseInterceptors(new PlatformOnly(withoutLogWorkers))
  logs(@Param('id', IdPipe) id: string, @Query() args: JobLogsArgs) {
    return this.service.logs(id, args);
  }

  @Get('runs/:id/lineage')
  @ApiOperation({
    summary:
      'What the run read (series, time ranges, points) and produced (items), with the movements accounting for them.',
  })
  @ApiOkResponse({ type: JobLineageModel })
  @Can('job.read', inRoute('job', 'id'))
  lineage(@Param('id', IdPipe) id: string) {
    return this.service.lineage(id);
  }

  @Get('schedules')
  @ApiOperation({ summary: 'Cron schedules with their next time and latest run.' })
  @ApiOkResponse({ type: JobScheduleModel, isArray: true })
  @Can('job.read', 'scoped')
  schedules(@Actor() actor: Principal) {
    return this.service.schedules(actor);
  }

  @Post('schedules')
  @ApiOperation({
    summary: 'Create a cron schedule (cron, time zone and parameters are checked first).',
  })
  @ApiOkResponse({ type: JobScheduleModel })
  @Can('job.manage', inBody('node', 'ownerId'))
  createSchedule(@Actor() actor: Principal, @Body() input: CreateJobScheduleInput) {
    return this.service.createSchedule(actor, input);
  }

  @Get('schedules/:id')
  @ApiOperation({ summary: 'One schedule.' })
  @ApiOkResponse({ type: JobScheduleModel })
  @Can('job.read', inRoute('schedule', 'id'))
  schedule(@Param('id', IdPipe) id: string) {
    return this.service.schedule(id);
  }

  @Post('schedules/:id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a schedule.' })
  @ApiOkResponse({ type: JobScheduleModel })
  @Can('job.manage', inRoute('schedule', 'id'))
  pauseSchedule(@Param('id', IdPipe) id: string) {
    return this.service.pauseSchedule(id);
  }

  @Post('schedules/:id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a schedule from now on (missed times do not fire).' })
  @ApiOkResponse({ type: JobScheduleModel })
  @Can('job.manage', inRoute('schedule', 'id'))
  resumeSchedule(@Param('id', IdPipe) id: string) {
    return this.service.resumeSchedule(id);
  }

  @Delete('schedules/:id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a schedule (its runs stay).' })
  @Can('job.manage', inRoute('schedule', 'id'))
  async deleteSchedule(@Param('id', IdPipe) id: string): Promise<void> {
    await this.service.deleteSchedule(id);
  }

  @Get('workers')
  @ApiOperation({ summary: 'Worker processes heard from in the last day.' })
  @ApiOkResponse({ type: JobWorkerModel, isArray: true })
  @Can('job.read', 'scoped')
  @UseInterceptors(new PlatformOnly(withoutWorkerHosts))
  workers(@Actor() actor: Principal) {
    return this.service.workers(actor);
  }
}

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
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import { PlatformOnly } from '../auth/platform-only.interceptor';
import type { Principal, RequestOrigin } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import {
  CdcCommandModel,
  CdcDeadLetterModel,
  CdcDropResultModel,
  CdcLagSampleModel,
  CdcReplayResultModel,
  CdcSourceModel,
} from './cdc-source.model';
import { CdcSourcesService } from './cdc-sources.service';
import { withoutRunners } from './platform-details';
import {
  CreateCdcSourceInput,
  DeadLetterArgs,
  DropCdcSourceArgs,
  LagArgs,
  ReplayDeadLettersInput,
  ResnapshotInput,
} from './dto/cdc-source.inputs';

@ApiTags('cdc')
@Controller('cdc/sources')
@UseInterceptors(new PlatformOnly(withoutRunners))
export class CdcSourcesController {
  constructor(private readonly service: CdcSourcesService) {}

  @Get()
  @ApiOperation({ summary: 'CDC sources with their live status.' })
  @ApiOkResponse({ type: CdcSourceModel, isArray: true })
  @Can('cdc.read', 'scoped')
  list(@Actor() actor: Principal) {
    return this.service.list(actor);
  }

  @Post()
  @ApiOperation({
    summary:
      'Register a Postgres database to capture (checks it first: reachable, wal_level=logical, REPLICATION, tables with keys).',
  })
  @ApiOkResponse({ type: CdcSourceModel })
  @Can('cdc.manage', [inBody('node', 'sourceId'), inBody('node', 'destinationId')])
  create(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Body() input: CreateCdcSourceInput,
  ) {
    return this.service.create(actor, origin, input);
  }

  @Get(':id')
  @Can('cdc.read', inRoute('cdc', 'id'))
  @ApiOperation({ summary: 'A CDC source and its status: confirmed LSN, lag, changes/s, errors.' })
  @ApiOkResponse({ type: CdcSourceModel })
  get(@Param('id', IdPipe) id: string) {
    return this.service.get(id);
  }

  @Post(':id/pause')
  @Can('cdc.manage', inRoute('cdc', 'id'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause: apply what was read, confirm it, close the replication.' })
  @ApiOkResponse({ type: CdcSourceModel })
  pause(@Param('id', IdPipe) id: string) {
    return this.service.pause(id);
  }

  @Post(':id/resume')
  @Can('cdc.manage', inRoute('cdc', 'id'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume, also after a schema change paused the source.' })
  @ApiOkResponse({ type: CdcSourceModel })
  resume(@Param('id', IdPipe) id: string) {
    return this.service.resume(id);
  }

  @Post(':id/resnapshot')
  @Can('cdc.manage', inRoute('cdc', 'id'))
  @HttpCode(202)
  @ApiOperation({ summary: 'Read one table again from the source while streaming goes on.' })
  @ApiOkResponse({ type: CdcCommandModel })
  resnapshot(@Param('id', IdPipe) id: string, @Body() input: ResnapshotInput) {
    return this.service.resnapshot(id, input.table);
  }

  @Get(':id/commands')
  @Can('cdc.read', inRoute('cdc', 'id'))
  @ApiOperation({ summary: 'Recent requests (re-snapshots, resumes) and how they ended.' })
  @ApiOkResponse({ type: CdcCommandModel, isArray: true })
  commands(@Param('id', IdPipe) id: string) {
    return this.service.commands(id);
  }

  @Get(':id/lag')
  @Can('cdc.read', inRoute('cdc', 'id'))
  @ApiOperation({ summary: 'Lag and rate samples (every 5 s, kept a day).' })
  @ApiOkResponse({ type: CdcLagSampleModel, isArray: true })
  lag(@Param('id', IdPipe) id: string, @Query() args: LagArgs) {
    return this.service.lag(id, args.minutes ?? 60);
  }

  @Get(':id/dead-letters')
  @Can('cdc.read', inRoute('cdc', 'id'))
  @ApiOperation({ summary: 'Changes that could not be decoded or applied.' })
  @ApiOkResponse({ type: CdcDeadLetterModel, isArray: true })
  deadLetters(@Param('id', IdPipe) id: string, @Query() args: DeadLetterArgs) {
    return this.service.deadLetters(id, args.includeReplayed === 'true');
  }

  @Post(':id/dead-letters/replay')
  @Can('cdc.manage', inRoute('cdc', 'id'))
  @HttpCode(200)
  @ApiOperation({ summary: 'Apply dead letters again (all, or the ids given).' })
  @ApiOkResponse({ type: CdcReplayResultModel })
  replay(@Param('id', IdPipe) id: string, @Body() input: ReplayDeadLettersInput) {
    return this.service.replay(id, input.ids);
  }

  @Delete(':id')
  @Can('cdc.manage', inRoute('cdc', 'id'))
  @ApiOperation({
    summary:
      'Drop: stop, drop the slot and publication on the source, forget the source (mirror kept unless dropMirror=true).',
  })
  @ApiOkResponse({ type: CdcDropResultModel })
  drop(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('id', IdPipe) id: string,
    @Query() args: DropCdcSourceArgs,
  ) {
    return this.service.drop(actor, origin, id, {
      force: args.force === 'true',
      dropMirror: args.dropMirror === 'true',
    });
  }
}

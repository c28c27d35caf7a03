import { UseInterceptors } from '@nestjs/common';
import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor, Origin } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import { PlatformOnly } from '../auth/platform-only.interceptor';
import type { Principal, RequestOrigin } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { CdcCommandModel, CdcSourceModel } from './cdc-source.model';
import { CdcSourcesService } from './cdc-sources.service';
import { withoutRunners } from './platform-details';
import { CreateCdcSourceInput } from './dto/cdc-source.inputs';

@Resolver(() => CdcSourceModel)
@UseInterceptors(new PlatformOnly(withoutRunners))
export class CdcSourcesResolver {
  constructor(private readonly service: CdcSourcesService) {}

  @Query(() => [CdcSourceModel], { description: 'CDC sources with their live status.' })
  @Can('cdc.read', 'scoped')
  cdcSources(@Actor() actor: Principal) {
    return this.service.list(actor);
  }

  @Query(() => CdcSourceModel)
  @Can('cdc.read', inArgs('cdc', 'id'))
  cdcSource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => CdcSourceModel, { description: 'Register a Postgres database to capture.' })
  @Can('cdc.manage', [inInput('node', 'sourceId'), inInput('node', 'destinationId')])
  createCdcSource(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('input') input: CreateCdcSourceInput,
  ) {
    return this.service.create(actor, origin, input);
  }

  @Mutation(() => CdcSourceModel)
  @Can('cdc.manage', inArgs('cdc', 'id'))
  pauseCdcSource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.pause(id);
  }

  @Mutation(() => CdcSourceModel)
  @Can('cdc.manage', inArgs('cdc', 'id'))
  resumeCdcSource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.resume(id);
  }

  @Mutation(() => CdcCommandModel, { description: 'Read one table again while streaming goes on.' })
  @Can('cdc.manage', inArgs('cdc', 'id'))
  resnapshotCdcTable(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('table') table: string,
  ) {
    return this.service.resnapshot(id, table);
  }
}

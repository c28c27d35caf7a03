import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import { CdcCommandModel, CdcSourceModel } from './cdc-source.model';
import { CdcSourcesService } from './cdc-sources.service';
import { CreateCdcSourceInput } from './dto/cdc-source.inputs';

@Resolver(() => CdcSourceModel)
export class CdcSourcesResolver {
  constructor(private readonly service: CdcSourcesService) {}

  @Query(() => [CdcSourceModel], { description: 'CDC sources with their live status.' })
  cdcSources() {
    return this.service.list();
  }

  @Query(() => CdcSourceModel)
  cdcSource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.get(id);
  }

  @Mutation(() => CdcSourceModel, { description: 'Register a Postgres database to capture.' })
  createCdcSource(@Args('input') input: CreateCdcSourceInput) {
    return this.service.create(input);
  }

  @Mutation(() => CdcSourceModel)
  pauseCdcSource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.pause(id);
  }

  @Mutation(() => CdcSourceModel)
  resumeCdcSource(@Args('id', { type: () => ID }, IdPipe) id: string) {
    return this.service.resume(id);
  }

  @Mutation(() => CdcCommandModel, { description: 'Read one table again while streaming goes on.' })
  resnapshotCdcTable(
    @Args('id', { type: () => ID }, IdPipe) id: string,
    @Args('table') table: string,
  ) {
    return this.service.resnapshot(id, table);
  }
}

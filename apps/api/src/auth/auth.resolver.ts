import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../common/id.pipe';
import { Actor, Origin } from './actor.decorator';
import { ApiTokensService } from './api-tokens.service';
import { Can } from './can.decorator';
import {
  ApiTokenModel,
  CreateApiTokenInput,
  CreatedApiTokenModel,
  MeModel,
} from './dto/auth.inputs';
import { CredentialsService } from './credentials.service';
import type { RequestOrigin, UserPrincipal } from './principal';

@Resolver(() => MeModel)
export class AuthResolver {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly tokens: ApiTokensService,
  ) {}

  @Query(() => MeModel, { description: 'The signed-in user and the roles they hold.' })
  @Can('account.manage', 'self')
  me(@Actor() actor: UserPrincipal) {
    return this.credentials.me(actor.userId, actor.csrfToken);
  }

  @Query(() => [ApiTokenModel], { description: 'Your personal API tokens (without secrets).' })
  @Can('account.manage', 'self')
  apiTokens(@Actor() actor: UserPrincipal) {
    return this.tokens.list(actor);
  }

  @Mutation(() => CreatedApiTokenModel, { description: 'A personal API token, shown this once.' })
  @Can('account.manage', 'self')
  createApiToken(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Args('input') input: CreateApiTokenInput,
  ) {
    return this.tokens.create(actor, input, origin);
  }

  @Mutation(() => ApiTokenModel, { description: 'Revokes one of your API tokens.' })
  @Can('account.manage', 'self')
  revokeApiToken(
    @Actor() actor: UserPrincipal,
    @Origin() origin: RequestOrigin,
    @Args('id', { type: () => ID }, IdPipe) id: string,
  ) {
    return this.tokens.revoke(actor, id, origin);
  }
}

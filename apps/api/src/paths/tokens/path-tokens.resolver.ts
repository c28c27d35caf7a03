import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor, Origin } from '../../auth/actor.decorator';
import { Can, inArgs } from '../../auth/can.decorator';
import type { Principal, RequestOrigin } from '../../auth/principal';
import { IdPipe } from '../../common/id.pipe';
import { CreatedPathTokenModel, CreatePathTokenInput, PathTokenModel } from './path-token.model';
import { PathTokensService } from './path-tokens.service';

@Resolver(() => PathTokenModel)
export class PathTokensResolver {
  constructor(private readonly service: PathTokensService) {}

  @Query(() => [PathTokenModel], { description: 'Tokens of a path (without their secrets).' })
  @Can('path.read', inArgs('path', 'pathId'))
  pathTokens(@Args('pathId', { type: () => ID }, IdPipe) pathId: string) {
    return this.service.list(pathId);
  }

  @Mutation(() => CreatedPathTokenModel, {
    description: 'A new token; its secret is shown this once.',
  })
  @Can('path.manage', inArgs('path', 'pathId'))
  createPathToken(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('pathId', { type: () => ID }, IdPipe) pathId: string,
    @Args('input') input: CreatePathTokenInput,
  ) {
    return this.service.create(actor, origin, pathId, input.name);
  }

  @Mutation(() => PathTokenModel, { description: 'Revokes a token.' })
  @Can('path.manage', inArgs('path', 'pathId'))
  revokePathToken(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Args('pathId', { type: () => ID }, IdPipe) pathId: string,
    @Args('tokenId', { type: () => ID }, IdPipe) tokenId: string,
  ) {
    return this.service.revoke(actor, origin, pathId, tokenId);
  }
}

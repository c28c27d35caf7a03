import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { IdPipe } from '../../common/id.pipe';
import { CreatedPathTokenModel, CreatePathTokenInput, PathTokenModel } from './path-token.model';
import { PathTokensService } from './path-tokens.service';

@Resolver(() => PathTokenModel)
export class PathTokensResolver {
  constructor(private readonly service: PathTokensService) {}

  @Query(() => [PathTokenModel], { description: 'Tokens of a path (without their secrets).' })
  pathTokens(@Args('pathId', { type: () => ID }, IdPipe) pathId: string) {
    return this.service.list(pathId);
  }

  @Mutation(() => CreatedPathTokenModel, {
    description: 'A new token; its secret is shown this once.',
  })
  createPathToken(
    @Args('pathId', { type: () => ID }, IdPipe) pathId: string,
    @Args('input') input: CreatePathTokenInput,
  ) {
    return this.service.create(pathId, input.name);
  }

  @Mutation(() => PathTokenModel, { description: 'Revokes a token.' })
  revokePathToken(
    @Args('pathId', { type: () => ID }, IdPipe) pathId: string,
    @Args('tokenId', { type: () => ID }, IdPipe) tokenId: string,
  ) {
    return this.service.revoke(pathId, tokenId);
  }
}

import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, Origin } from '../../auth/actor.decorator';
import { Can, inRoute } from '../../auth/can.decorator';
import type { Principal, RequestOrigin } from '../../auth/principal';
import { IdPipe } from '../../common/id.pipe';
import { CreatedPathTokenModel, CreatePathTokenInput, PathTokenModel } from './path-token.model';
import { PathTokensService } from './path-tokens.service';

@ApiTags('paths')
@Controller('paths/:pathId/tokens')
export class PathTokensController {
  constructor(private readonly service: PathTokensService) {}

  @Get()
  @Can('path.read', inRoute('path', 'pathId'))
  @ApiOperation({ summary: 'Tokens of a path (without their secrets).' })
  @ApiOkResponse({ type: PathTokenModel, isArray: true })
  list(@Param('pathId', IdPipe) pathId: string) {
    return this.service.list(pathId);
  }

  @Post()
  @Can('path.manage', inRoute('path', 'pathId'))
  @ApiOperation({ summary: 'Create a token; the answer holds its secret, shown this once.' })
  @ApiOkResponse({ type: CreatedPathTokenModel })
  create(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('pathId', IdPipe) pathId: string,
    @Body() input: CreatePathTokenInput,
  ) {
    return this.service.create(actor, origin, pathId, input.name);
  }

  @Delete(':tokenId')
  @Can('path.manage', inRoute('path', 'pathId'))
  @ApiOperation({ summary: 'Revoke a token: writes with it are refused from now on.' })
  @ApiOkResponse({ type: PathTokenModel })
  revoke(
    @Actor() actor: Principal,
    @Origin() origin: RequestOrigin,
    @Param('pathId', IdPipe) pathId: string,
    @Param('tokenId', IdPipe) tokenId: string,
  ) {
    return this.service.revoke(actor, origin, pathId, tokenId);
  }
}

import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdPipe } from '../../common/id.pipe';
import { CreatedPathTokenModel, CreatePathTokenInput, PathTokenModel } from './path-token.model';
import { PathTokensService } from './path-tokens.service';

@ApiTags('paths')
@Controller('paths/:pathId/tokens')
export class PathTokensController {
  constructor(private readonly service: PathTokensService) {}

  @Get()
  @ApiOperation({ summary: 'Tokens of a path (without their secrets).' })
  @ApiOkResponse({ type: PathTokenModel, isArray: true })
  list(@Param('pathId', IdPipe) pathId: string) {
    return this.service.list(pathId);
  }

  @Post()
  @ApiOperation({ summary: 'Create a token; the answer holds its secret, shown this once.' })
  @ApiOkResponse({ type: CreatedPathTokenModel })
  create(@Param('pathId', IdPipe) pathId: string, @Body() input: CreatePathTokenInput) {
    return this.service.create(pathId, input.name);
  }

  @Delete(':tokenId')
  @ApiOperation({ summary: 'Revoke a token: writes with it are refused from now on.' })
  @ApiOkResponse({ type: PathTokenModel })
  revoke(@Param('pathId', IdPipe) pathId: string, @Param('tokenId', IdPipe) tokenId: string) {
    return this.service.revoke(pathId, tokenId);
  }
}

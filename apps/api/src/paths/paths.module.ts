import { Module } from '@nestjs/common';
import { PathsController } from './paths.controller';
import { PathsRepository } from './paths.repository';
import { PathsResolver } from './paths.resolver';
import { PathsService } from './paths.service';
import { PathTokensController } from './tokens/path-tokens.controller';
import { PathTokensRepository } from './tokens/path-tokens.repository';
import { PathTokensResolver } from './tokens/path-tokens.resolver';
import { PathTokensService } from './tokens/path-tokens.service';

@Module({
  controllers: [PathsController, PathTokensController],
  providers: [
    PathsService,
    PathsRepository,
    PathsResolver,
    PathTokensService,
    PathTokensRepository,
    PathTokensResolver,
  ],
  exports: [PathsService],
})
export class PathsModule {}

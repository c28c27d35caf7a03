import { Module } from '@nestjs/common';
import { PathsController } from './paths.controller';
import { PathsRepository } from './paths.repository';
import { PathsResolver } from './paths.resolver';
import { PathsService } from './paths.service';

@Module({
  controllers: [PathsController],
  providers: [PathsService, PathsRepository, PathsResolver],
  exports: [PathsService],
})
export class PathsModule {}

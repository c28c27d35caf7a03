import { Module } from '@nestjs/common';
import { NodesController } from './nodes.controller';
import { NodesRepository } from './nodes.repository';
import { NodesResolver } from './nodes.resolver';
import { NodesService } from './nodes.service';

@Module({
  controllers: [NodesController],
  providers: [NodesService, NodesRepository, NodesResolver],
  exports: [NodesService],
})
export class NodesModule {}

import { Module } from '@nestjs/common';
import { JobsPlatform } from './jobs-platform';
import { JobsController } from './jobs.controller';
import { JobsRepository } from './jobs.repository';
import { JobsResolver } from './jobs.resolver';
import { JobsService } from './jobs.service';

@Module({
  controllers: [JobsController],
  providers: [JobsService, JobsRepository, JobsResolver, JobsPlatform],
  exports: [JobsPlatform, JobsService],
})
export class JobsModule {}

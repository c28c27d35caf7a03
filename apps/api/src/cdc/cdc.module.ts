import { Module } from '@nestjs/common';
import { CdcSourcesController } from './cdc-sources.controller';
import { CdcSourcesRepository } from './cdc-sources.repository';
import { CdcSourcesResolver } from './cdc-sources.resolver';
import { CdcSourcesService } from './cdc-sources.service';

@Module({
  controllers: [CdcSourcesController],
  providers: [CdcSourcesService, CdcSourcesRepository, CdcSourcesResolver],
})
export class CdcModule {}

import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { BillingController } from './billing.controller';
import { BillingRepository } from './billing.repository';
import { BillingResolver } from './billing.resolver';
import { BillingService } from './billing.service';

@Module({
  imports: [JobsModule],
  controllers: [BillingController],
  providers: [BillingService, BillingRepository, BillingResolver],
})
export class BillingModule {}

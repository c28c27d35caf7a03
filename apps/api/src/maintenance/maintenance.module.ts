import { Module } from '@nestjs/common';
import {
  AlertsController,
  MaintenanceOrdersController,
  RemainingLifeController,
} from './maintenance.controller';
import { MaintenanceRepository } from './maintenance.repository';
import { MaintenanceResolver } from './maintenance.resolver';
import { MaintenanceService } from './maintenance.service';

@Module({
  controllers: [AlertsController, MaintenanceOrdersController, RemainingLifeController],
  providers: [MaintenanceService, MaintenanceRepository, MaintenanceResolver],
})
export class MaintenanceModule {}

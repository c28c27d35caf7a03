import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module';
import { LightCurvesController } from './lightcurves.controller';
import { LightCurvesRepository } from './lightcurves.repository';
import { LightCurvesService } from './lightcurves.service';

@Module({
  imports: [JobsModule],
  controllers: [LightCurvesController],
  providers: [LightCurvesService, LightCurvesRepository],
})
export class LightCurvesModule {}

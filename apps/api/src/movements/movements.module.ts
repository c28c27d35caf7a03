import { Module } from '@nestjs/common';
import { MovementsController } from './movements.controller';
import { MovementsRepository } from './movements.repository';
import { MovementsResolver } from './movements.resolver';
import { MovementsService } from './movements.service';

@Module({
  controllers: [MovementsController],
  providers: [MovementsService, MovementsRepository, MovementsResolver],
})
export class MovementsModule {}

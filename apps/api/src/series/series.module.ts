import { Module } from '@nestjs/common';
import { SeriesController } from './series.controller';
import { SeriesResolver } from './series.resolver';
import { SeriesService } from './series.service';

@Module({ controllers: [SeriesController], providers: [SeriesService, SeriesResolver] })
export class SeriesModule {}

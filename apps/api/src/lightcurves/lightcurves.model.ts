import { ApiProperty } from '@nestjs/swagger';

export class ImportedSeriesModel {
  @ApiProperty({ description: 'Series id (digits).' })
  id!: string;

  @ApiProperty({ example: 'pdcsap_flux' })
  field!: string;

  @ApiProperty({ description: 'Points written.' })
  points!: number;

  @ApiProperty({ description: 'Points at new timestamps (accounted as a movement).' })
  newPoints!: number;
}

export class LightCurveImportModel {
  @ApiProperty({ format: 'uuid' })
  starId!: string;

  @ApiProperty({ example: 'KIC 10666592' })
  starName!: string;

  @ApiProperty({ description: 'Whether the import created the star node.' })
  createdStar!: boolean;

  @ApiProperty({ type: ImportedSeriesModel, isArray: true })
  series!: ImportedSeriesModel[];

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'What the file says: catalogue id, mission, time reference, rows kept.',
  })
  meta!: Record<string, unknown>;
}

export class KoiMatchModel {
  @ApiProperty({ example: 'K00002.01' })
  kepoiName!: string;

  @ApiProperty({ example: 'Kepler-2 b' })
  keplerName!: string;

  @ApiProperty({ example: 'CONFIRMED' })
  disposition!: string;

  @ApiProperty()
  catalogPeriod!: number;

  @ApiProperty({ description: 'Candidate period / catalogue period (1, 0.5 or 2).' })
  harmonic!: number;

  @ApiProperty()
  periodError!: number;

  @ApiProperty()
  epochOffsetHours!: number;
}

export class TransitCandidateModel {
  @ApiProperty({ format: 'uuid', description: 'The item.' })
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ format: 'uuid' })
  starId!: string;

  @ApiProperty({ format: 'uuid', description: 'The transit-search run that found it.' })
  runId!: string;

  @ApiProperty()
  rank!: number;

  @ApiProperty({ description: 'Days.' })
  period!: number;

  @ApiProperty({ description: 'First mid-transit, days on the time scale of timeReference.' })
  epoch!: number;

  @ApiProperty({ example: 'BJD-2454833' })
  timeReference!: string;

  @ApiProperty()
  depthPpm!: number;

  @ApiProperty()
  durationHours!: number;

  @ApiProperty()
  snr!: number;

  @ApiProperty({ description: 'Signal detection efficiency: (peak − mean) / σ of the power.' })
  sde!: number;

  @ApiProperty({ description: 'The same with median and MAD: what the threshold applies to.' })
  sdeRobust!: number;

  @ApiProperty()
  transits!: number;

  @ApiProperty({ description: 'Matches a confirmed planet of the KOI catalogue at its period.' })
  knownPlanet!: boolean;

  @ApiProperty({ type: KoiMatchModel, nullable: true })
  koi!: KoiMatchModel | null;

  @ApiProperty()
  createdAt!: Date;
}

export class PeriodogramChartModel {
  @ApiProperty({ type: Number, isArray: true, description: 'Trial periods, days.' })
  period!: number[];

  @ApiProperty({ type: Number, isArray: true, description: 'BLS power (log likelihood).' })
  power!: number[];
}

export class FoldedCurveModel {
  @ApiProperty({ type: Number, isArray: true, description: 'Bin centres, hours from transit.' })
  phaseHours!: number[];

  @ApiProperty({ type: Number, isArray: true, description: 'Mean relative flux of the bin.' })
  flux!: number[];

  @ApiProperty({ type: Number, isArray: true, description: 'Points in the bin.' })
  count!: number[];
}

export class TransitCandidateDetailModel extends TransitCandidateModel {
  @ApiProperty({ type: PeriodogramChartModel })
  periodogram!: PeriodogramChartModel;

  @ApiProperty({ type: FoldedCurveModel })
  folded!: FoldedCurveModel;
}

export class TransitCandidateListModel {
  @ApiProperty({ type: TransitCandidateModel, isArray: true })
  items!: TransitCandidateModel[];
}

export class TransitSearchSubmittedModel {
  @ApiProperty({ format: 'uuid', description: 'The run (GET /api/jobs/runs/{id}).' })
  runId!: string;

  @ApiProperty({ example: 'queued' })
  state!: string;
}

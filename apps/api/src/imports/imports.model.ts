import { ApiProperty } from '@nestjs/swagger';

export class ImportedEngineModel {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() unit!: number;
  @ApiProperty() cycles!: number;
  @ApiProperty({ description: 'Whether this import created the machine node.' })
  created!: boolean;
}

export class CmapssImportModel {
  @ApiProperty({ format: 'uuid' }) parentId!: string;
  @ApiProperty() fleet!: string;
  @ApiProperty({ enum: ['run-to-failure', 'in-service'] }) history!: string;
  @ApiProperty({ type: ImportedEngineModel, isArray: true }) engines!: ImportedEngineModel[];
  @ApiProperty({ description: 'Series written (one per engine and column).' }) series!: number;
  @ApiProperty() points!: number;
  @ApiProperty({ description: 'Points at timestamps not held before (accounted as movements).' })
  newPoints!: number;
}

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

export class ImportedNodeModel {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'Whether this import created the node.' }) created!: boolean;
}

export class ImportedColumnModel {
  @ApiProperty({ nullable: true, type: String, description: 'Null when the file had no value.' })
  id!: string | null;
  @ApiProperty() field!: string;
  @ApiProperty({ description: 'Reference of the resource.' }) resource!: string;
  @ApiProperty() unit!: string;
  @ApiProperty() points!: number;
  @ApiProperty({ description: 'Points at timestamps not held before (accounted as movements).' })
  newPoints!: number;
}

export class WindScadaImportModel {
  @ApiProperty({ type: ImportedNodeModel }) turbine!: ImportedNodeModel;
  @ApiProperty() rows!: number;
  @ApiProperty({ description: "First row's time (the file's local times read as UTC)." })
  from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: ImportedColumnModel, isArray: true }) series!: ImportedColumnModel[];
}

export class InverterIdentityModel {
  @ApiProperty({ enum: ['source-key', 'total-yield'] }) method!: string;
  @ApiProperty({
    description:
      "Share of inverter-days on which the lifetime counter grows by exactly the day's DAILY_YIELD (evidence of the reconstruction).",
  })
  dailyYieldAgreement!: number;
}

export class ImportedInverterModel extends ImportedNodeModel {
  @ApiProperty() rows!: number;
  @ApiProperty({ type: ImportedColumnModel, isArray: true }) series!: ImportedColumnModel[];
}

export class SolarGenerationImportModel {
  @ApiProperty({ type: ImportedNodeModel }) plant!: ImportedNodeModel;
  @ApiProperty({ description: "The file's PLANT_ID." }) plantId!: string;
  @ApiProperty() rows!: number;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: InverterIdentityModel }) identity!: InverterIdentityModel;
  @ApiProperty({ type: ImportedInverterModel, isArray: true })
  inverters!: ImportedInverterModel[];
}

export class SolarWeatherImportModel {
  @ApiProperty({ type: ImportedNodeModel }) plant!: ImportedNodeModel;
  @ApiProperty() plantId!: string;
  @ApiProperty({ type: ImportedNodeModel }) sensor!: ImportedNodeModel;
  @ApiProperty() rows!: number;
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
  @ApiProperty({ type: ImportedColumnModel, isArray: true }) series!: ImportedColumnModel[];
}

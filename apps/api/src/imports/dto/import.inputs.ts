import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsIn,
  IsNumber,
  IsOptional,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

export class ImportCmapssArgs {
  @ApiPropertyOptional({
    description: "Fleet name, part of the engines' names (default FD001).",
    example: 'FD001',
  })
  @IsOptional()
  @Matches(/^[\w.-]{1,40}$/, { message: 'must be 1-40 letters, digits, dots or dashes' })
  fleet?: string;

  @ApiPropertyOptional({
    enum: ['run-to-failure', 'in-service'],
    description:
      'run-to-failure (train_FD00x: each engine runs until it fails; rul-train learns from them) or in-service (histories cut before failure; rul-predict estimates them). Default run-to-failure.',
  })
  @IsOptional()
  @IsIn(['run-to-failure', 'in-service'])
  history?: 'run-to-failure' | 'in-service';

  @ApiPropertyOptional({ description: 'Hours per cycle (default 8).', minimum: 0.01, maximum: 720 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber()
  @Min(0.01)
  @Max(720)
  cycleHours?: number;

  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When cycle 1 happened (default: 2025-01-01 for run-to-failure engines; for in-service ones, so that the last cycle is today 00:00 UTC). An engine imported before keeps its dating.',
  })
  @IsOptional()
  @IsDateString({ strict: true })
  firstCycleAt?: string;
}

export class ImportWindScadaArgs {
  @ApiPropertyOptional({
    description: "The turbine's name, unique under the parent (default T1).",
    example: 'T1',
  })
  @IsOptional()
  @Matches(/^\S(.*\S)?$/, { message: 'must not be blank or start or end with a space' })
  @MaxLength(100)
  turbine?: string;
}

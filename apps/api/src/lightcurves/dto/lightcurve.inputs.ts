import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class ImportLightCurveArgs {
  @ApiProperty({ format: 'uuid', description: 'The node the star goes under (an observatory).' })
  @IsUUID('all')
  parentId!: string;

  @ApiPropertyOptional({ description: "The star's name (default: the file's OBJECT card)." })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

/** Parameters of a transit search; absent ones take the job type's defaults. */
export class TransitSearchInput {
  @ApiPropertyOptional({ description: 'Shortest trial period, days (default 0.5).' })
  @IsOptional()
  @IsNumber()
  @Min(0.2)
  @Max(100)
  minPeriod?: number;

  @ApiPropertyOptional({ description: 'Longest trial period, days (default: half the data).' })
  @IsOptional()
  @IsNumber()
  @Min(0.3)
  @Max(1000)
  maxPeriod?: number;

  @ApiPropertyOptional({ description: 'Trial durations in hours, e.g. "1,2,3".' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  durationsHours?: string;

  @ApiPropertyOptional({ description: 'Most candidates (rounds of search), default 3.' })
  @IsOptional()
  @IsNumber()
  @Min(1)
  @Max(6)
  maxPlanets?: number;

  @ApiPropertyOptional({ description: 'Running-median window of the detrending, days.' })
  @IsOptional()
  @IsNumber()
  @Min(0.1)
  @Max(10)
  detrendWindowDays?: number;
}

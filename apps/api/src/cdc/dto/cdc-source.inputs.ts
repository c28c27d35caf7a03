import { Field, InputType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  BooleanField,
  BooleanQueryField,
  IdField,
  JsonObjectField,
  NameField,
  PatternField,
} from '../../common/fields';
import { cdcNamePattern } from '@sextant/cdc';

const sourceName = cdcNamePattern;
const tableName = /^[^\s.,]+(\.[^\s.,]+)?$/;
const nameMessage = 'must be 1-63 characters of a-z, 0-9 and _';

@InputType({ description: 'A Postgres database to capture, registered as a path of protocol cdc.' })
export class CreateCdcSourceInput {
  @PatternField(sourceName, nameMessage, {
    isString: true,
    example: 'erp',
    description: 'Names the mirror schema lake_<name>: [a-z0-9_], 1-63 characters.',
  })
  name!: string;

  @NameField({ optional: true, description: 'The path\'s name; default "CDC <name>".' })
  pathName?: string;

  @IdField({ description: 'The database node (movements come from it).' })
  sourceId!: string;

  @IdField({ description: 'The lake node (movements go to it).' })
  destinationId!: string;

  @Field({
    description:
      'postgres:// URL of the source; its user needs REPLICATION. Stored encrypted, never shown again.',
  })
  @ApiProperty({ example: 'postgresql://replicator:secret@erp-db:5432/erp' })
  @IsString()
  @MaxLength(2000)
  @Matches(/^postgres(ql)?:\/\/./, { message: 'must be a postgres:// or postgresql:// URL' })
  connectionString!: string;

  @Field(() => [String], { description: 'Tables to capture: schema.table, or table in public.' })
  @ApiProperty({ type: String, isArray: true, example: ['public.orders'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @Matches(tableName, { each: true, message: 'each must be a table or schema.table name' })
  tables!: string[];

  @JsonObjectField({
    optional: true,
    description: 'Key columns of tables without a primary key: {"schema.table": ["column"]}.',
  })
  keys?: Record<string, string[]>;

  @PatternField(sourceName, nameMessage, {
    optional: true,
    description: 'Replication slot; default sextant_<name>.',
  })
  slot?: string;

  @PatternField(sourceName, nameMessage, {
    optional: true,
    description: 'Publication; default sextant_<name>.',
  })
  publication?: string;

  @BooleanField({ optional: true, description: 'Create it paused (default: start at once).' })
  paused?: boolean;
}

@InputType({ description: 'A table to read again from the source, while streaming goes on.' })
export class ResnapshotInput {
  @PatternField(tableName, 'must be a table or schema.table name', {
    isString: true,
    example: 'public.orders',
    description: "schema.table, one of the source's tables.",
  })
  table!: string;
}

@InputType({ description: "Dead letters to replay; all of the source's when ids is absent." })
export class ReplayDeadLettersInput {
  @Field(() => [String], { nullable: true })
  @ApiPropertyOptional({ type: String, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true })
  ids?: string[];
}

// Query parameters of REST routes only (the GraphQL mutations take no such options).

export class DropCdcSourceArgs {
  @BooleanQueryField(
    'Forget the source even if its slot cannot be dropped (it then keeps pinning WAL on the source).',
  )
  force?: string;

  @BooleanQueryField('Also drop the mirror schema lake_<name>.')
  dropMirror?: string;
}

export class LagArgs {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 1440,
    default: 60,
    description: 'Minutes back from now (default 60, at most 1440).',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1440)
  minutes?: number;
}

export class DeadLetterArgs {
  @BooleanQueryField('Include dead letters already replayed.')
  includeReplayed?: string;
}

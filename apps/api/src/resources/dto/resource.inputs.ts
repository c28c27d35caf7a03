import { ArgsType, Field, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { valueTypes } from '@sextant/domain';
import { IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IsDecimalString } from '../../common/decimal';
import { EnumField, NameField, ReferenceField } from '../../common/fields';
import { ValueTypeEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { PartialInput } from '../../common/partial-input';

type ValueTypeName = (typeof valueTypes)[number];

@InputType({ description: 'A new resource.' })
export class CreateResourceInput {
  @ReferenceField({ description: 'Unique, e.g. vibration.rms.' })
  reference!: string;

  @NameField()
  name!: string;

  @Field()
  @ApiProperty({ maxLength: 40 })
  @IsString()
  @IsNotEmpty()
  @MaxLength(40)
  unit!: string;

  @EnumField(valueTypes, ValueTypeEnum)
  valueType!: ValueTypeName;

  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: String, example: '0.00001' })
  @IsOptional()
  @IsDecimalString()
  unitPrice?: string;

  @Field(() => Int, { nullable: true, description: 'Days of data kept; absent keeps everything.' })
  @ApiPropertyOptional({ minimum: 1, maximum: 36500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(36_500)
  retentionDays?: number;
}

@InputType({ description: 'Changes to a resource; absent fields are kept.' })
export class UpdateResourceInput extends PartialInput(CreateResourceInput) {}

@ArgsType()
export class ListResourcesArgs extends ListArgs {
  @EnumField(valueTypes, ValueTypeEnum, { optional: true })
  valueType?: ValueTypeName;
}

import { ArgsType, InputType } from '@nestjs/graphql';
import { valueTypes } from '@sextant/domain';
import {
  DecimalField,
  EnumField,
  IntField,
  NameField,
  ReferenceField,
  TextField,
} from '../../common/fields';
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

  @TextField({ maxLength: 40, notEmpty: true })
  unit!: string;

  @EnumField(valueTypes, ValueTypeEnum)
  valueType!: ValueTypeName;

  @TextField({ optional: true, maxLength: 2000 })
  description?: string;

  @DecimalField({ optional: true, example: '0.00001' })
  unitPrice?: string;

  @IntField({
    optional: true,
    min: 1,
    max: 36_500,
    description: 'Days of data kept; absent keeps everything.',
  })
  retentionDays?: number;
}

@InputType({ description: 'Changes to a resource; absent fields are kept.' })
export class UpdateResourceInput extends PartialInput(CreateResourceInput) {}

@ArgsType()
export class ListResourcesArgs extends ListArgs {
  @EnumField(valueTypes, ValueTypeEnum, { optional: true })
  valueType?: ValueTypeName;
}

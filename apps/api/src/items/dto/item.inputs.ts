import { ArgsType, InputType } from '@nestjs/graphql';
import { itemKinds } from '@sextant/domain';
import {
  EnumField,
  IdField,
  JsonObjectField,
  NameField,
  ReferenceField,
} from '../../common/fields';
import { ItemKindEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { PartialInput } from '../../common/partial-input';

type Kind = (typeof itemKinds)[number];

@InputType({ description: 'A new item.' })
export class CreateItemInput {
  @EnumField(itemKinds, ItemKindEnum)
  kind!: Kind;

  @ReferenceField()
  reference!: string;

  @NameField()
  name!: string;

  @IdField({ description: 'The node that owns the item.' })
  ownerId!: string;

  @JsonObjectField({ optional: true })
  metadata?: Record<string, unknown>;
}

@InputType({ description: 'Changes to an item; absent fields are kept.' })
export class UpdateItemInput extends PartialInput(CreateItemInput) {}

@ArgsType()
export class ListItemsArgs extends ListArgs {
  @EnumField(itemKinds, ItemKindEnum, { optional: true })
  kind?: Kind;

  @IdField({ optional: true })
  ownerId?: string;
}

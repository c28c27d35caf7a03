import { ArgsType, InputType } from '@nestjs/graphql';
import { pathProtocols, pathStates } from '@sextant/domain';
import { EnumField, IdField, JsonObjectField, NameField } from '../../common/fields';
import { PathProtocolEnum, PathStateEnum } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';
import { PartialInput } from '../../common/partial-input';

type Protocol = (typeof pathProtocols)[number];
type State = (typeof pathStates)[number];

@InputType({ description: 'A new path.' })
export class CreatePathInput {
  @NameField()
  name!: string;

  @IdField()
  sourceId!: string;

  @IdField()
  destinationId!: string;

  @EnumField(pathProtocols, PathProtocolEnum)
  protocol!: Protocol;

  @EnumField(pathStates, PathStateEnum, { optional: true, description: 'Default: active.' })
  state?: State;

  @JsonObjectField({ optional: true, description: 'Resource mapping rules.' })
  mapping?: Record<string, unknown>;

  @JsonObjectField({ optional: true })
  settings?: Record<string, unknown>;
}

@InputType({ description: 'Changes to a path; absent fields are kept.' })
export class UpdatePathInput extends PartialInput(CreatePathInput) {}

@ArgsType()
export class ListPathsArgs extends ListArgs {
  @IdField({ optional: true })
  sourceId?: string;

  @IdField({ optional: true })
  destinationId?: string;

  @IdField({ optional: true, description: 'Paths with this node as source or destination.' })
  nodeId?: string;

  @EnumField(pathProtocols, PathProtocolEnum, { optional: true })
  protocol?: Protocol;

  @EnumField(pathStates, PathStateEnum, { optional: true })
  state?: State;
}

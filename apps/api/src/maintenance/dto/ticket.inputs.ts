import { ArgsType, InputType } from '@nestjs/graphql';
import { maintenancePriorities, maintenanceStates } from '@sextant/domain';
import {
  DateTimeField,
  EnumField,
  IdField,
  JsonObjectField,
  NameField,
  TextField,
} from '../../common/fields';
import { PageArgs } from '../../common/list.args';
import { MaintenancePriorityEnum, MaintenanceStateEnum } from '../ticket.model';

type Priority = (typeof maintenancePriorities)[number];
type State = (typeof maintenanceStates)[number];

@InputType({ description: 'An alert on a machine.' })
export class CreateAlertInput {
  @IdField({ description: "The machine's node." })
  nodeId!: string;

  @NameField({ description: 'What is wrong, in a line.' })
  title!: string;

  @EnumField(maintenancePriorities, MaintenancePriorityEnum, {
    optional: true,
    description: 'Default medium.',
  })
  priority?: Priority;

  @TextField({ optional: true, maxLength: 4000 })
  description?: string;

  @DateTimeField({ optional: true, description: 'Start of the predicted failure window.' })
  failureFrom?: string;

  @DateTimeField({ optional: true, description: 'End of the predicted failure window.' })
  failureTo?: string;

  @JsonObjectField({ optional: true })
  metadata?: Record<string, unknown>;
}

@InputType({ description: 'A maintenance order on a machine.' })
export class CreateMaintenanceOrderInput extends CreateAlertInput {
  @DateTimeField({ optional: true, description: 'When the work is planned.' })
  plannedFor?: string;

  @IdField({
    optional: true,
    description: 'The alert it answers (an open alert becomes planned; done with the order).',
  })
  alertId?: string;
}

@InputType({ description: 'Changes to an alert or order; absent fields are kept.' })
export class UpdateTicketInput {
  @NameField({ optional: true })
  title?: string;

  @EnumField(maintenancePriorities, MaintenancePriorityEnum, { optional: true })
  priority?: Priority;

  @TextField({ optional: true, maxLength: 4000 })
  description?: string;

  @DateTimeField({ optional: true })
  failureFrom?: string;

  @DateTimeField({ optional: true })
  failureTo?: string;

  @DateTimeField({ optional: true, description: 'Orders: when the work is planned.' })
  plannedFor?: string;

  @JsonObjectField({ optional: true })
  metadata?: Record<string, unknown>;
}

@InputType({ description: 'The state to move a ticket to.' })
export class TicketStateInput {
  @EnumField(maintenanceStates, MaintenanceStateEnum, {
    description: 'open -> planned -> done; planned -> open.',
  })
  state!: State;
}

@ArgsType()
export class ListTicketsArgs extends PageArgs {
  @EnumField(maintenanceStates, MaintenanceStateEnum, { optional: true })
  state?: State;

  @EnumField(maintenancePriorities, MaintenancePriorityEnum, { optional: true })
  priority?: Priority;

  @IdField({ optional: true, description: 'On this node or a node under it.' })
  nodeId?: string;
}

@ArgsType()
export class RemainingLifeArgs {
  @IdField({ optional: true, description: 'Machines under this node (default: all).' })
  nodeId?: string;
}

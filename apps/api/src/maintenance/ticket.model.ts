import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { maintenancePriorities, maintenanceStates } from '@sextant/domain';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Connection } from '../common/graphql-types';

function enumObject<T extends string>(values: readonly T[]): Record<T, T> {
  return Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
}

export const MaintenanceStateEnum = enumObject(maintenanceStates);
export const MaintenancePriorityEnum = enumObject(maintenancePriorities);
registerEnumType(MaintenanceStateEnum, {
  name: 'MaintenanceState',
  description: 'open -> planned -> done (planned may go back to open); done is final.',
});
registerEnumType(MaintenancePriorityEnum, { name: 'MaintenancePriority' });

export type TicketKind = 'alert' | 'maintenance_order';

@ObjectType('MaintenanceTicket', {
  description: "An alert or a maintenance order on a machine's node.",
})
export class TicketModel {
  @Field(() => ID, { description: 'The id of its item.' })
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => String, { description: 'alert or maintenance_order.' })
  @ApiProperty({ enum: ['alert', 'maintenance_order'] })
  kind!: TicketKind;

  @Field()
  @ApiProperty()
  reference!: string;

  @Field()
  @ApiProperty()
  title!: string;

  @Field(() => ID, { description: "The machine's node." })
  @ApiProperty({ format: 'uuid' })
  nodeId!: string;

  @Field()
  @ApiProperty()
  nodeName!: string;

  @Field(() => MaintenanceStateEnum)
  @ApiProperty({ enum: maintenanceStates })
  state!: (typeof maintenanceStates)[number];

  @Field(() => MaintenancePriorityEnum)
  @ApiProperty({ enum: maintenancePriorities })
  priority!: (typeof maintenancePriorities)[number];

  @Field()
  @ApiProperty()
  description!: string;

  @Field(() => Date, { nullable: true, description: 'Start of the predicted failure window.' })
  @ApiProperty({ type: Date, nullable: true })
  failureFrom!: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the predicted failure window.' })
  @ApiProperty({ type: Date, nullable: true })
  failureTo!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  plannedFor!: Date | null;

  @Field(() => Date, { nullable: true })
  @ApiProperty({ type: Date, nullable: true })
  doneAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'For an order: the alert it answers.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  alertId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The run that raised it.' })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  runId!: string | null;

  @Field(() => GraphQLJSONObject)
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;

  @Field()
  @ApiProperty()
  createdAt!: Date;

  @Field()
  @ApiProperty()
  updatedAt!: Date;
}

export const TicketConnection = Connection(TicketModel, 'MaintenanceTicketConnection');

@ObjectType('RemainingLifeEstimate', { description: 'A remaining-useful-life estimate.' })
export class EstimateModel {
  @Field()
  @ApiProperty()
  at!: Date;

  @Field(() => Float)
  @ApiProperty()
  remaining!: number;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  lower!: number | null;

  @Field(() => Float, { nullable: true })
  @ApiProperty({ type: Number, nullable: true })
  upper!: number | null;

  @Field({ description: 'cycles, hours, days...' })
  @ApiProperty()
  unit!: string;

  @Field(() => Float, { nullable: true, description: '1 = as new, 0 = failed.' })
  @ApiProperty({ type: Number, nullable: true })
  health!: number | null;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  modelItemId!: string | null;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  runId!: string | null;
}

@ObjectType('MachineRemainingLife', {
  description: 'A machine with its latest remaining-life estimate and what is open on it.',
})
export class MachineLifeModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  nodeId!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field()
  @ApiProperty()
  reference!: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentId!: string | null;

  @Field(() => EstimateModel, { nullable: true, description: 'Null: no analysis yet.' })
  @ApiProperty({ type: EstimateModel, nullable: true })
  estimate!: EstimateModel | null;

  @Field(() => Int)
  @ApiProperty()
  openAlerts!: number;

  @Field(() => Int, { description: 'Orders open or planned.' })
  @ApiProperty()
  activeOrders!: number;

  @Field(() => MaintenancePriorityEnum, {
    nullable: true,
    description: 'Highest priority among open alerts and active orders.',
  })
  @ApiProperty({ enum: maintenancePriorities, nullable: true })
  highestPriority!: (typeof maintenancePriorities)[number] | null;
}

import { ArgsType, Field, InputType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { movementOrigins } from '@sextant/domain';
import { IsDecimalString } from '../../common/decimal';
import { DateTimeField, DecimalField, EnumField, IdField, TextField } from '../../common/fields';
import { MovementOriginEnum, NodeRoleEnum, nodeRoles } from '../../common/graphql-types';
import { ListArgs } from '../../common/list.args';

type Origin = (typeof movementOrigins)[number];

@InputType({ description: 'A movement to record.' })
export class CreateMovementInput {
  @IdField()
  resourceId!: string;

  @IdField()
  sourceId!: string;

  @IdField()
  destinationId!: string;

  @IdField({ optional: true })
  itemId?: string;

  @IdField({ optional: true })
  pathId?: string;

  @IdField({
    optional: true,
    description:
      'The movement this one corrects (same resource, source and destination); a correction may be negative.',
  })
  correctsId?: string;

  @Field({
    description: 'Decimal, e.g. "86400"; negative only in a correction (with correctsId).',
  })
  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'number' }], example: '86400' })
  @IsDecimalString({ signed: true })
  quantity!: string;

  @DateTimeField()
  start!: string;

  @DateTimeField()
  stop!: string;

  @DecimalField({ optional: true })
  unitPrice?: string;

  @EnumField(movementOrigins, MovementOriginEnum, {
    optional: true,
    description: 'Default: manual.',
  })
  origin?: Origin;

  @TextField({
    optional: true,
    maxLength: 200,
    description: 'Idempotency key: a retry with the same key records nothing new.',
  })
  externalId?: string;
}

@ArgsType()
export class ListMovementsArgs extends ListArgs {
  @IdField({ optional: true })
  resourceId?: string;

  @IdField({ optional: true })
  nodeId?: string;

  @EnumField(nodeRoles, NodeRoleEnum, {
    optional: true,
    description: 'With nodeId: source, destination or either (default).',
  })
  nodeRole?: (typeof nodeRoles)[number];

  @IdField({ optional: true })
  pathId?: string;

  @EnumField(movementOrigins, MovementOriginEnum, { optional: true })
  origin?: Origin;

  @DateTimeField({ optional: true, description: 'Movements starting at or after this time.' })
  from?: string;

  @DateTimeField({ optional: true, description: 'Movements starting before this time.' })
  to?: string;
}

@ArgsType()
export class MovementSummaryArgs {
  @DateTimeField({ optional: true, description: 'Default: 31 days before `to`.' })
  from?: string;

  @DateTimeField({ optional: true, description: 'Default: now.' })
  to?: string;
}

/** GraphQL takes the node among the arguments (REST has it in the path). */
@ArgsType()
export class NodeMovementSummaryArgs extends MovementSummaryArgs {
  @IdField()
  nodeId!: string;
}

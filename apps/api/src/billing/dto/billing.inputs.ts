import { ArgsType, Field, ID, InputType, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { chargeModels } from '@sextant/billing';
import { movementOrigins } from '@sextant/domain';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  BooleanField,
  DateTimeField,
  DecimalField,
  EnumField,
  IdField,
  IntField,
  NameField,
  PatternField,
  TextField,
} from '../../common/fields';
import { PageArgs } from '../../common/list.args';
import {
  aggregations,
  BillingAggregationEnum,
  BillingPayerEnum,
  BillingRunModeEnum,
  BillingUniqueOfEnum,
  budgetKinds,
  BudgetKindEnum,
  cancelWhens,
  CancelWhenEnum,
  ChargeModelEnum,
  intervals,
  invoiceKinds,
  InvoiceKindEnum,
  invoiceStates,
  InvoiceStateEnum,
  payers,
  PlanIntervalEnum,
  runModes,
  seriesSteps,
  SeriesStepEnum,
  uniqueOfs,
} from '../billing.enums';

const code = /^[a-z][a-z0-9._-]{0,79}$/;
const codeRule = 'must be 1-80 of a-z, 0-9, . _ -, starting with a letter';

/** A list of short texts (origins, item kinds, address lines). */
function TextListField(options: { optional?: boolean; description?: string; maxItems: number }) {
  const { optional = true, description, maxItems } = options;
  return (target: object, key: string | symbol) => {
    Field(() => [String], { nullable: optional, description })(target, key);
    (optional ? ApiPropertyOptional : ApiProperty)({
      type: String,
      isArray: true,
      description,
    })(target, key);
    if (optional) IsOptional()(target, key);
    IsArray()(target, key);
    ArrayMaxSize(maxItems)(target, key);
    IsString({ each: true })(target, key);
    MaxLength(200, { each: true })(target, key);
  };
}

@InputType('CreateBillingMetricInput', { description: 'A billable metric over movements.' })
export class CreateMetricInput {
  @PatternField(code, codeRule, { isString: true, example: 'points' })
  code!: string;

  @NameField()
  name!: string;

  @TextField({ optional: true, maxLength: 2000 })
  description?: string;

  @TextField({ maxLength: 40, notEmpty: true, example: 'points' })
  unit!: string;

  @TextField({ optional: true, maxLength: 120, description: 'A resource by reference.' })
  resource?: string;

  @TextField({
    optional: true,
    maxLength: 120,
    description: 'Or resources by a reference pattern with *.',
  })
  resourcePattern?: string;

  @EnumField(payers, BillingPayerEnum, { optional: true, description: 'Default: destination.' })
  payer?: (typeof payers)[number];

  @TextListField({ maxItems: 10, description: 'Movement origins counted (default: all).' })
  origins?: (typeof movementOrigins)[number][];

  @Field(() => [ID], { nullable: true, description: 'Paths counted (default: all).' })
  @ApiPropertyOptional({ type: String, format: 'uuid', isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  pathIds?: string[];

  @TextListField({ maxItems: 10, description: 'Item kinds counted (default: all).' })
  itemKinds?: string[];

  @EnumField(aggregations, BillingAggregationEnum)
  aggregation!: (typeof aggregations)[number];

  @EnumField(uniqueOfs, BillingUniqueOfEnum, { optional: true })
  uniqueOf?: (typeof uniqueOfs)[number];

  @DecimalField({ optional: true, description: 'Quantities are divided by it (default 1).' })
  unitDivisor?: string;
}

@InputType('UpdateBillingMetricInput', {
  description: "A metric's name and description; its selection never changes.",
})
export class UpdateMetricInput {
  @NameField({ optional: true })
  name?: string;

  @TextField({ optional: true, maxLength: 2000 })
  description?: string;

  @BooleanField({ optional: true, description: 'Archived metrics are no longer rolled up.' })
  archived?: boolean;
}

@InputType('PriceTierInput')
export class TierInput {
  @DecimalField({ optional: true, description: 'Inclusive upper bound; null on the last tier.' })
  upTo?: string | null;

  @DecimalField()
  unitPrice!: string;

  @DecimalField({ optional: true })
  flatFee?: string;
}

@InputType('PlanChargeInput', { description: 'The price of one metric.' })
export class ChargeInputDto {
  @PatternField(code, codeRule, { isString: true, description: "The metric's code." })
  metric!: string;

  @EnumField(chargeModels, ChargeModelEnum)
  model!: (typeof chargeModels)[number];

  @DecimalField({ optional: true })
  unitPrice?: string;

  @Field(() => [TierInput], { nullable: true })
  @ApiPropertyOptional({ type: TierInput, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => TierInput)
  tiers?: TierInput[];

  @DecimalField({ optional: true })
  packageSize?: string;

  @DecimalField({ optional: true })
  packagePrice?: string;

  @DecimalField({ optional: true })
  includedQuantity?: string;

  @DecimalField({ optional: true })
  minimumAmount?: string;

  @DecimalField({ optional: true })
  capAmount?: string;

  @DecimalField({ optional: true, description: 'A hard quota per period.' })
  quota?: string;
}

/** Fields of a plan's first prices and of every later version. */
@InputType({ isAbstract: true })
class PricesInput {
  @DateTimeField({ description: 'A day boundary (00:00 UTC).' })
  effectiveFrom!: string;

  @DecimalField({ optional: true, description: "Required in a plan's own prices (0 for none)." })
  fixedFee?: string;

  @Field(() => [ChargeInputDto])
  @ApiProperty({ type: ChargeInputDto, isArray: true })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChargeInputDto)
  charges!: ChargeInputDto[];

  @TextField({ optional: true, maxLength: 500 })
  note?: string;
}

@InputType('AddPlanVersionInput', {
  description: "Prices from a date on: the plan's, or one organisation's override.",
})
export class AddPlanVersionInput extends PricesInput {
  @IdField({ optional: true, description: 'An override for this organisation only.' })
  organisationId?: string;
}

@InputType('CreatePlanInput', { description: 'A plan with its first prices.' })
export class CreatePlanInput extends PricesInput {
  @PatternField(code, codeRule, { isString: true, example: 'standard' })
  code!: string;

  @NameField()
  name!: string;

  @TextField({ optional: true, maxLength: 2000 })
  description?: string;

  @PatternField(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR', {
    isString: true,
    example: 'EUR',
  })
  currency!: string;

  @EnumField(intervals, PlanIntervalEnum)
  interval!: (typeof intervals)[number];
}

@InputType('UpdateBillingAccountInput', {
  description: 'What an organisation is billed as; taxRate and graceDays: platform admins only.',
})
export class UpdateAccountInput {
  @TextField({ optional: true, maxLength: 200 })
  legalName?: string;

  @TextListField({ maxItems: 8, description: 'Address lines.' })
  address?: string[];

  @TextField({ optional: true, maxLength: 60 })
  taxId?: string;

  @TextField({ optional: true, maxLength: 254 })
  email?: string;

  @DecimalField({ optional: true, description: 'A fraction: 0.2 is 20 % (platform admins).' })
  taxRate?: string;

  @IntField({ optional: true, min: 0, max: 60, description: 'Days (platform admins).' })
  graceDays?: number;
}

@InputType('SubscribeInput')
export class SubscribeInput {
  @IdField()
  planId!: string;

  @DateTimeField({ description: 'A day boundary (00:00 UTC).' })
  startsAt!: string;

  @IntField({ optional: true, min: 1, max: 31, description: 'Default: the start day.' })
  anchorDay?: number;

  @IntField({ optional: true, min: 0, max: 366 })
  trialDays?: number;
}

@InputType('ChangeSubscriptionPlanInput')
export class ChangePlanInput {
  @IdField()
  planId!: string;

  @DateTimeField({ description: 'A day boundary after the start, not yet invoiced.' })
  at!: string;
}

@InputType('CancelSubscriptionInput')
export class CancelInput {
  @EnumField(cancelWhens, CancelWhenEnum)
  when!: (typeof cancelWhens)[number];
}

@ArgsType()
export class ListInvoicesArgs extends PageArgs {
  @IdField({ optional: true })
  organisationId?: string;

  @EnumField(invoiceKinds, InvoiceKindEnum, { optional: true })
  kind?: (typeof invoiceKinds)[number];

  @EnumField(invoiceStates, InvoiceStateEnum, { optional: true })
  state?: (typeof invoiceStates)[number];
}

/** GraphQL takes the invoice and line among the arguments (REST has them in the path). */
@ArgsType()
export class LineMovementsArgs extends PageArgs {
  @IdField()
  invoiceId!: string;

  @IdField()
  lineId!: string;
}

@InputType('PayInvoiceInput')
export class PayInput {
  @DateTimeField({ optional: true, description: 'Default: now.' })
  paidAt?: string;
}

@InputType('VoidInvoiceInput')
export class VoidInput {
  @TextField({ maxLength: 500, notEmpty: true })
  reason!: string;
}

@ArgsType()
export class ExportArgs {
  @IdField({ optional: true })
  organisationId?: string;

  @DateTimeField({ optional: true, description: 'Periods starting at or after this time.' })
  from?: string;

  @DateTimeField({ optional: true, description: 'Periods starting before this time.' })
  to?: string;
}

@ArgsType()
export class UsageArgs {
  @EnumField(seriesSteps, SeriesStepEnum, { optional: true, description: 'Default: day.' })
  every?: (typeof seriesSteps)[number];
}

@InputType('CreateBudgetInput')
export class CreateBudgetInput {
  @EnumField(budgetKinds, BudgetKindEnum)
  kind!: (typeof budgetKinds)[number];

  @IdField({ optional: true, description: 'The metric of a quantity budget.' })
  metricId?: string;

  @DecimalField({ description: "Money in the plan's currency, or a quantity." })
  amount!: string;

  @Field(() => [Int], { nullable: true, description: 'Percentages (default 80, 100).' })
  @ApiPropertyOptional({ type: Number, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(1000, { each: true })
  thresholds?: number[];
}

@InputType('StartBillingRunInput')
export class StartRunInput {
  @IdField()
  organisationId!: string;

  @EnumField(runModes, BillingRunModeEnum)
  mode!: (typeof runModes)[number];
}

@ArgsType()
export class MonthArgs {
  @PatternField(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be YYYY-MM', {
    isString: true,
    example: '2026-11',
  })
  month!: string;
}

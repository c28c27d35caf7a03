import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';
import { Connection } from '../common/graphql-types';
import {
  aggregations,
  BillingAggregationEnum,
  BillingPayerEnum,
  BillingUniqueOfEnum,
  budgetKinds,
  BudgetKindEnum,
  chargeModelValues,
  ChargeModelEnum,
  intervals,
  invoiceKinds,
  InvoiceKindEnum,
  InvoiceLineKindEnum,
  invoiceStates,
  InvoiceStateEnum,
  lineKinds,
  payers,
  PlanIntervalEnum,
  seriesSteps,
  SeriesStepEnum,
  uniqueOfs,
} from './billing.enums';

// Money is a decimal string everywhere (String in GraphQL), never a float.

/** A nullable text field of GraphQL and OpenAPI alike. */
function NullableText(description?: string): PropertyDecorator {
  return (target, key) => {
    Field(() => String, { nullable: true, description })(target, key);
    ApiProperty({ type: String, nullable: true, description })(target, key);
  };
}

function NullableDate(description?: string): PropertyDecorator {
  return (target, key) => {
    Field(() => Date, { nullable: true, description })(target, key);
    ApiProperty({ type: String, format: 'date-time', nullable: true, description })(target, key);
  };
}

function NullableId(description?: string): PropertyDecorator {
  return (target, key) => {
    Field(() => ID, { nullable: true, description })(target, key);
    ApiProperty({ type: String, format: 'uuid', nullable: true, description })(target, key);
  };
}

@ObjectType('BillingMetric', { description: 'What usage is billed: a selection of movements.' })
export class BillingMetricModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  code!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field()
  @ApiProperty()
  description!: string;

  @Field()
  @ApiProperty()
  unit!: string;

  @NullableId()
  resourceId!: string | null;

  @NullableText('A reference pattern with *.')
  resourcePattern!: string | null;

  @Field(() => BillingPayerEnum)
  @ApiProperty({ enum: payers })
  payer!: (typeof payers)[number];

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  origins!: string[];

  @Field(() => [ID])
  @ApiProperty({ type: String, isArray: true })
  pathIds!: string[];

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  itemKinds!: string[];

  @Field(() => BillingAggregationEnum)
  @ApiProperty({ enum: aggregations })
  aggregation!: (typeof aggregations)[number];

  @Field(() => BillingUniqueOfEnum, { nullable: true })
  @ApiProperty({ enum: uniqueOfs, nullable: true })
  uniqueOf!: (typeof uniqueOfs)[number] | null;

  @Field()
  @ApiProperty()
  unitDivisor!: string;

  @NullableDate('When the rollups last moved their watermark.')
  rolledAt!: Date | null;

  @NullableDate()
  archivedAt!: Date | null;

  @Field()
  @ApiProperty()
  createdAt!: Date;
}

@ObjectType('PriceTier')
export class TierModel {
  @NullableText('Inclusive; null on the last tier.')
  upTo!: string | null;

  @Field()
  @ApiProperty()
  unitPrice!: string;

  @NullableText()
  flatFee!: string | null;
}

@ObjectType('PlanCharge', { description: 'The price of one metric in a plan version.' })
export class PlanChargeModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  metricId!: string;

  @Field()
  @ApiProperty()
  metricCode!: string;

  @Field(() => ChargeModelEnum)
  @ApiProperty({ enum: chargeModelValues })
  model!: (typeof chargeModelValues)[number];

  @NullableText()
  unitPrice!: string | null;

  @Field(() => [TierModel])
  @ApiProperty({ type: TierModel, isArray: true })
  tiers!: TierModel[];

  @NullableText()
  packageSize!: string | null;

  @NullableText()
  packagePrice!: string | null;

  @Field()
  @ApiProperty()
  includedQuantity!: string;

  @NullableText()
  minimumAmount!: string | null;

  @NullableText()
  capAmount!: string | null;

  @NullableText()
  quota!: string | null;
}

@ObjectType('PlanVersion', { description: "Prices from a date on; an organisation's override." })
export class PlanVersionModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @NullableId('Set on an override (listed to platform admins only).')
  organisationId!: string | null;

  @Field()
  @ApiProperty()
  effectiveFrom!: Date;

  @NullableText()
  fixedFee!: string | null;

  @Field()
  @ApiProperty()
  note!: string;

  @Field(() => [PlanChargeModel])
  @ApiProperty({ type: PlanChargeModel, isArray: true })
  charges!: PlanChargeModel[];
}

@ObjectType('Plan')
export class PlanModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field()
  @ApiProperty()
  code!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field()
  @ApiProperty()
  description!: string;

  @Field()
  @ApiProperty()
  currency!: string;

  @Field(() => PlanIntervalEnum)
  @ApiProperty({ enum: intervals })
  interval!: (typeof intervals)[number];

  @NullableDate()
  archivedAt!: Date | null;

  @Field()
  @ApiProperty()
  createdAt!: Date;
}

@ObjectType('PlanDetail')
export class PlanDetailModel extends PlanModel {
  @Field(() => [PlanVersionModel])
  @ApiProperty({ type: PlanVersionModel, isArray: true })
  versions!: PlanVersionModel[];
}

@ObjectType('BillingAccount', { description: 'What an organisation is billed as.' })
export class BillingAccountModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @NullableText()
  legalName!: string | null;

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  address!: string[];

  @NullableText()
  taxId!: string | null;

  @NullableText()
  email!: string | null;

  @Field({ description: 'A fraction: 0.2 is 20 %.' })
  @ApiProperty()
  taxRate!: string;

  @Field(() => Int)
  @ApiProperty()
  graceDays!: number;
}

@ObjectType('Subscription')
export class SubscriptionModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  planId!: string;

  @Field()
  @ApiProperty()
  planCode!: string;

  @Field()
  @ApiProperty()
  planName!: string;

  @Field()
  @ApiProperty()
  startsAt!: Date;

  @NullableDate()
  endsAt!: Date | null;

  @Field(() => Int)
  @ApiProperty()
  anchorDay!: number;

  @Field(() => Int)
  @ApiProperty()
  anchorMonth!: number;

  @Field(() => Int)
  @ApiProperty()
  trialDays!: number;

  @NullableId('The subscription this one continues after a plan change.')
  previousId!: string | null;

  @NullableDate()
  cancelledAt!: Date | null;
}

@ObjectType('Invoice', { description: 'An invoice or credit note.' })
export class InvoiceModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => InvoiceKindEnum)
  @ApiProperty({ enum: invoiceKinds })
  kind!: (typeof invoiceKinds)[number];

  @NullableText('Null on a draft.')
  number!: string | null;

  @Field(() => InvoiceStateEnum)
  @ApiProperty({ enum: invoiceStates })
  state!: (typeof invoiceStates)[number];

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @Field()
  @ApiProperty()
  organisationName!: string;

  @NullableId()
  subscriptionId!: string | null;

  @Field()
  @ApiProperty()
  periodStart!: Date;

  @Field()
  @ApiProperty()
  periodEnd!: Date;

  @Field()
  @ApiProperty()
  currency!: string;

  @Field()
  @ApiProperty({ example: '150.00' })
  subtotal!: string;

  @Field()
  @ApiProperty()
  taxRate!: string;

  @Field()
  @ApiProperty()
  tax!: string;

  @Field()
  @ApiProperty()
  total!: string;

  @NullableDate()
  issuedAt!: Date | null;

  @NullableDate()
  dueAt!: Date | null;

  @NullableDate()
  paidAt!: Date | null;

  @NullableDate()
  voidedAt!: Date | null;

  @NullableText()
  voidReason!: string | null;

  @NullableId("A credit note's invoice.")
  correctsId!: string | null;

  @NullableText('SHA-256 of the PDF as issued (finalised documents).')
  pdfSha256!: string | null;

  @Field()
  @ApiProperty()
  createdAt!: Date;
}

export const InvoiceConnection = Connection(InvoiceModel, 'InvoiceConnection');

@ObjectType('AppliedTier')
export class AppliedTierModel {
  @Field()
  @ApiProperty()
  from!: string;

  @NullableText()
  upTo!: string | null;

  @Field()
  @ApiProperty()
  quantity!: string;

  @Field()
  @ApiProperty()
  unitPrice!: string;

  @Field()
  @ApiProperty()
  flatFee!: string;

  @Field()
  @ApiProperty()
  amount!: string;
}

@ObjectType('InvoiceLine')
export class InvoiceLineModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => Int)
  @ApiProperty()
  position!: number;

  @Field(() => InvoiceLineKindEnum)
  @ApiProperty({ enum: lineKinds })
  kind!: (typeof lineKinds)[number];

  @NullableId()
  metricId!: string | null;

  @Field()
  @ApiProperty()
  description!: string;

  @Field()
  @ApiProperty()
  periodStart!: Date;

  @Field()
  @ApiProperty()
  periodEnd!: Date;

  @NullableText()
  quantity!: string | null;

  @NullableText()
  unit!: string | null;

  @NullableText()
  unitPrice!: string | null;

  @Field()
  @ApiProperty()
  amount!: string;

  @Field(() => [AppliedTierModel])
  @ApiProperty({ type: AppliedTierModel, isArray: true })
  tiers!: AppliedTierModel[];

  @NullableId('The finalised invoice an adjustment or credit corrects.')
  adjustsId!: string | null;
}

@ObjectType('InvoiceDetail')
export class InvoiceDetailModel extends InvoiceModel {
  @Field(() => [InvoiceLineModel])
  @ApiProperty({ type: InvoiceLineModel, isArray: true })
  lines!: InvoiceLineModel[];
}

@ObjectType('UsagePoint')
export class UsagePointModel {
  @Field()
  @ApiProperty()
  at!: Date;

  @Field()
  @ApiProperty()
  quantity!: string;
}

@ObjectType('MetricUsage', { description: "A charged metric's usage in the current period." })
export class MetricUsageModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  metricId!: string;

  @Field()
  @ApiProperty()
  code!: string;

  @Field()
  @ApiProperty()
  name!: string;

  @Field()
  @ApiProperty()
  unit!: string;

  @Field()
  @ApiProperty()
  quantity!: string;

  @Field({ description: 'Units the included quantity covered.' })
  @ApiProperty()
  included!: string;

  @NullableText()
  quota!: string | null;

  @Field({ description: 'Rated so far.' })
  @ApiProperty()
  amount!: string;

  @Field({ description: 'Linear to the period end.' })
  @ApiProperty()
  forecastQuantity!: string;

  @Field()
  @ApiProperty()
  forecastAmount!: string;

  @NullableDate('Watermark: when the rollups of this metric last moved.')
  rolledAt!: Date | null;

  @Field(() => [UsagePointModel])
  @ApiProperty({ type: UsagePointModel, isArray: true })
  series!: UsagePointModel[];
}

@ObjectType('BillingUsage', { description: 'The current period of the active subscription.' })
export class UsageModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  subscriptionId!: string;

  @Field()
  @ApiProperty()
  currency!: string;

  @Field()
  @ApiProperty()
  periodStart!: Date;

  @Field()
  @ApiProperty()
  periodEnd!: Date;

  @Field()
  @ApiProperty()
  at!: Date;

  @Field(() => SeriesStepEnum)
  @ApiProperty({ enum: seriesSteps })
  every!: (typeof seriesSteps)[number];

  @Field({ description: 'Fixed fee of the period so far.' })
  @ApiProperty()
  fixedFee!: string;

  @Field({ description: 'Usage amounts so far (fixed fee excluded).' })
  @ApiProperty()
  amount!: string;

  @Field()
  @ApiProperty()
  forecastAmount!: string;

  @Field(() => [MetricUsageModel])
  @ApiProperty({ type: MetricUsageModel, isArray: true })
  metrics!: MetricUsageModel[];
}

@ObjectType('Budget')
export class BudgetModel {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId!: string;

  @Field(() => BudgetKindEnum)
  @ApiProperty({ enum: budgetKinds })
  kind!: (typeof budgetKinds)[number];

  @NullableId()
  metricId!: string | null;

  @Field()
  @ApiProperty()
  amount!: string;

  @Field(() => [Int])
  @ApiProperty({ type: Number, isArray: true })
  thresholds!: number[];

  @Field()
  @ApiProperty()
  createdAt!: Date;
}

@ObjectType('BillingParty')
export class PartyModel {
  @Field()
  @ApiProperty()
  name!: string;

  @Field(() => [String])
  @ApiProperty({ type: String, isArray: true })
  address!: string[];

  @NullableText()
  taxId!: string | null;

  @NullableText()
  email!: string | null;
}

@ObjectType('ReportRow')
export class ReportRowModel {
  @Field()
  @ApiProperty()
  key!: string;

  @Field()
  @ApiProperty()
  label!: string;

  @Field()
  @ApiProperty()
  net!: string;

  @Field()
  @ApiProperty()
  previousNet!: string;
}

@ObjectType('OrganisationReportRow')
export class OrganisationReportRowModel extends ReportRowModel {
  @Field()
  @ApiProperty()
  invoiced!: string;

  @Field()
  @ApiProperty()
  credited!: string;

  @Field()
  @ApiProperty()
  paid!: string;
}

@ObjectType('CurrencyReport')
export class CurrencyReportModel {
  @Field()
  @ApiProperty()
  currency!: string;

  @Field(() => Int)
  @ApiProperty()
  minorUnits!: number;

  @Field()
  @ApiProperty()
  invoiced!: string;

  @Field()
  @ApiProperty()
  credited!: string;

  @Field()
  @ApiProperty()
  net!: string;

  @Field()
  @ApiProperty()
  paid!: string;

  @Field()
  @ApiProperty()
  outstanding!: string;

  @Field()
  @ApiProperty()
  previousNet!: string;

  @Field(() => [OrganisationReportRowModel])
  @ApiProperty({ type: OrganisationReportRowModel, isArray: true })
  byOrganisation!: OrganisationReportRowModel[];

  @Field(() => [ReportRowModel])
  @ApiProperty({ type: ReportRowModel, isArray: true })
  byMetric!: ReportRowModel[];

  @Field(() => [ReportRowModel])
  @ApiProperty({ type: ReportRowModel, isArray: true })
  byResource!: ReportRowModel[];
}

@ObjectType('MonthlyBillingReport')
export class MonthlyReportModel {
  @Field()
  @ApiProperty({ example: '2026-11' })
  month!: string;

  @Field()
  @ApiProperty()
  generatedAt!: Date;

  @Field(() => PartyModel)
  @ApiProperty({ type: PartyModel })
  issuer!: PartyModel;

  @Field(() => [CurrencyReportModel])
  @ApiProperty({ type: CurrencyReportModel, isArray: true })
  currencies!: CurrencyReportModel[];
}

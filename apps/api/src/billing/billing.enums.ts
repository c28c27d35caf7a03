import { registerEnumType } from '@nestjs/graphql';
import { chargeModels } from '@sextant/billing';

// The enums of billing's API, registered once for GraphQL and listed for OpenAPI.

function enumObject<T extends string>(values: readonly T[]): Record<T, T> {
  return Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;
}

export const payers = ['destination', 'source'] as const;
export const aggregations = [
  'sum',
  'count',
  'max',
  'unique_count',
  'latest',
  'time_weighted_sum',
] as const;
export const uniqueOfs = ['item', 'source_node', 'destination_node'] as const;
export const intervals = ['month', 'year'] as const;
export const invoiceKinds = ['invoice', 'credit_note'] as const;
export const invoiceStates = ['draft', 'finalised', 'paid', 'void'] as const;
export const lineKinds = ['fixed_fee', 'usage', 'adjustment', 'credit'] as const;
export const cancelWhens = ['period_end', 'now'] as const;
export const budgetKinds = ['money', 'quantity'] as const;
export const runModes = ['refresh', 'finalise'] as const;
export const seriesSteps = ['hour', 'day'] as const;

export const BillingPayerEnum = enumObject(payers);
export const BillingAggregationEnum = enumObject(aggregations);
export const BillingUniqueOfEnum = enumObject(uniqueOfs);
export const chargeModelValues = chargeModels;
export const ChargeModelEnum = enumObject(chargeModels);
export const PlanIntervalEnum = enumObject(intervals);
export const InvoiceKindEnum = enumObject(invoiceKinds);
export const InvoiceStateEnum = enumObject(invoiceStates);
export const InvoiceLineKindEnum = enumObject(lineKinds);
export const CancelWhenEnum = enumObject(cancelWhens);
export const BudgetKindEnum = enumObject(budgetKinds);
export const BillingRunModeEnum = enumObject(runModes);
export const SeriesStepEnum = enumObject(seriesSteps);

registerEnumType(BillingPayerEnum, {
  name: 'BillingPayer',
  description: 'Which end of a movement pays.',
});
registerEnumType(BillingAggregationEnum, {
  name: 'BillingAggregation',
  description: 'How a metric aggregates movements.',
});
registerEnumType(BillingUniqueOfEnum, {
  name: 'BillingUniqueOf',
  description: 'What a unique count counts.',
});
registerEnumType(ChargeModelEnum, { name: 'ChargeModel', description: 'How a charge prices.' });
registerEnumType(PlanIntervalEnum, { name: 'PlanInterval', description: 'A billing period.' });
registerEnumType(InvoiceKindEnum, { name: 'InvoiceKind', description: 'Invoice or credit note.' });
registerEnumType(InvoiceStateEnum, {
  name: 'InvoiceState',
  description: 'draft -> finalised -> paid or void.',
});
registerEnumType(InvoiceLineKindEnum, {
  name: 'InvoiceLineKind',
  description: 'What a line bills.',
});
registerEnumType(CancelWhenEnum, { name: 'CancelWhen', description: 'When a cancellation ends.' });
registerEnumType(BudgetKindEnum, { name: 'BudgetKind', description: 'Money or a quantity.' });
registerEnumType(BillingRunModeEnum, {
  name: 'BillingRunMode',
  description: 'refresh the drafts, or finalise the ended periods too.',
});
registerEnumType(SeriesStepEnum, { name: 'SeriesStep', description: 'Bucket of a usage series.' });

// Billing: rating movements into invoices (see docs/billing.md).
export {
  Money,
  allocate,
  formatAmount,
  isCurrency,
  minorUnits,
  plainString,
  roundMoney,
  type Dec,
} from './money';
export * from './charges';
export * from './periods';
export * from './invoice-math';
export * from './billing-job';
export * from './documents';
export * from './budgets.repository';
export * from './invoices.repository';
export * from './invoicing';
export * from './metering.repository';
export * from './rollups.repository';
export * from './usage.repository';
export * from './catalogue.repository';
export * from './quotas.repository';
export * from './quota-gate';
export * from './reports.repository';
export * from './limits';

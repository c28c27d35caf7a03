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

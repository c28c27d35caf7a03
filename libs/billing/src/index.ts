// Billing: rating movements into invoices (see docs/billing.md).
export {};

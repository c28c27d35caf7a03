// What the documents are made from: plain values, built by the billing run from its invoices.
// Amounts, quantities, prices and rates are decimal strings (never JavaScript numbers).

/** A party on a document: the platform's operator (issuer) or a customer organisation. */
export interface Party {
  name: string;
  address: string[];
  taxId?: string;
  email?: string;
}

import type { AppliedTier } from '../charges';

export type { AppliedTier };

export type LineKind = 'fixed_fee' | 'usage' | 'adjustment' | 'minimum' | 'credit';

/** A line of an invoice or credit note; its period is [periodStart, periodEnd). */
export interface DocumentLine {
  kind: LineKind;
  description: string;
  periodStart: Date;
  periodEnd: Date;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  amount: string;
  tiers: AppliedTier[];
}

/** An invoice or a credit note, as rendered to PDF. */
export interface InvoiceDocument {
  kind: 'invoice' | 'credit_note';
  number: string | null; // null on a draft
  state: 'draft' | 'finalised' | 'paid' | 'void';
  issuedAt: Date | null;
  dueAt: Date | null;
  periodStart: Date; // [start, end)
  periodEnd: Date;
  currency: string;
  minorUnits: number;
  issuer: Party;
  customer: Party;
  lines: DocumentLine[];
  subtotal: string;
  taxRate: string; // a fraction: "0.2" is 20 %
  tax: string;
  total: string;
  corrects: { number: string; issuedAt: Date } | null; // a credit note's invoice
  usageSummary: { metric: string; quantity: string; unit: string }[];
  voidReason?: string | null;
}

/** A row of a report table: this month's net amount beside the previous month's. */
export interface ReportRow {
  key: string;
  label: string;
  net: string;
  previousNet: string;
}

/** One currency's part of a monthly report (amounts are never summed across currencies). */
export interface CurrencyReport {
  currency: string;
  minorUnits: number;
  invoiced: string;
  credited: string;
  net: string;
  paid: string;
  outstanding: string;
  previousNet: string;
  byOrganisation: (ReportRow & { invoiced: string; credited: string; paid: string })[];
  byMetric: ReportRow[];
  byResource: ReportRow[];
}

/** The platform operator's report of one month's billing. */
export interface MonthlyReport {
  month: string; // YYYY-MM
  generatedAt: Date;
  issuer: Party;
  currencies: CurrencyReport[];
}

/** A row of the invoices export. */
export interface InvoiceCsvRow {
  number: string | null;
  kind: string;
  state: string;
  organisation: string;
  periodStart: Date;
  periodEnd: Date;
  issuedAt: Date | null;
  currency: string;
  subtotal: string;
  tax: string;
  total: string;
  paidAt: Date | null;
  corrects: string | null;
}

/** A row of the usage export: one invoice line. */
export interface UsageCsvRow {
  invoice: string | null;
  organisation: string;
  metric: string;
  periodStart: Date;
  periodEnd: Date;
  quantity: string;
  unit: string;
  unitPrice: string | null;
  amount: string;
  currency: string;
  tiers: AppliedTier[];
  kind: string;
}

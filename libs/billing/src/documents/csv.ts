// Invoices, usage and the monthly report as CSV (RFC 4180): a header row, CRLF line ends,
// fields quoted when they hold a comma, a quote or a line break (quotes doubled), instants in
// ISO 8601 UTC, amounts exactly as given (decimal strings), an empty field for null.
//
// Spreadsheets run a cell that starts with = + - @ (or a tab or CR before one) as a formula,
// so such a text cell gets a leading single quote. Amount cells are not text: a well-formed
// decimal such as -12.50 stays a number; anything else in them is guarded like text.
import { isZero } from './format';
import type {
  AppliedTier,
  CurrencyReport,
  InvoiceCsvRow,
  MonthlyReport,
  UsageCsvRow,
} from './types';

const DECIMAL = /^-?\d+(\.\d+)?$/;
const FORMULA = /^[=+\-@\t\r]/;

function quoted(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function text(value: string | null): string {
  if (value === null) return '';
  return quoted(FORMULA.test(value) ? `'${value}` : value);
}

function amount(value: string | null): string {
  if (value === null) return '';
  return DECIMAL.test(value) ? value : text(value);
}

function instant(value: Date | null): string {
  return value === null ? '' : value.toISOString();
}

function table(header: string[], rows: string[][]): string {
  return [header, ...rows].map((fields) => `${fields.join(',')}\r\n`).join('');
}

/**
 * Applied tiers as one compact field: `from-upTo@unitPrice`, `∞` for an unbounded tier and
 * `+flatFee` when the tier has one, joined by `;`: `0-1000@0.001;1000-∞@0.0005+5.00`.
 */
export function tiersText(tiers: AppliedTier[]): string {
  return tiers
    .map((tier) => {
      const flat = isZero(tier.flatFee) ? '' : `+${tier.flatFee}`;
      return `${tier.from}-${tier.upTo ?? '∞'}@${tier.unitPrice}${flat}`;
    })
    .join(';');
}

/** Invoices and credit notes, one row each. */
export function invoicesCsv(rows: InvoiceCsvRow[]): string {
  const header = [
    'number',
    'kind',
    'state',
    'organisation',
    'period_start',
    'period_end',
    'issued_at',
    'currency',
    'subtotal',
    'tax',
    'total',
    'paid_at',
    'corrects',
  ];
  return table(
    header,
    rows.map((row) => [
      text(row.number),
      text(row.kind),
      text(row.state),
      text(row.organisation),
      instant(row.periodStart),
      instant(row.periodEnd),
      instant(row.issuedAt),
      text(row.currency),
      amount(row.subtotal),
      amount(row.tax),
      amount(row.total),
      instant(row.paidAt),
      text(row.corrects),
    ]),
  );
}

/** Invoice lines with their usage, one row each. */
export function usageCsv(rows: UsageCsvRow[]): string {
  const header = [
    'invoice',
    'organisation',
    'metric',
    'kind',
    'period_start',
    'period_end',
    'quantity',
    'unit',
    'unit_price',
    'amount',
    'currency',
    'tiers',
  ];
  return table(
    header,
    rows.map((row) => [
      text(row.invoice),
      text(row.organisation),
      text(row.metric),
      text(row.kind),
      instant(row.periodStart),
      instant(row.periodEnd),
      amount(row.quantity),
      text(row.unit),
      amount(row.unitPrice),
      amount(row.amount),
      text(row.currency),
      text(tiersText(row.tiers)),
    ]),
  );
}

/**
 * The monthly report as one flat table, so a spreadsheet can filter or pivot it by currency
 * and dimension:
 *
 *   currency,dimension,key,label,net,previous_net,invoiced,credited,paid,outstanding
 *
 * Per currency, in the report's order: one `total` row (key `total`) with every figure, then
 * a row per organisation (`organisation`: invoiced, credited and paid filled, outstanding
 * empty), per metric (`metric`) and per resource (`resource`), these two with net and
 * previous_net only. Amounts of different currencies are never summed.
 */
export function monthlyReportCsv(report: MonthlyReport): string {
  const header = [
    'currency',
    'dimension',
    'key',
    'label',
    'net',
    'previous_net',
    'invoiced',
    'credited',
    'paid',
    'outstanding',
  ];
  return table(header, report.currencies.flatMap(currencyRows));
}

function currencyRows(report: CurrencyReport): string[][] {
  const row = (
    dimension: string,
    key: string,
    label: string,
    figures: { net: string; previousNet: string; invoiced?: string; credited?: string },
    more: { paid?: string; outstanding?: string } = {},
  ) => [
    text(report.currency),
    text(dimension),
    text(key),
    text(label),
    amount(figures.net),
    amount(figures.previousNet),
    amount(figures.invoiced ?? null),
    amount(figures.credited ?? null),
    amount(more.paid ?? null),
    amount(more.outstanding ?? null),
  ];
  return [
    row('total', 'total', 'Total', report, report),
    ...report.byOrganisation.map((o) => row('organisation', o.key, o.label, o, o)),
    ...report.byMetric.map((m) => row('metric', m.key, m.label, m)),
    ...report.byResource.map((r) => row('resource', r.key, r.label, r)),
  ];
}

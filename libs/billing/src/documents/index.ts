// Billing documents: invoices, credit notes and monthly reports as PDF and CSV.
export * from './types';
export { renderInvoicePdf, renderMonthlyReportPdf } from './pdf';
export { invoicesCsv, monthlyReportCsv, tiersText, usageCsv } from './csv';
export {
  formatAmount as displayAmount,
  formatDate,
  formatPercent,
  formatPeriod,
  formatPrice,
  formatQuantity,
} from './format';

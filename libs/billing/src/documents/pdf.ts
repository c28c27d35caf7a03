// Invoices, credit notes and monthly reports as PDF, made in-process with pdfkit and its
// built-in Helvetica (A4, no embedded fonts).
//
// The same input gives the same bytes, so a finalised invoice can be rendered again and
// compared with its archived copy:
// - the info dictionary's dates come from the document (issued or generated), never the clock;
// - pdfkit 0.20 takes no trailer /ID option: it derives the /ID as the MD5 of the info
//   dictionary (PDFSecurity.generateFileID), so fixed info values give a fixed /ID;
// - streams are left uncompressed: deflate output may change with the zlib that Node is built
//   with, plain streams cannot.
import PDFDocument from 'pdfkit';
import { assertNever } from '@sextant/domain';
import {
  difference,
  formatAmount,
  formatDate,
  formatDateTime,
  formatPercent,
  formatPeriod,
  formatPrice,
  formatQuantity,
  isZero,
} from './format';
import type {
  AppliedTier,
  CurrencyReport,
  DocumentLine,
  InvoiceDocument,
  MonthlyReport,
  Party,
  ReportRow,
} from './types';

// A4 in points, and the box that content stays in (the footer sits below it).
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const LEFT = 50;
const RIGHT = PAGE_WIDTH - 50;
const TOP = 50;
const BOTTOM = PAGE_HEIGHT - 60;
const FOOTER_Y = PAGE_HEIGHT - 40;
const PAD = 6; // between the texts of two columns

const GREY = '#555555';
const RULE = '#999999';

type Font = 'Helvetica' | 'Helvetica-Bold';
interface Style {
  font?: Font;
  size?: number;
  color?: string;
}
const BODY: Style = { font: 'Helvetica', size: 9, color: '#000000' };
const BOLD: Style = { ...BODY, font: 'Helvetica-Bold' };
const SMALL: Style = { font: 'Helvetica', size: 8, color: GREY };
const HEADING: Style = { font: 'Helvetica-Bold', size: 11, color: '#000000' };
const WATERMARK: Style = { font: 'Helvetica-Bold', size: 120, color: '#cc0000' };

type Align = 'left' | 'right' | 'center';
interface Column {
  title: string;
  width: number;
  align: Align;
}
// A row's cells, one per column; a cell's style overrides the row's.
type Cell = string | { text: string; style?: Style; indent?: number };
interface Row {
  cells: Cell[];
  style?: Style;
}

// Characters the standard fonts can show (WinAnsiEncoding): printable Latin-1 and these.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const encodable = (char: string) => {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 32 && code <= 126) || (code >= 160 && code <= 255) || WIN_ANSI_EXTRA.has(char);
};

// Text the built-in fonts cannot show would print as garbage: accented letters outside
// Latin-1 lose their accent (ő -> o), anything else becomes "?".
function winAnsi(text: string): string {
  let out = '';
  for (const char of text) {
    if (char === '\n' || encodable(char)) out += char;
    else {
      const base = char.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      out += base.length > 0 && [...base].every(encodable) ? base : '?';
    }
  }
  return out;
}

// A cursor over the pages: rows go down the page and continue on a new one (with the open
// table's header repeated) when they would run into the footer.
class Sheet {
  y = TOP;
  private header: Column[] | null = null;

  constructor(readonly pdf: PDFKit.PDFDocument) {}

  private apply(style: Style): void {
    this.pdf
      .font(style.font ?? 'Helvetica')
      .fontSize(style.size ?? 9)
      .fillColor(style.color ?? '#000000');
  }

  height(text: string, width: number, style: Style): number {
    this.apply(style);
    return this.pdf.heightOfString(winAnsi(text), { width });
  }

  put(text: string, x: number, y: number, width: number, align: Align, style: Style): void {
    this.apply(style);
    this.pdf.text(winAnsi(text), x, y, { width, align });
  }

  /** Starts a new page unless `height` more points fit above the footer. */
  room(height: number): void {
    if (this.y + height <= BOTTOM) return;
    this.pdf.addPage();
    this.y = TOP;
    if (this.header) this.headerRow(this.header);
  }

  gap(points: number): void {
    this.y += points;
  }

  rule(color = RULE): void {
    this.pdf.moveTo(LEFT, this.y).lineTo(RIGHT, this.y).lineWidth(0.5).strokeColor(color).stroke();
  }

  heading(text: string, style: Style = HEADING): void {
    this.room(40); // a heading is not left alone at the foot of a page
    this.put(text, LEFT, this.y, RIGHT - LEFT, 'left', style);
    this.y += this.height(text, RIGHT - LEFT, style) + 4;
  }

  /** Opens a table: its header now and on every page the table continues on. */
  table(columns: Column[]): void {
    this.header = null; // a page started here gets the header once, below
    this.room(40);
    this.header = columns;
    this.headerRow(columns);
  }

  endTable(): void {
    this.header = null;
    this.gap(6);
  }

  private headerRow(columns: Column[]): void {
    this.draw(columns, { cells: columns.map((c) => c.title), style: { ...BOLD, size: 8 } });
    this.y += 1;
    this.rule();
    this.y += 3;
  }

  /** Rows kept together on one page (a line with its period and tiers) when they fit one. */
  rows(columns: Column[], rows: Row[]): void {
    const heights = rows.map((row) => this.rowHeight(columns, row));
    const total = heights.reduce((sum, h) => sum + h, 0);
    if (total <= BOTTOM - TOP - 40) this.room(total);
    rows.forEach((row, i) => {
      this.room(heights[i]);
      this.draw(columns, row);
    });
  }

  private rowHeight(columns: Column[], row: Row): number {
    const heights = cells(columns, row).map(({ text, width, style }) =>
      text === '' ? 0 : this.height(text, width, style),
    );
    return Math.max(...heights) + 3;
  }

  private draw(columns: Column[], row: Row): void {
    const height = this.rowHeight(columns, row);
    for (const { text, x, width, align, style } of cells(columns, row)) {
      if (text !== '') this.put(text, x, this.y, width, align, style);
    }
    this.y += height;
  }
}

// Where each cell of a row goes. Columns touch; a gap keeps their texts apart: a left-aligned
// cell leaves it on its right (and on its left unless it is the first), a right-aligned one on
// its left, so the last amount ends at the right margin.
function cells(columns: Column[], row: Row) {
  let x = LEFT;
  return columns.map((column, i) => {
    const { text, style, indent } = cellOf(row.cells[i] ?? '', row.style);
    const before = indent + (column.align === 'left' && i === 0 ? 0 : PAD);
    const after = column.align === 'left' ? PAD : 0;
    const cell = {
      text,
      style,
      x: x + before,
      width: column.width - before - after,
      align: column.align,
    };
    x += column.width;
    return cell;
  });
}

function cellOf(
  cell: Cell,
  rowStyle: Style = BODY,
): { text: string; style: Style; indent: number } {
  if (typeof cell === 'string') return { text: cell, style: rowStyle, indent: 0 };
  return { text: cell.text, style: cell.style ?? rowStyle, indent: cell.indent ?? 0 };
}

function openDocument(info: {
  title: string;
  subject: string;
  author: string;
  date: Date;
}): PDFKit.PDFDocument {
  // pdfkit writes a date only when it is a Date of this realm (not, say, a structured clone's).
  const date = new Date(info.date.getTime());
  return new PDFDocument({
    size: 'A4',
    // Positions are all explicit; with no margins pdfkit never breaks a page by itself.
    margin: 0,
    bufferPages: true,
    compress: false,
    info: {
      Title: winAnsi(info.title),
      Subject: winAnsi(info.subject),
      Author: winAnsi(info.author),
      Creator: 'Sextant billing',
      Producer: 'Sextant (PDFKit)',
      CreationDate: date,
      ModDate: date,
    },
  });
}

// The footer (and a void document's watermark) on every page, once the page count is known.
function finishPages(pdf: PDFKit.PDFDocument, footer: string, watermark: string | null): void {
  const sheet = new Sheet(pdf);
  const { start, count } = pdf.bufferedPageRange();
  for (let i = start; i < start + count; i++) {
    pdf.switchToPage(i);
    sheet.put(footer, LEFT, FOOTER_Y, RIGHT - LEFT, 'left', SMALL);
    sheet.put(`Page ${i - start + 1} of ${count}`, LEFT, FOOTER_Y, RIGHT - LEFT, 'right', SMALL);
    if (watermark) {
      // Over the content, faint enough to read through.
      pdf.save();
      pdf.fillOpacity(0.12);
      sheet.put(watermark, LEFT, PAGE_HEIGHT / 2 - 60, RIGHT - LEFT, 'center', WATERMARK);
      pdf.restore();
    }
  }
}

function toBuffer(pdf: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.end();
  });
}

function kindName(kind: InvoiceDocument['kind']): string {
  switch (kind) {
    case 'invoice':
      return 'Invoice';
    case 'credit_note':
      return 'Credit note';
    default:
      return assertNever(kind);
  }
}

function documentTitle(doc: InvoiceDocument): string {
  const name = kindName(doc.kind).toUpperCase();
  return doc.state === 'draft' ? `DRAFT ${name}` : name;
}

function stateLabel(state: InvoiceDocument['state']): string | null {
  switch (state) {
    case 'draft':
      return 'Draft';
    case 'finalised':
      return null; // an issued document says nothing more
    case 'paid':
      return 'Paid';
    case 'void':
      return 'Void';
    default:
      return assertNever(state);
  }
}

// Label/value pairs in the top right corner; returns the y below them.
function facts(sheet: Sheet, y: number, pairs: [string, string][]): number {
  const width = RIGHT - 400;
  for (const [name, text] of pairs) {
    sheet.put(name, 320, y, 80, 'left', { ...BODY, color: GREY });
    sheet.put(text, 400, y, width, 'left', BODY);
    y += Math.max(12, sheet.height(text, width, BODY) + 2);
  }
  return y;
}

function partyLines(party: Party): string[] {
  return [
    ...party.address,
    ...(party.taxId ? [`Tax ID: ${party.taxId}`] : []),
    ...(party.email ? [party.email] : []),
  ];
}

// Two parties side by side; returns the y below the longer block.
function parties(sheet: Sheet, y: number, blocks: [string, Party][]): number {
  const width = 230;
  let bottom = y;
  blocks.forEach(([caption, party], i) => {
    const x = i === 0 ? LEFT : 320;
    let at = y;
    sheet.put(caption, x, at, width, 'left', SMALL);
    at += 12;
    sheet.put(party.name, x, at, width, 'left', BOLD);
    at += sheet.height(party.name, width, BOLD) + 1;
    for (const line of partyLines(party)) {
      sheet.put(line, x, at, width, 'left', BODY);
      at += sheet.height(line, width, BODY) + 1;
    }
    bottom = Math.max(bottom, at);
  });
  return bottom;
}

const LINE_COLUMNS: Column[] = [
  { title: 'Description', width: 215, align: 'left' },
  { title: 'Quantity', width: 100, align: 'right' },
  { title: 'Unit price', width: 80, align: 'right' },
  { title: 'Amount', width: RIGHT - LEFT - 395, align: 'right' },
];

const samePeriod = (line: DocumentLine, doc: InvoiceDocument) =>
  line.periodStart.getTime() === doc.periodStart.getTime() &&
  line.periodEnd.getTime() === doc.periodEnd.getTime();

function quantityText(quantity: string | null, unit: string | null): string {
  if (quantity === null) return '';
  return unit ? `${formatQuantity(quantity)} ${unit}` : formatQuantity(quantity);
}

function tierRange(tier: AppliedTier): string {
  return tier.upTo === null
    ? `${formatQuantity(tier.from)} and above`
    : `${formatQuantity(tier.from)} – ${formatQuantity(tier.upTo)}`;
}

function lineRows(line: DocumentLine, doc: InvoiceDocument): Row[] {
  const rows: Row[] = [
    {
      cells: [
        line.description,
        quantityText(line.quantity, line.unit),
        line.unitPrice === null ? '' : formatPrice(line.unitPrice, doc.minorUnits),
        formatAmount(line.amount, doc.minorUnits),
      ],
    },
  ];
  // An adjustment corrects an earlier period: it always names that period.
  if (line.kind === 'adjustment' || !samePeriod(line, doc)) {
    rows.push({
      cells: [`Period ${formatPeriod(line.periodStart, line.periodEnd)}`],
      style: SMALL,
    });
  }
  const tiers = line.tiers.map((tier): Row => {
    const flat = isZero(tier.flatFee)
      ? ''
      : ` + ${formatAmount(tier.flatFee, doc.minorUnits)} flat`;
    return {
      cells: [
        { text: `${tierRange(tier)}${flat}`, indent: 12 },
        quantityText(tier.quantity, line.unit),
        formatPrice(tier.unitPrice, doc.minorUnits),
        formatAmount(tier.amount, doc.minorUnits),
      ],
      style: SMALL,
    };
  });
  return [...rows, ...tiers];
}

/** An invoice or credit note as an A4 PDF; the same document always gives the same bytes. */
export async function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const title = documentTitle(doc);
  const number = doc.number ?? '—';
  const pdf = openDocument({
    title: `${title} ${doc.number ?? ''}`.trim(),
    subject: `${doc.customer.name}, ${formatPeriod(doc.periodStart, doc.periodEnd)}`,
    author: doc.issuer.name,
    // A draft has no issue date yet: it is dated by its period's end.
    date: doc.issuedAt ?? doc.periodEnd,
  });
  const sheet = new Sheet(pdf);
  const width = RIGHT - LEFT;

  sheet.put(title, LEFT, TOP, 260, 'left', { font: 'Helvetica-Bold', size: 20 });
  const state = stateLabel(doc.state);
  // The first fact shares the title's baseline (Helvetica's ascender is 0.718 em).
  let y = facts(sheet, TOP + 8, [
    ['Number', number],
    ['Issued', doc.issuedAt ? formatDate(doc.issuedAt) : '—'],
    ['Due', doc.dueAt ? formatDate(doc.dueAt) : '—'],
    ['Period', formatPeriod(doc.periodStart, doc.periodEnd)],
    ['Currency', doc.currency],
    ...(state ? [['Status', state] as [string, string]] : []),
  ]);
  if (doc.corrects) {
    const text = `Corrects invoice ${doc.corrects.number} of ${formatDate(doc.corrects.issuedAt)}`;
    sheet.put(text, LEFT, y + 4, width, 'left', BOLD);
    y += 18;
  }
  if (doc.state === 'void') {
    const text = doc.voidReason
      ? `This document is void: ${doc.voidReason}`
      : 'This document is void.';
    sheet.put(text, LEFT, y + 4, width, 'left', { ...BOLD, color: '#cc0000' });
    y += 4 + sheet.height(text, width, BOLD);
  }
  sheet.y =
    parties(sheet, y + 16, [
      ['From', doc.issuer],
      [doc.kind === 'credit_note' ? 'Credited to' : 'Bill to', doc.customer],
    ]) + 20;

  sheet.table(LINE_COLUMNS);
  for (const line of doc.lines) {
    sheet.rows(LINE_COLUMNS, lineRows(line, doc));
    sheet.gap(2);
  }
  sheet.endTable();

  // Subtotal, tax and total stay together under the last line.
  const totals: Column[] = [
    { title: '', width: 270, align: 'left' },
    { title: '', width: 110, align: 'left' },
    { title: '', width: RIGHT - LEFT - 380, align: 'right' },
  ];
  sheet.room(50);
  sheet.rule();
  sheet.gap(4);
  sheet.rows(totals, [
    { cells: ['', 'Subtotal', formatAmount(doc.subtotal, doc.minorUnits)] },
    {
      cells: ['', `Tax (${formatPercent(doc.taxRate)})`, formatAmount(doc.tax, doc.minorUnits)],
    },
    {
      cells: ['', 'Total', `${doc.currency} ${formatAmount(doc.total, doc.minorUnits)}`],
      style: { ...BOLD, size: 11 },
    },
  ]);

  if (doc.usageSummary.length > 0) {
    sheet.gap(20);
    sheet.heading('Usage summary');
    const columns: Column[] = [
      { title: 'Metric', width: 280, align: 'left' },
      { title: 'Quantity', width: 120, align: 'right' },
      { title: 'Unit', width: RIGHT - LEFT - 400, align: 'left' },
    ];
    sheet.table(columns);
    for (const usage of doc.usageSummary) {
      sheet.rows(columns, [{ cells: [usage.metric, formatQuantity(usage.quantity), usage.unit] }]);
    }
    sheet.endTable();
  }

  finishPages(
    pdf,
    `${doc.issuer.name} · ${kindName(doc.kind)} ${doc.number ?? '(draft)'}`,
    doc.state === 'void' ? 'VOID' : null,
  );
  return toBuffer(pdf);
}

// A signed change: "+12.00", "-3.50", "0.00".
function change(previous: string, current: string, minorUnits: number): string {
  const text = formatAmount(difference(previous, current), minorUnits);
  return text.startsWith('-') || /^[0.,]+$/.test(text) ? text : `+${text}`;
}

function currencySection(sheet: Sheet, report: CurrencyReport): void {
  const money = (value: string) => formatAmount(value, report.minorUnits);
  sheet.heading(`${report.currency}`, { font: 'Helvetica-Bold', size: 14 });

  const totals: Column[] = [
    { title: 'Total', width: 200, align: 'left' },
    { title: report.currency, width: 120, align: 'right' },
  ];
  sheet.table(totals);
  const figures: [string, string][] = [
    ['Invoiced', money(report.invoiced)],
    ['Credited', money(report.credited)],
    ['Net', money(report.net)],
    ['Paid', money(report.paid)],
    ['Outstanding', money(report.outstanding)],
    ['Previous month (net)', money(report.previousNet)],
    ['Change', change(report.previousNet, report.net, report.minorUnits)],
  ];
  for (const [label, value] of figures) sheet.rows(totals, [{ cells: [label, value] }]);
  sheet.endTable();

  sheet.gap(6);
  sheet.heading('By organisation', { ...HEADING, size: 10 });
  const organisations: Column[] = [
    { title: 'Organisation', width: 155, align: 'left' },
    { title: 'Invoiced', width: 68, align: 'right' },
    { title: 'Credited', width: 68, align: 'right' },
    { title: 'Net', width: 68, align: 'right' },
    { title: 'Paid', width: 68, align: 'right' },
    { title: 'Previous net', width: RIGHT - LEFT - 427, align: 'right' },
  ];
  sheet.table(organisations);
  for (const row of report.byOrganisation) {
    const cells = [row.invoiced, row.credited, row.net, row.paid, row.previousNet].map(money);
    sheet.rows(organisations, [{ cells: [row.label, ...cells] }]);
  }
  if (report.byOrganisation.length === 0) sheet.rows(organisations, [{ cells: ['None'] }]);
  sheet.endTable();

  breakdown(sheet, 'By metric', 'Metric', report.byMetric, report.minorUnits);
  breakdown(sheet, 'By resource', 'Resource', report.byResource, report.minorUnits);
}

function breakdown(
  sheet: Sheet,
  heading: string,
  title: string,
  rows: ReportRow[],
  minorUnits: number,
): void {
  sheet.gap(6);
  sheet.heading(heading, { ...HEADING, size: 10 });
  const columns: Column[] = [
    { title, width: 215, align: 'left' },
    { title: 'Net', width: 95, align: 'right' },
    { title: 'Previous net', width: 95, align: 'right' },
    { title: 'Change', width: RIGHT - LEFT - 405, align: 'right' },
  ];
  sheet.table(columns);
  for (const row of rows) {
    const cells = [
      row.label,
      formatAmount(row.net, minorUnits),
      formatAmount(row.previousNet, minorUnits),
      change(row.previousNet, row.net, minorUnits),
    ];
    sheet.rows(columns, [{ cells }]);
  }
  if (rows.length === 0) sheet.rows(columns, [{ cells: ['None'] }]);
  sheet.endTable();
}

/** A month's billing report as an A4 PDF, one section per currency; deterministic bytes. */
export async function renderMonthlyReportPdf(report: MonthlyReport): Promise<Buffer> {
  const pdf = openDocument({
    title: `Monthly billing report ${report.month}`,
    subject: `Billing of ${report.month}`,
    author: report.issuer.name,
    date: report.generatedAt,
  });
  const sheet = new Sheet(pdf);
  sheet.put('MONTHLY BILLING REPORT', LEFT, TOP, 265, 'left', { font: 'Helvetica-Bold', size: 16 });
  const y = facts(sheet, TOP + 5, [
    ['Month', report.month],
    ['Generated', formatDateTime(report.generatedAt)],
    ['Issuer', report.issuer.name],
  ]);
  sheet.y = y + 20;
  for (const currency of report.currencies) {
    currencySection(sheet, currency);
    sheet.gap(14);
  }
  if (report.currencies.length === 0) sheet.heading('Nothing was invoiced this month.', BODY);
  finishPages(pdf, `${report.issuer.name} · Monthly billing report ${report.month}`, null);
  return toBuffer(pdf);
}

import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { renderInvoicePdf, renderMonthlyReportPdf } from './pdf';
import type { DocumentLine, InvoiceDocument, MonthlyReport } from './types';

const november = { periodStart: new Date('2026-11-01Z'), periodEnd: new Date('2026-12-01Z') };

const line = (description: string, amount: string, more: Partial<DocumentLine> = {}) => ({
  kind: 'fixed_fee' as const,
  description,
  ...november,
  quantity: null,
  unit: null,
  unitPrice: null,
  amount,
  tiers: [],
  ...more,
});

// 49.00 + 550.00 + 461.25 + 174.25 = 1,234.50; 20 % tax is 246.90.
const invoice: InvoiceDocument = {
  kind: 'invoice',
  number: 'INV-2026-0107',
  state: 'finalised',
  issuedAt: new Date('2026-12-01T06:00:00Z'),
  dueAt: new Date('2026-12-31Z'),
  ...november,
  currency: 'EUR',
  minorUnits: 2,
  issuer: {
    name: 'Sextant Operations GmbH',
    address: ['Hafenstrasse 1', '20457 Hamburg', 'Germany'],
    taxId: 'DE123456789',
    email: 'billing@sextant.example',
  },
  customer: {
    name: 'ACME Wind Ltd',
    address: ['7 Turbine Row', 'Aberdeen AB10 1XY', 'United Kingdom'],
    taxId: 'GB987654321',
  },
  lines: [
    line('Platform fee, Standard plan', '49.00'),
    line('Points ingested', '550.00', {
      kind: 'usage',
      quantity: '1250000',
      unit: 'points',
      // 1,000,000 × 0.0005 = 500.00, then 250,000 × 0.0002 = 50.00
      tiers: [
        {
          from: '0',
          upTo: '1000000',
          quantity: '1000000',
          unitPrice: '0.0005',
          flatFee: '0',
          amount: '500.00',
        },
        {
          from: '1000000',
          upTo: null,
          quantity: '250000',
          unitPrice: '0.0002',
          flatFee: '0',
          amount: '50.00',
        },
      ],
    }),
    // 512.5 × 0.90 = 461.25
    line('Storage', '461.25', {
      kind: 'usage',
      quantity: '512.5',
      unit: 'GB-month',
      unitPrice: '0.90',
    }),
    // 348,500 × 0.0005 = 174.25
    line('Late data for October', '174.25', {
      kind: 'adjustment',
      periodStart: new Date('2026-10-01Z'),
      periodEnd: new Date('2026-11-01Z'),
      quantity: '348500',
      unit: 'points',
      unitPrice: '0.0005',
    }),
  ],
  subtotal: '1234.50',
  taxRate: '0.2',
  tax: '246.90',
  total: '1481.40',
  corrects: null,
  usageSummary: [
    { metric: 'Points ingested', quantity: '1598500', unit: 'points' },
    { metric: 'Storage', quantity: '512.5', unit: 'GB-month' },
  ],
};

// One fixed fee and no tax: the amount is the total.
const single = (currency: string, minorUnits: number, amount: string): InvoiceDocument => ({
  ...invoice,
  currency,
  minorUnits,
  lines: [line('Platform fee', amount)],
  subtotal: amount,
  taxRate: '0',
  tax: '0',
  total: amount,
  usageSummary: [],
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe(renderInvoicePdf.name, () => {
  it('gives the same bytes for the same invoice', async () => {
    const first = await renderInvoicePdf(invoice);
    const second = await renderInvoicePdf(structuredClone(invoice));
    expect(first.subarray(0, 5).toString()).toBe('%PDF-');
    expect(sha256(second)).toBe(sha256(first));
  });

  it('gives other bytes when an amount changes', async () => {
    const first = await renderInvoicePdf(invoice);
    const second = await renderInvoicePdf({ ...invoice, total: '1481.41' });
    expect(sha256(second)).not.toBe(sha256(first));
  });

  it('dates the file by its issue, not by the clock', async () => {
    const text = (await renderInvoicePdf(invoice)).toString('latin1');
    // The info dictionary refers to its dates as objects.
    expect(text.match(/\(D:\d{14}Z\)/g)).toEqual(['(D:20261201060000Z)', '(D:20261201060000Z)']);
  });

  it('dates a draft by the end of its period', async () => {
    const draft = { ...invoice, number: null, state: 'draft' as const, issuedAt: null };
    const text = (await renderInvoicePdf(draft)).toString('latin1');
    expect(text.match(/\(D:\d{14}Z\)/g)).toEqual(['(D:20261201000000Z)', '(D:20261201000000Z)']);
  });
});

describe(renderMonthlyReportPdf.name, () => {
  it('gives the same bytes for the same report, other bytes for another amount', async () => {
    const first = await renderMonthlyReportPdf(report);
    const second = await renderMonthlyReportPdf(structuredClone(report));
    const changed = await renderMonthlyReportPdf({
      ...report,
      currencies: [{ ...report.currencies[0], paid: '1000.01' }, report.currencies[1]],
    });
    expect(sha256(second)).toBe(sha256(first));
    expect(sha256(changed)).not.toBe(sha256(first));
  });
});

const report: MonthlyReport = {
  month: '2026-11',
  generatedAt: new Date('2026-12-02T03:00:00Z'),
  issuer: invoice.issuer,
  currencies: [
    {
      currency: 'EUR',
      minorUnits: 2,
      invoiced: '12500.00',
      credited: '300.00',
      net: '12200.00',
      paid: '1000.00',
      outstanding: '11200.00',
      previousNet: '11000.00',
      byOrganisation: [
        {
          key: 'org-acme',
          label: 'ACME Wind Ltd',
          invoiced: '10000.00',
          credited: '300.00',
          net: '9700.00',
          paid: '0.00',
          previousNet: '9000.00',
        },
        {
          key: 'org-nord',
          label: 'Nordsee Solar AG',
          invoiced: '2500.00',
          credited: '0.00',
          net: '2500.00',
          paid: '1000.00',
          previousNet: '2000.00',
        },
      ],
      byMetric: [
        { key: 'points', label: 'Points ingested', net: '8000.00', previousNet: '8500.00' },
        { key: 'storage', label: 'Storage', net: '4200.00', previousNet: '2500.00' },
      ],
      byResource: [
        { key: 'vibration.rms', label: 'vibration.rms', net: '12200.00', previousNet: '11000.00' },
      ],
    },
    {
      currency: 'JPY',
      minorUnits: 0,
      invoiced: '1234567',
      credited: '0',
      net: '1234567',
      paid: '0',
      outstanding: '1234567',
      previousNet: '0',
      byOrganisation: [],
      byMetric: [],
      byResource: [],
    },
  ],
};

// Text of each page, as poppler lays it out.
function pdfPages(pdf: Buffer): string[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'sextant-pdf-'));
  try {
    const file = path.join(dir, 'document.pdf');
    writeFileSync(file, pdf);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    // Every page ends with a form feed.
    return text.split('\f').slice(0, -1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const probe = spawnSync('pdftotext', ['-v']);
const missing = probe.error ? `pdftotext is not installed (${probe.error.message})` : null;
if (missing) console.log(`skipping the PDF text tests: ${missing}; apt-get install poppler-utils`);

(missing ? describe.skip : describe)('PDF text (pdftotext)', () => {
  it('shows the invoice number, the parties, every line and the totals', async () => {
    const [page, ...more] = pdfPages(await renderInvoicePdf(invoice));
    expect(more).toHaveLength(0);
    for (const text of [
      'INVOICE',
      'INV-2026-0107',
      'Number           INV-2026-0107',
      'Issued           2026-12-01',
      'Due              2026-12-31',
      '2026-11-01 – 2026-11-30', // [Nov 1, Dec 1) ends on Nov 30
      'ACME Wind Ltd',
      'Tax ID: GB987654321',
      'Tax ID: DE123456789',
      'Platform fee, Standard plan',
      'Points ingested',
      'Storage',
      'Late data for October',
      'Period 2026-10-01 – 2026-10-31',
      '1,250,000 points',
      '512.5 GB-month',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).toMatch(/Subtotal +1,234\.50/);
    expect(page).toMatch(/Tax \(20%\) +246\.90/);
    expect(page).toMatch(/Total +EUR 1,481\.40/);
    // A line of the document's own period names none.
    expect(page).not.toContain('Period 2026-11-01');
  });

  it('breaks a graduated line down by tier, at unit prices past the cent', async () => {
    const [page] = pdfPages(await renderInvoicePdf(invoice));
    expect(page).toMatch(/0 – 1,000,000 +1,000,000 points +0\.0005 +500\.00/);
    expect(page).toMatch(/1,000,000 and above +250,000 points +0\.0002 +50\.00/);
    expect(page).toMatch(/348,500 points +0\.0005 +174\.25/);
  });

  it('shows the usage summary', async () => {
    const [page] = pdfPages(await renderInvoicePdf(invoice));
    const summary = page.slice(page.indexOf('Usage summary'));
    expect(summary).toMatch(/Points ingested +1,598,500 +points/);
    expect(summary).toMatch(/Storage +512\.5 +GB-month/);
  });

  it.each([
    ['EUR', '1234.5', 2, 'EUR 1,234.50'],
    ['JPY', '12345', 0, 'JPY 12,345'],
    ['KWD', '1.235', 3, 'KWD 1.235'],
    ['EUR', '-1234567.891', 2, 'EUR -1,234,567.89'], // half up, on the magnitude
  ])(
    'writes a %s total of %s with %i decimals as %s',
    async (currency, amount, minorUnits, shown) => {
      const [page] = pdfPages(await renderInvoicePdf(single(currency, minorUnits, amount)));
      expect(page).toMatch(new RegExp(`Total +${shown.replace(/[.]/g, '\\.')}(?![\\d.,])`));
    },
  );

  it('titles a credit note and names the invoice it corrects', async () => {
    const note: InvoiceDocument = {
      ...invoice,
      kind: 'credit_note',
      number: 'CN-2026-0003',
      corrects: { number: 'INV-2026-0042', issuedAt: new Date('2026-11-01T06:00:00Z') },
    };
    const [page] = pdfPages(await renderInvoicePdf(note));
    expect(page).toContain('CREDIT NOTE');
    expect(page).toContain('CN-2026-0003');
    expect(page).toContain('Corrects invoice INV-2026-0042 of 2026-11-01');
    expect(page).toContain('Credited to');
  });

  it('titles a draft, which has no number yet', async () => {
    const draft = { ...invoice, number: null, state: 'draft' as const, issuedAt: null };
    const [page] = pdfPages(await renderInvoicePdf(draft));
    expect(page).toContain('DRAFT INVOICE');
    expect(page).toContain('Invoice (draft)');
    expect(page).not.toContain('INV-2026-0107');
  });

  it('marks a void invoice and says why', async () => {
    const voided = { ...invoice, state: 'void' as const, voidReason: 'issued to the wrong entity' };
    const [page] = pdfPages(await renderInvoicePdf(voided));
    expect(page).toContain('VOID');
    expect(page).toContain('This document is void: issued to the wrong entity');
  });

  it('shows letters beyond Latin-1 without their accent', async () => {
    const customer = { ...invoice.customer, name: 'Őrség Energia Kft.' };
    const [page] = pdfPages(await renderInvoicePdf({ ...invoice, customer }));
    expect(page).toContain('Orség Energia Kft.');
  });

  it('continues a long invoice on more pages, with its total on the last', async () => {
    const lines = Array.from({ length: 200 }, (_, i) =>
      line(`Line ${String(i + 1).padStart(3, '0')}`, '1.00'),
    );
    // 200 lines of 1.00
    const long = { ...single('EUR', 2, '200.00'), lines };
    const pages = pdfPages(await renderInvoicePdf(long));
    expect(pages.length).toBeGreaterThan(1);
    const all = pages.join('\n');
    for (let i = 1; i <= 200; i++) {
      expect(all.split(`Line ${String(i).padStart(3, '0')}`)).toHaveLength(2); // exactly once
    }
    // The table's header is repeated on every page.
    for (const page of pages) expect(page).toMatch(/Description +Quantity +Unit price +Amount/);
    expect(pages.at(-1)).toMatch(/Total +EUR 200\.00/);
    expect(pages.slice(0, -1).join('\n')).not.toContain('EUR 200.00');
    expect(pages.at(-1)).toContain(`Page ${pages.length} of ${pages.length}`);
  });

  it('shows the monthly report by currency, organisation, metric and resource', async () => {
    const text = pdfPages(await renderMonthlyReportPdf(report)).join('\n');
    expect(text).toContain('MONTHLY BILLING REPORT');
    expect(text).toContain('2026-11');
    expect(text).toMatch(/Invoiced +12,500\.00/);
    expect(text).toMatch(/Credited +300\.00/);
    expect(text).toMatch(/Net +12,200\.00/);
    expect(text).toMatch(/Paid +1,000\.00/);
    expect(text).toMatch(/Outstanding +11,200\.00/);
    expect(text).toMatch(/Previous month \(net\) +11,000\.00/);
    expect(text).toMatch(/Change +\+1,200\.00/); // 12,200 - 11,000
    expect(text).toMatch(/ACME Wind Ltd +10,000\.00 +300\.00 +9,700\.00 +0\.00 +9,000\.00/);
    expect(text).toMatch(/Points ingested +8,000\.00 +8,500\.00 +-500\.00/);
    expect(text).toMatch(/Storage +4,200\.00 +2,500\.00 +\+1,700\.00/);
    expect(text).toMatch(/vibration\.rms +12,200\.00/);
    // Yen have no minor unit.
    expect(text).toMatch(/Invoiced +1,234,567(?![\d.])/);
  });
});

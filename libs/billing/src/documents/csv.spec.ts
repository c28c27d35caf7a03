import { describe, expect, it } from '@jest/globals';
import { invoicesCsv, monthlyReportCsv, tiersText, usageCsv } from './csv';
import type { InvoiceCsvRow, MonthlyReport, UsageCsvRow } from './types';

const invoiceRow: InvoiceCsvRow = {
  number: 'INV-2026-0107',
  kind: 'invoice',
  state: 'paid',
  organisation: 'ACME Wind Ltd',
  periodStart: new Date('2026-11-01Z'),
  periodEnd: new Date('2026-12-01Z'),
  issuedAt: new Date('2026-12-01T06:00:00Z'),
  currency: 'EUR',
  subtotal: '1234.50',
  tax: '246.90',
  total: '1481.40',
  paidAt: new Date('2026-12-10T09:30:15.250Z'),
  corrects: null,
};

const usageRow: UsageCsvRow = {
  invoice: 'INV-2026-0107',
  organisation: 'ACME Wind Ltd',
  metric: 'points',
  periodStart: new Date('2026-11-01Z'),
  periodEnd: new Date('2026-12-01Z'),
  quantity: '1250000',
  unit: 'points',
  unitPrice: null,
  amount: '550.00',
  currency: 'EUR',
  tiers: [
    {
      from: '0',
      upTo: '1000000',
      quantity: '1000000',
      unitPrice: '0.0005',
      flatFee: '0.00',
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
  kind: 'usage',
};

// The one record of the invoice row with another organisation, and its fields after that.
const record = (organisation: string) =>
  invoicesCsv([{ ...invoiceRow, organisation }])
    .split(/\r\n(?=.)/)[1]
    .replace(/\r\n$/, '');
const rest =
  '2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,2026-12-01T06:00:00.000Z,EUR,1234.50,246.90,1481.40,2026-12-10T09:30:15.250Z,';

// The records of a CSV text, split by CRLF (fields here hold no line breaks unless quoted).
const lines = (csv: string) => csv.split('\r\n');

describe(invoicesCsv.name, () => {
  it('writes a header and a row per invoice, lines ended by CRLF', () => {
    const csv = invoicesCsv([invoiceRow, { ...invoiceRow, number: null, state: 'draft' }]);
    expect(lines(csv)).toEqual([
      'number,kind,state,organisation,period_start,period_end,issued_at,currency,subtotal,tax,total,paid_at,corrects',
      'INV-2026-0107,invoice,paid,ACME Wind Ltd,2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,2026-12-01T06:00:00.000Z,EUR,1234.50,246.90,1481.40,2026-12-10T09:30:15.250Z,',
      ',invoice,draft,ACME Wind Ltd,2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,2026-12-01T06:00:00.000Z,EUR,1234.50,246.90,1481.40,2026-12-10T09:30:15.250Z,',
      '', // the last record ends with CRLF too
    ]);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes an empty file as its header alone', () => {
    expect(invoicesCsv([])).toBe(
      'number,kind,state,organisation,period_start,period_end,issued_at,currency,subtotal,tax,total,paid_at,corrects\r\n',
    );
  });

  it.each([
    ['Smith, Jones & Co', '"Smith, Jones & Co"'],
    ['The "Best" Ltd', '"The ""Best"" Ltd"'],
    ['Line one\nline two', '"Line one\nline two"'],
    ['Carriage\rreturn', '"Carriage\rreturn"'],
    ['Plain', 'Plain'],
  ])('quotes %j as %j', (organisation, field) => {
    expect(record(organisation)).toBe(`INV-2026-0107,invoice,paid,${field},${rest}`);
  });

  it.each([
    ['=HYPERLINK("http://evil.example")', `"'=HYPERLINK(""http://evil.example"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['-12.50', "'-12.50"], // a name is text even when it looks like a number
  ])('guards the text cell %j as %j', (organisation, field) => {
    expect(record(organisation)).toBe(`INV-2026-0107,invoice,paid,${field},${rest}`);
  });

  it('keeps negative amounts numeric (a credit note)', () => {
    const note = {
      ...invoiceRow,
      number: 'CN-2026-0003',
      kind: 'credit_note',
      subtotal: '-12.50',
      tax: '-2.50',
      total: '-15.00',
      corrects: 'INV-2026-0042',
    };
    expect(lines(invoicesCsv([note]))[1]).toContain(',EUR,-12.50,-2.50,-15.00,');
    expect(lines(invoicesCsv([note]))[1]).toMatch(/,INV-2026-0042$/);
  });

  it('guards an amount cell that is no decimal', () => {
    const record = lines(invoicesCsv([{ ...invoiceRow, total: '-1+cmd|calc' }]))[1];
    expect(record).toContain(",246.90,'-1+cmd|calc,");
  });
});

describe(usageCsv.name, () => {
  it('writes a line per usage row with its tiers as one compact field', () => {
    expect(lines(usageCsv([usageRow]))).toEqual([
      'invoice,organisation,metric,kind,period_start,period_end,quantity,unit,unit_price,amount,currency,tiers',
      'INV-2026-0107,ACME Wind Ltd,points,usage,2026-11-01T00:00:00.000Z,2026-12-01T00:00:00.000Z,1250000,points,,550.00,EUR,0-1000000@0.0005;1000000-∞@0.0002',
      '',
    ]);
  });

  it('keeps a negative adjustment numeric and leaves an untiered line empty', () => {
    const adjustment = {
      ...usageRow,
      kind: 'adjustment',
      quantity: '-3000',
      unitPrice: '0.0005',
      amount: '-1.50',
      tiers: [],
    };
    expect(lines(usageCsv([adjustment]))[1]).toMatch(
      /,adjustment,.*,-3000,points,0\.0005,-1\.50,EUR,$/,
    );
  });
});

describe(tiersText.name, () => {
  it('writes a flat fee after the unit price', () => {
    const tier = { ...usageRow.tiers[0], upTo: null, flatFee: '5.00' };
    expect(tiersText([tier])).toBe('0-∞@0.0005+5.00');
  });
});

describe(monthlyReportCsv.name, () => {
  const report: MonthlyReport = {
    month: '2026-11',
    generatedAt: new Date('2026-12-02T03:00:00Z'),
    issuer: { name: 'Sextant Operations GmbH', address: [] },
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
            label: '=ACME, "Wind"',
            invoiced: '10000.00',
            credited: '300.00',
            net: '9700.00',
            paid: '0.00',
            previousNet: '9000.00',
          },
        ],
        byMetric: [{ key: 'points', label: 'Points', net: '-50.00', previousNet: '0.00' }],
        byResource: [
          { key: 'vibration.rms', label: 'vibration.rms', net: '1.00', previousNet: '2.00' },
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

  it('writes one table: totals, then organisations, metrics and resources, per currency', () => {
    expect(lines(monthlyReportCsv(report))).toEqual([
      'currency,dimension,key,label,net,previous_net,invoiced,credited,paid,outstanding',
      'EUR,total,total,Total,12200.00,11000.00,12500.00,300.00,1000.00,11200.00',
      `EUR,organisation,org-acme,"'=ACME, ""Wind""",9700.00,9000.00,10000.00,300.00,0.00,`,
      'EUR,metric,points,Points,-50.00,0.00,,,,',
      'EUR,resource,vibration.rms,vibration.rms,1.00,2.00,,,,',
      'JPY,total,total,Total,1234567,0,1234567,0,0,1234567',
      '',
    ]);
  });
});

import { createTestDatabase, type TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createBilledOrganisation, ensureResource, foldAll, insertMovements } from './testing';
import { createMetric, createPlan, subscribe, type ChargeInput } from './catalogue.repository';
import { BillingEngine } from './invoicing';

// Rounding end to end, one finalised November invoice per row: quantities exactly on tier
// boundaries, ties of half a minor unit (rounded away from zero), tax once on the rounded
// subtotal, packages at exact multiples. JPY has 0 decimals, EUR 2, KWD and BHD 3.

const issuer = {
  code: 'round',
  name: 'Rounding Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};
const nov = new Date('2026-11-01T00:00:00Z');
const dec = new Date('2026-12-01T00:00:00Z');

interface Row {
  case: string;
  currency: 'EUR' | 'JPY' | 'KWD' | 'BHD';
  charge: Omit<ChargeInput, 'metric'>;
  /** The month's quantity, moved in one movement. */
  quantity: string;
  fixedFee?: string;
  taxRate?: string;
  /** Line amounts (fixed fee first, then usage), subtotal, tax and total, as the currency writes them. */
  lines: string[];
  subtotal: string;
  tax: string;
  total: string;
}

const graduated: Omit<ChargeInput, 'metric'> = {
  model: 'graduated',
  tiers: [
    { upTo: '1000', unitPrice: '0.01' },
    { upTo: null, unitPrice: '0.02', flatFee: '5' },
  ],
};
const volume: Omit<ChargeInput, 'metric'> = {
  model: 'volume',
  tiers: [
    { upTo: '1000', unitPrice: '0.01' },
    { upTo: null, unitPrice: '0.005' },
  ],
};
const packages: Omit<ChargeInput, 'metric'> = {
  model: 'package',
  packageSize: '100',
  packagePrice: '2',
};

const rows: Row[] = [
  // 1000 with upTo '1000' is all in tier 1: 1000 × 0.01; tier 2's flat fee is not due.
  {
    case: 'graduated, on the boundary',
    currency: 'EUR',
    charge: graduated,
    quantity: '1000',
    lines: ['10.00'],
    subtotal: '10.00',
    tax: '0.00',
    total: '10.00',
  },
  // 1000 × 0.01 + 1 × 0.02 + the flat fee 5 of tier 2, now entered.
  {
    case: 'graduated, one past the boundary',
    currency: 'EUR',
    charge: graduated,
    quantity: '1001',
    lines: ['15.02'],
    subtotal: '15.02',
    tax: '0.00',
    total: '15.02',
  },
  // 1000.000001 enters tier 2: 10 + 0.000001 × 0.02 + 5 = 15.00000002 -> 15.00.
  {
    case: 'graduated, a millionth past the boundary',
    currency: 'EUR',
    charge: graduated,
    quantity: '1000.000001',
    lines: ['15.00'],
    subtotal: '15.00',
    tax: '0.00',
    total: '15.00',
  },
  // Volume: 1000 is inside tier 1, so every unit at 0.01.
  {
    case: 'volume, on the boundary',
    currency: 'EUR',
    charge: volume,
    quantity: '1000',
    lines: ['10.00'],
    subtotal: '10.00',
    tax: '0.00',
    total: '10.00',
  },
  // Volume: 1000.5 is in tier 2, every unit at 0.005: 5.0025 -> 5.00 (below the tie).
  {
    case: 'volume, past the boundary',
    currency: 'EUR',
    charge: volume,
    quantity: '1000.5',
    lines: ['5.00'],
    subtotal: '5.00',
    tax: '0.00',
    total: '5.00',
  },
  // Volume: 1001 × 0.005 = 5.005, a tie, rounds up to 5.01.
  {
    case: 'volume, a tie past the boundary',
    currency: 'EUR',
    charge: volume,
    quantity: '1001',
    lines: ['5.01'],
    subtotal: '5.01',
    tax: '0.00',
    total: '5.01',
  },
  // 10 × 0.0125 = 0.125 -> 0.13 (half up), tax 20 % of 0.13 = 0.026 -> 0.03.
  {
    case: 'tie of half a cent',
    currency: 'EUR',
    charge: { model: 'per_unit', unitPrice: '0.0125' },
    quantity: '10',
    taxRate: '0.2',
    lines: ['0.13'],
    subtotal: '0.13',
    tax: '0.03',
    total: '0.16',
  },
  // 10 × 0.01249 = 0.1249 -> 0.12 (below the tie).
  {
    case: 'just below a tie',
    currency: 'EUR',
    charge: { model: 'per_unit', unitPrice: '0.01249' },
    quantity: '10',
    lines: ['0.12'],
    subtotal: '0.12',
    tax: '0.00',
    total: '0.12',
  },
  // Two lines of 1.05 at 10 %: tax per line would be 0.105 -> 0.11 twice = 0.22; on the
  // subtotal 2.10 it is 0.21.
  {
    case: 'tax on the subtotal, not per line',
    currency: 'EUR',
    fixedFee: '1.05',
    charge: { model: 'per_unit', unitPrice: '0.0105' },
    quantity: '100',
    taxRate: '0.1',
    lines: ['1.05', '1.05'],
    subtotal: '2.10',
    tax: '0.21',
    total: '2.31',
  },
  // JPY: 3 × 0.5 = 1.5 yen -> 2 (half up).
  {
    case: 'tie of half a yen',
    currency: 'JPY',
    charge: { model: 'per_unit', unitPrice: '0.5' },
    quantity: '3',
    lines: ['2'],
    subtotal: '2',
    tax: '0',
    total: '2',
  },
  // JPY: 100 on the boundary of tiers at 1.5 and 1 yen: 150; fixed fee 99.5 -> 100; tax 10 % of 250 = 25.
  {
    case: 'graduated on the boundary',
    currency: 'JPY',
    fixedFee: '99.5',
    charge: {
      model: 'graduated',
      tiers: [
        { upTo: '100', unitPrice: '1.5' },
        { upTo: null, unitPrice: '1' },
      ],
    },
    quantity: '100',
    taxRate: '0.1',
    lines: ['100', '150'],
    subtotal: '250',
    tax: '25',
    total: '275',
  },
  // JPY: two lines of 0.5 yen each round to 1 (so 2); tax 25 % of 2 = 0.5 -> 1. Per line it
  // would be 25 % of 1 = 0.25 -> 0, twice.
  {
    case: 'tax on the subtotal, not per line',
    currency: 'JPY',
    fixedFee: '0.5',
    charge: { model: 'per_unit', unitPrice: '0.005' },
    quantity: '100',
    taxRate: '0.25',
    lines: ['1', '1'],
    subtotal: '2',
    tax: '1',
    total: '3',
  },
  // KWD: 3 × 0.0005 = 0.0015 -> 0.002 (half up at the third decimal).
  {
    case: 'tie of half a fils',
    currency: 'KWD',
    charge: { model: 'per_unit', unitPrice: '0.0005' },
    quantity: '3',
    lines: ['0.002'],
    subtotal: '0.002',
    tax: '0.000',
    total: '0.002',
  },
  // KWD volume: 250 on the boundary stays at tier 1's 0.0123: 3.075; tax 15 % = 0.46125 -> 0.461.
  {
    case: 'volume on the boundary',
    currency: 'KWD',
    charge: {
      model: 'volume',
      tiers: [
        { upTo: '250', unitPrice: '0.0123' },
        { upTo: null, unitPrice: '0.01' },
      ],
    },
    quantity: '250',
    taxRate: '0.15',
    lines: ['3.075'],
    subtotal: '3.075',
    tax: '0.461',
    total: '3.536',
  },
  // BHD: 1 × 0.1235 -> 0.124 (half up); fixed fee 10.0005 -> 10.001; tax 10 % of 10.125 = 1.0125 -> 1.013.
  {
    case: 'ties on both lines and the tax',
    currency: 'BHD',
    fixedFee: '10.0005',
    charge: { model: 'per_unit', unitPrice: '0.1235' },
    quantity: '1',
    taxRate: '0.1',
    lines: ['10.001', '0.124'],
    subtotal: '10.125',
    tax: '1.013',
    total: '11.138',
  },
  // BHD graduated: 500 = the first tier exactly: 500 × 0.0011 = 0.55.
  {
    case: 'graduated on the boundary',
    currency: 'BHD',
    charge: {
      model: 'graduated',
      tiers: [
        { upTo: '500', unitPrice: '0.0011' },
        { upTo: null, unitPrice: '0.001', flatFee: '1' },
      ],
    },
    quantity: '500',
    lines: ['0.550'],
    subtotal: '0.550',
    tax: '0.000',
    total: '0.550',
  },
  // Packages of 100 at 2: exactly 2 packages.
  {
    case: 'package, an exact multiple',
    currency: 'EUR',
    charge: packages,
    quantity: '200',
    lines: ['4.00'],
    subtotal: '4.00',
    tax: '0.00',
    total: '4.00',
  },
  // 201 starts a third package: 3 × 2.
  {
    case: 'package, one over a multiple',
    currency: 'EUR',
    charge: packages,
    quantity: '201',
    lines: ['6.00'],
    subtotal: '6.00',
    tax: '0.00',
    total: '6.00',
  },
  // 150 less 50 included = 100 billable: one package.
  {
    case: 'package after the included quantity',
    currency: 'EUR',
    charge: { ...packages, includedQuantity: '50' },
    quantity: '150',
    lines: ['2.00'],
    subtotal: '2.00',
    tax: '0.00',
    total: '2.00',
  },
  // JPY packages of 10 at 0.5 yen: 3 packages (21 units) = 1.5 -> 2.
  {
    case: 'package with a tie',
    currency: 'JPY',
    charge: { model: 'package', packageSize: '10', packagePrice: '0.5' },
    quantity: '21',
    lines: ['2'],
    subtotal: '2',
    tax: '0',
    total: '2',
  },
];

/** `value` written with 6 decimals, as the database's amounts read. */
const six = (value: string): string => {
  const [whole, fraction = ''] = value.split('.');
  return `${whole}.${fraction.padEnd(6, '0')}`;
};

describe('billing rounding', () => {
  let db: TestDatabase;
  let pool: Pool;
  let engine: BillingEngine;
  let n = 0;

  beforeAll(async () => {
    db = await createTestDatabase('billing_rounding');
    pool = new Pool({ connectionString: db.url, max: 4 });
    engine = new BillingEngine(pool, issuer);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it.each(rows)('$currency: $case', async (row) => {
    const tag = `r${++n}`;
    const org = await createBilledOrganisation(pool, tag, { taxRate: row.taxRate ?? '0' });
    const resourceId = await ensureResource(pool, `rounding.${tag}`);
    await createMetric(pool, {
      code: tag,
      name: tag,
      unit: 'u',
      resource: `rounding.${tag}`,
      aggregation: 'sum',
    });
    const planId = await createPlan(pool, {
      code: tag,
      name: tag,
      currency: row.currency,
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: row.fixedFee ?? '0',
      charges: [{ metric: tag, ...row.charge }],
    });
    await subscribe(pool, { organisationId: org.id, planId, startsAt: nov });
    await insertMovements(pool, [
      {
        resourceId,
        sourceId: org.machineId,
        destinationId: org.id,
        quantity: row.quantity,
        start: new Date('2026-11-10T12:00:00Z'),
        stop: new Date('2026-11-10T12:01:00Z'),
      },
    ]);
    await foldAll(pool);
    const run = await engine.run({ mode: 'finalise', at: dec, organisationIds: [org.id] });
    expect(run.problems).toEqual([]);

    const { rows: invoices } = await pool.query(
      `SELECT i.subtotal::text, i.tax::text, i.total::text,
              array_agg(l.amount::text ORDER BY l.position) AS lines
         FROM invoice i JOIN invoice_line l ON l.invoice_id = i.id
        WHERE i.organisation_id = $1 AND i.state = 'finalised'
        GROUP BY i.id`,
      [org.id],
    );
    expect(invoices).toEqual([
      {
        lines: row.lines.map(six),
        subtotal: six(row.subtotal),
        tax: six(row.tax),
        total: six(row.total),
      },
    ]);
  });
});

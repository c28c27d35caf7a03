import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMetric, createPlan, subscribe } from './catalogue.repository';
import type { CurrencyReport } from './documents';
import { BillingEngine } from './invoicing';
import { Money } from './money';
import { monthlyReport } from './reports.repository';
import { createBilledOrganisation, ensureResource, foldAll, insertMovements } from './testing';

// The monthly report of two organisations on two currencies, with a paid invoice, a late usage
// adjustment and a credit note: every breakdown sums to the documents to the minor unit.

const issuer = {
  code: 'rep',
  name: 'Report Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};
const nov = new Date('2026-11-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

describe(monthlyReport.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let engine: BillingEngine;

  const sum = (values: string[]) => values.reduce((a, v) => a.plus(v), new Money(0));
  /** Subtotals of the documents issued in a month, per currency: invoices minus credit notes. */
  const netOfDocuments = async (from: string, to: string) =>
    (
      await pool.query<{ currency: string; net: string }>(
        `SELECT currency, sum(CASE WHEN kind = 'credit_note' THEN -subtotal ELSE subtotal END)::text AS net
           FROM invoice WHERE state IN ('finalised', 'paid') AND issued_at >= $1 AND issued_at < $2
          GROUP BY 1 ORDER BY 1`,
        [from, to],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase('billing_reports');
    pool = new Pool({ connectionString: db.url, max: 4 });
    engine = new BillingEngine(pool, issuer);
    const acme = await createBilledOrganisation(pool, 'acme');
    const globex = await createBilledOrganisation(pool, 'globex');
    const rms = await ensureResource(pool, 'vibration.rms');
    const temp = await ensureResource(pool, 'vibration.temp');
    await createMetric(pool, {
      code: 'points',
      name: 'Points ingested',
      unit: 'points',
      resourcePattern: 'vibration.*',
      aggregation: 'sum',
    });
    const euro = await createPlan(pool, {
      code: 'euro',
      name: 'Euro',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '10',
      charges: [{ metric: 'points', model: 'per_unit', unitPrice: '0.0033' }],
    });
    const yen = await createPlan(pool, {
      code: 'yen',
      name: 'Yen',
      currency: 'JPY',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '1000',
      charges: [{ metric: 'points', model: 'per_unit', unitPrice: '0.7' }],
    });
    await subscribe(pool, { organisationId: acme.id, planId: euro, startsAt: nov });
    await subscribe(pool, { organisationId: globex.id, planId: yen, startsAt: nov });
    const move = (
      org: typeof acme,
      resourceId: string,
      quantity: string,
      start: string,
      correctsId?: string,
    ) => ({
      resourceId,
      sourceId: org.machineId,
      destinationId: org.id,
      quantity,
      start: at(start),
      stop: at(start),
      correctsId,
      origin: correctsId ? 'manual' : 'ingest',
    });
    // Uneven resource shares, so that allocation has remainders to place.
    const [, lateAcme] = await insertMovements(pool, [
      move(acme, rms, '1001', '2026-11-03T00:00:00Z'),
      move(acme, temp, '333', '2026-11-04T00:00:00Z'),
      move(globex, rms, '17', '2026-11-05T00:00:00Z'),
      move(globex, temp, '4', '2026-11-06T00:00:00Z'),
    ]);
    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: at('2026-12-02T00:00:00Z') });
    // Acme pays November.
    await pool.query(
      `UPDATE invoice SET state = 'paid', paid_at = now() WHERE kind = 'invoice' AND state = 'finalised' AND organisation_id = $1`,
      [acme.id],
    );
    // Late November usage for globex (an adjustment in January) and a correction lowering acme's
    // November (a credit note in January).
    await insertMovements(pool, [
      move(globex, temp, '9', '2026-11-20T00:00:00Z'),
      move(acme, temp, '-100', '2026-11-04T00:00:00Z', lateAcme),
    ]);
    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: at('2027-01-02T00:00:00Z') });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const expectSums = (report: CurrencyReport) => {
    const net = new Money(report.net);
    expect(new Money(report.invoiced).minus(report.credited).equals(net)).toBe(true);
    expect(new Money(report.paid).plus(report.outstanding).equals(net)).toBe(true);
    for (const rows of [report.byOrganisation, report.byMetric, report.byResource]) {
      expect(sum(rows.map((r) => r.net)).equals(net)).toBe(true);
      expect(sum(rows.map((r) => r.previousNet)).equals(report.previousNet)).toBe(true);
    }
    expect(sum(report.byOrganisation.map((o) => o.invoiced)).equals(report.invoiced)).toBe(true);
    expect(sum(report.byOrganisation.map((o) => o.credited)).equals(report.credited)).toBe(true);
    // Every amount is written to the currency's minor units.
    for (const rows of [report.byOrganisation, report.byMetric, report.byResource])
      for (const row of rows)
        expect(row.net).toMatch(
          new RegExp(`^-?\\d+${report.minorUnits ? `\\.\\d{${report.minorUnits}}` : ''}$`),
        );
  };

  it('sums every breakdown of December to the invoices issued in it, per currency', async () => {
    const report = await monthlyReport(pool, { month: '2026-12', issuer });
    expect(report.currencies.map((c) => c.currency)).toEqual(['EUR', 'JPY']);
    const documents = await netOfDocuments('2026-12-01', '2027-01-01');
    expect(
      report.currencies.map((c) => ({ currency: c.currency, net: new Money(c.net).toString() })),
    ).toEqual(documents.map((d) => ({ currency: d.currency, net: new Money(d.net).toString() })));
    const [eur, jpy] = report.currencies;
    // EUR: 10 fixed + 1334 points x 0.0033 = 4.4022 -> 4.40; paid in full.
    expect(eur).toMatchObject({
      invoiced: '14.40',
      credited: '0.00',
      net: '14.40',
      paid: '14.40',
      outstanding: '0.00',
    });
    // JPY has no minor units: 1000 + 21 x 0.7 = 14.7 -> 15.
    expect(jpy).toMatchObject({ minorUnits: 0, invoiced: '1015', paid: '0', outstanding: '1015' });
    // 4.40 over rms 1001 and temp 333: 3.30 (3.3016...) and 1.10 (1.0983...).
    expect(eur.byResource).toEqual([
      { key: 'fixed-fees', label: 'Fixed fees', net: '10.00', previousNet: '0.00' },
      { key: 'vibration.rms', label: 'vibration.rms', net: '3.30', previousNet: '0.00' },
      { key: 'vibration.temp', label: 'vibration.temp', net: '1.10', previousNet: '0.00' },
    ]);
    // 15 yen over 17 and 4: 12.14 and 2.86, rounded by largest remainder to 12 and 3.
    expect(jpy.byResource.map((r) => [r.key, r.net])).toEqual([
      ['fixed-fees', '1000'],
      ['vibration.rms', '12'],
      ['vibration.temp', '3'],
    ]);
    for (const currency of report.currencies) expectSums(currency);
  });

  it('counts January’s credit note negative and shows December beside it', async () => {
    const report = await monthlyReport(pool, { month: '2027-01', issuer });
    const documents = await netOfDocuments('2027-01-01', '2027-02-01');
    expect(report.currencies.map((c) => new Money(c.net).toString())).toEqual(
      documents.map((d) => new Money(d.net).toString()),
    );
    const eur = report.currencies.find((c) => c.currency === 'EUR')!;
    // December's invoice (10 fixed, no usage) and a credit of 100 points x 0.0033 = 0.33.
    expect(eur).toMatchObject({
      invoiced: '10.00',
      credited: '0.33',
      net: '9.67',
      previousNet: '14.40',
    });
    expect(eur.byMetric).toEqual([
      { key: 'fixed-fees', label: 'Fixed fees', net: '10.00', previousNet: '10.00' },
      { key: 'points', label: 'Points ingested', net: '-0.33', previousNet: '4.40' },
    ]);
    expect(eur.byResource.find((r) => r.key === 'corrections')).toMatchObject({ net: '-0.33' });
    for (const currency of report.currencies) expectSums(currency);
  });

  it('refuses a month that is not YYYY-MM', async () => {
    await expect(monthlyReport(pool, { month: '2026-13', issuer })).rejects.toMatchObject({
      code: 'ValidationFailed',
    });
  });
});

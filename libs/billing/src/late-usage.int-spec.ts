import { createTestDatabase, type TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createBilledOrganisation,
  ensureResource,
  foldAll,
  insertMovements,
  type BilledOrganisation,
} from './testing';
import { createMetric, createPlan, subscribe } from './catalogue.repository';
import { BillingEngine } from './invoicing';

// What happens to usage that arrives after its month was invoiced: a late movement becomes an
// adjustment on the next invoice, a correction a credit note; the finalised invoice stays the
// same to the byte, and voiding it keeps its number.

const issuer = {
  code: 'late',
  name: 'Late Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};
const nov = new Date('2026-11-01T00:00:00Z');
const dec = new Date('2026-12-01T00:00:00Z');
const jan = new Date('2027-01-01T00:00:00Z');
const feb = new Date('2027-02-01T00:00:00Z');

describe('late usage and corrections', () => {
  let db: TestDatabase;
  let pool: Pool;
  let engine: BillingEngine;
  let org: BilledOrganisation;
  let resourceId: string;
  let november: { id: string; hash: string };
  let december: { id: string; hash: string };
  let lateId = '';

  const move = async (start: string, quantity: string, correctsId?: string) =>
    (
      await insertMovements(pool, [
        {
          resourceId,
          sourceId: org.machineId,
          destinationId: org.id,
          quantity,
          start: new Date(start),
          stop: new Date(new Date(start).getTime() + 60_000),
          origin: correctsId ? 'manual' : 'ingest',
          correctsId,
        },
      ])
    )[0]!;

  // Every column of the invoice (the PDF bytes included) and every column of its lines.
  const rowHash = async (id: string): Promise<string> => {
    const { rows } = await pool.query<{ hash: string }>(
      `SELECT encode(sha256(convert_to(
                (SELECT to_jsonb(i)::text FROM invoice i WHERE i.id = $1) ||
                (SELECT COALESCE(jsonb_agg(to_jsonb(l) ORDER BY l.position), '[]'::jsonb)::text
                   FROM invoice_line l WHERE l.invoice_id = $1), 'UTF8')), 'hex') AS hash`,
      [id],
    );
    return rows[0]!.hash;
  };
  const documents = async () =>
    (
      await pool.query(
        `SELECT id, kind, number, state, subtotal::text, tax::text, total::text, corrects_id,
                pdf_sha256, encode(sha256(pdf), 'hex') AS pdf_hash, period_start
           FROM invoice WHERE organisation_id = $1 AND state <> 'draft' ORDER BY issued_at, kind, number`,
        [org.id],
      )
    ).rows;
  const linesOf = async (id: string) =>
    (
      await pool.query(
        `SELECT kind, quantity::text, amount::text, adjusts_id, tx_from IS NOT NULL AS traced
           FROM invoice_line WHERE invoice_id = $1 ORDER BY position`,
        [id],
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase('billing_late_usage');
    pool = new Pool({ connectionString: db.url, max: 4 });
    engine = new BillingEngine(pool, issuer);
    org = await createBilledOrganisation(pool, 'latecomer', { taxRate: '0.2' });
    resourceId = await ensureResource(pool, 'late.points');
    await createMetric(pool, {
      code: 'late-points',
      name: 'Points',
      unit: 'points',
      resource: 'late.points',
      aggregation: 'sum',
    });
    const planId = await createPlan(pool, {
      code: 'late',
      name: 'Late',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '10',
      charges: [
        {
          metric: 'late-points',
          model: 'graduated',
          includedQuantity: '100',
          tiers: [
            { upTo: '1000', unitPrice: '0.1' },
            { upTo: null, unitPrice: '0.05' },
          ],
        },
      ],
    });
    await subscribe(pool, { organisationId: org.id, planId, startsAt: nov });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('finalises November with its PDF', async () => {
    await move('2026-11-10T00:00:00Z', '600');
    await foldAll(pool);
    const run = await engine.run({ mode: 'finalise', at: dec, organisationIds: [org.id] });
    expect(run.finalised).toEqual(['INV-2026-000001']);
    const [invoice] = await documents();
    // 10 fixed + (600 - 100 included) × 0.1 = 60; 20 % tax = 12.
    expect(invoice).toMatchObject({
      number: 'INV-2026-000001',
      subtotal: '60.000000',
      tax: '12.000000',
    });
    expect(invoice.pdf_hash).toBe(invoice.pdf_sha256);
    november = { id: invoice.id, hash: await rowHash(invoice.id) };
  });

  it('puts a late November movement on December as an adjustment, November unchanged byte for byte', async () => {
    lateId = await move('2026-11-20T00:00:00Z', '700');
    await move('2026-12-05T00:00:00Z', '50');
    await foldAll(pool);
    const run = await engine.run({ mode: 'finalise', at: jan, organisationIds: [org.id] });
    expect(run).toMatchObject({ finalised: ['INV-2027-000001'], creditNotes: [], problems: [] });
    expect(await rowHash(november.id)).toBe(november.hash);

    const [, decemberInvoice] = await documents();
    // November re-rated on 1300 points, 1200 past the included 100: 1000 × 0.1 + 200 × 0.05 = 110,
    // of which 50 was billed: 60 more. December: 10 fixed, 50 points within the 100 included,
    // + 60 = 70; tax 14.
    expect(decemberInvoice).toMatchObject({
      number: 'INV-2027-000001',
      subtotal: '70.000000',
      tax: '14.000000',
      total: '84.000000',
    });
    expect(await linesOf(decemberInvoice.id)).toEqual([
      {
        kind: 'fixed_fee',
        quantity: '1.000000',
        amount: '10.000000',
        adjusts_id: null,
        traced: false,
      },
      { kind: 'usage', quantity: '50.000000', amount: '0.000000', adjusts_id: null, traced: false },
      {
        kind: 'adjustment',
        quantity: '700.000000',
        amount: '60.000000',
        adjusts_id: november.id,
        traced: true,
      },
    ]);
    december = { id: decemberInvoice.id, hash: await rowHash(decemberInvoice.id) };
  });

  it('turns a correction of the late movement into a credit note of its own, linked to November', async () => {
    await move('2026-11-20T00:00:00Z', '-700', lateId);
    await foldAll(pool);
    const run = await engine.run({ mode: 'finalise', at: feb, organisationIds: [org.id] });
    expect(run).toMatchObject({ finalised: ['INV-2027-000002'], creditNotes: ['CN-2027-000001'] });
    expect(await rowHash(november.id)).toBe(november.hash);
    expect(await rowHash(december.id)).toBe(december.hash);

    const credit = (await documents()).find((d) => d.kind === 'credit_note')!;
    // November is back to 600 points (50), after 110 billed: 60 credited, at November's 20 %: 12.
    expect(credit).toMatchObject({
      number: 'CN-2027-000001',
      state: 'finalised',
      corrects_id: november.id,
      period_start: nov,
      subtotal: '60.000000',
      tax: '12.000000',
      total: '72.000000',
    });
    expect(credit.pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(credit.pdf_hash).toBe(credit.pdf_sha256);
    const { rows } = await pool.query('SELECT pdf_sha256 FROM invoice WHERE id = ANY($1::uuid[])', [
      [november.id, december.id],
    ]);
    expect(rows.map((r) => r.pdf_sha256)).not.toContain(credit.pdf_sha256);
    expect(await linesOf(credit.id)).toEqual([
      {
        kind: 'credit',
        quantity: '700.000000',
        amount: '60.000000',
        adjusts_id: november.id,
        traced: true,
      },
    ]);
  });

  it('voids November keeping its number, and refuses any other change', async () => {
    await expect(
      pool.query(
        `UPDATE invoice SET state = 'void', void_reason = 'issued to the wrong entity', number = 'INV-2026-999999'
          WHERE id = $1`,
        [november.id],
      ),
    ).rejects.toThrow(/never changes/);
    // A void needs its reason (the check constraint) and its time (the trigger).
    await expect(
      pool.query(`UPDATE invoice SET state = 'void', voided_at = now() WHERE id = $1`, [
        november.id,
      ]),
    ).rejects.toThrow(/invoice_void_reason/);
    await expect(
      pool.query(`UPDATE invoice SET state = 'void', void_reason = 'r' WHERE id = $1`, [
        november.id,
      ]),
    ).rejects.toThrow(/never changes/);
    // Paid and voided times move only with their state.
    await expect(
      pool.query(`UPDATE invoice SET paid_at = now() WHERE id = $1`, [november.id]),
    ).rejects.toThrow(/never changes/);
    await pool.query(
      `UPDATE invoice SET state = 'void', void_reason = 'issued to the wrong entity', voided_at = $2
        WHERE id = $1`,
      [november.id, feb],
    );
    const { rows } = await pool.query(
      'SELECT number, state, void_reason, pdf_sha256, encode(sha256(pdf), $2) AS pdf_hash FROM invoice WHERE id = $1',
      [november.id, 'hex'],
    );
    expect(rows[0]).toMatchObject({ number: 'INV-2026-000001', state: 'void' });
    expect(rows[0].pdf_hash).toBe(rows[0].pdf_sha256);

    for (const change of [
      `SET void_reason = 'another reason'`,
      `SET state = 'finalised', void_reason = NULL`,
      `SET state = 'paid', void_reason = NULL`,
      `SET total = 0`,
    ]) {
      await expect(
        pool.query(`UPDATE invoice ${change} WHERE id = $1`, [november.id]),
      ).rejects.toThrow(/never changes/);
    }
    await expect(
      pool.query(`UPDATE invoice_line SET amount = 0 WHERE invoice_id = $1`, [november.id]),
    ).rejects.toThrow(/never change/);
    await expect(pool.query('DELETE FROM invoice WHERE id = $1', [november.id])).rejects.toThrow(
      /never deleted/,
    );
    // December, still finalised, takes no edit either: not its PDF, nor its issue date.
    for (const change of [
      `SET pdf = 'x'::bytea`,
      `SET issued_at = now()`,
      `SET state = 'draft', number = NULL`,
    ]) {
      await expect(
        pool.query(`UPDATE invoice ${change} WHERE id = $1`, [december.id]),
      ).rejects.toThrow(/never changes/);
    }
    expect(await rowHash(december.id)).toBe(december.hash);
  });
});

import { createHash } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createBilledOrganisation,
  ensureResource,
  foldAll,
  insertMovements,
  type BilledOrganisation,
} from './testing';
import { changePlan, createMetric, createPlan, subscribe } from './catalogue.repository';
import { BillingEngine } from './invoicing';

// A month of an organisation's billing: a draft from the rollups, finalised after the grace
// period with a gap-free number and its PDF; late usage lands on the next invoice, a fall in
// usage becomes a credit note, and nothing finalised changes.

const issuer = {
  code: 'test',
  name: 'Sextant Test Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};
const day = 86_400_000;
const nov = new Date('2026-11-01T00:00:00Z');
const dec = new Date('2026-12-01T00:00:00Z');
const jan = new Date('2027-01-01T00:00:00Z');

describe(BillingEngine.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let engine: BillingEngine;
  let acme: BilledOrganisation;
  let points: string;
  let planId: string;

  const pointsOn = async (at: Date, quantity: string, correctsId?: string) =>
    (
      await insertMovements(pool, [
        {
          resourceId: points,
          sourceId: acme.machineId,
          destinationId: acme.id,
          quantity,
          start: at,
          stop: new Date(at.getTime() + 60_000),
          origin: correctsId ? 'manual' : 'ingest',
          correctsId,
        },
      ])
    )[0]!;
  let lateNovember = '';
  const invoices = async () =>
    (
      await pool.query(
        `SELECT id, kind, number, state, subtotal::text, tax::text, total::text, period_start, pdf_sha256
           FROM invoice ORDER BY created_at, kind`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase('billing_invoicing');
    pool = new Pool({ connectionString: db.url, max: 6 });
    engine = new BillingEngine(pool, issuer);
    acme = await createBilledOrganisation(pool, 'acme', { taxRate: '0.25', graceDays: 3 });
    points = await ensureResource(pool, 'vibration.rms');
    await createMetric(pool, {
      code: 'points',
      name: 'Points ingested',
      unit: 'points',
      resource: 'vibration.rms',
      aggregation: 'sum',
    });
    planId = await createPlan(pool, {
      code: 'standard',
      name: 'Standard',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '30',
      charges: [
        {
          metric: 'points',
          model: 'graduated',
          includedQuantity: '1000',
          tiers: [
            { upTo: '10000', unitPrice: '0.01' },
            { upTo: null, unitPrice: '0.005' },
          ],
        },
      ],
    });
    await subscribe(pool, { organisationId: acme.id, planId, startsAt: nov });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('drafts the current period from the rollups and refreshes it as usage arrives', async () => {
    await pointsOn(new Date('2026-11-03T10:00:00Z'), '6000');
    await foldAll(pool);
    const first = await engine.run({ mode: 'auto', at: new Date('2026-11-20T00:00:00Z') });
    expect(first).toMatchObject({ drafts: 1, finalised: [], problems: [] });
    // 30 + (6000 - 1000 included) x 0.01 = 80.00; tax 25 % = 20.00.
    expect(await invoices()).toMatchObject([
      {
        state: 'draft',
        number: null,
        subtotal: '80.000000',
        tax: '20.000000',
        total: '100.000000',
      },
    ]);
    await pointsOn(new Date('2026-11-25T10:00:00Z'), '9000');
    await foldAll(pool);
    await engine.run({ mode: 'auto', at: new Date('2026-11-30T00:00:00Z') });
    // 15000 points, 14000 past the included 1000: 10000 x 0.01 + 4000 x 0.005 = 120; + 30 = 150.
    expect(await invoices()).toMatchObject([
      { state: 'draft', subtotal: '150.000000', tax: '37.500000' },
    ]);
  });

  it('keeps the draft open through the grace period, then finalises it with a number and its PDF', async () => {
    await engine.run({ mode: 'auto', at: new Date(dec.getTime() + 2 * day) });
    expect((await invoices())[0].state).toBe('draft');
    const run = await engine.run({ mode: 'auto', at: new Date(dec.getTime() + 3 * day) });
    expect(run.finalised).toEqual(['INV-2026-000001']);
    const [november] = await invoices();
    expect(november).toMatchObject({
      state: 'finalised',
      number: 'INV-2026-000001',
      total: '187.500000',
    });
    expect(november.pdf_sha256).toMatch(/^[0-9a-f]{64}$/);
    const { rows } = await pool.query('SELECT pdf FROM invoice WHERE id = $1', [november.id]);
    expect(createHash('sha256').update(rows[0].pdf).digest('hex')).toBe(november.pdf_sha256);
  });

  it('refuses to change a finalised invoice or its lines', async () => {
    const [november] = await invoices();
    await expect(
      pool.query(`UPDATE invoice SET total = 1 WHERE id = $1`, [november.id]),
    ).rejects.toThrow(/never changes/);
    await expect(
      pool.query(`UPDATE invoice_line SET amount = 1 WHERE invoice_id = $1`, [november.id]),
    ).rejects.toThrow(/never change/);
    await expect(pool.query(`DELETE FROM invoice WHERE id = $1`, [november.id])).rejects.toThrow(
      /never deleted/,
    );
  });

  it('puts late November usage on the December invoice as an adjustment, leaving November byte for byte', async () => {
    const [before] = await invoices();
    lateNovember = await pointsOn(new Date('2026-11-28T00:00:00Z'), '2000');
    await pointsOn(new Date('2026-12-02T00:00:00Z'), '500');
    await foldAll(pool);
    await engine.run({ mode: 'auto', at: new Date(jan.getTime() + 3 * day) });
    const [november, december] = await invoices();
    expect(november).toEqual(before);
    const { rows: lines } = await pool.query(
      `SELECT kind, description, quantity::text, amount::text, period_start, adjusts_id
         FROM invoice_line WHERE invoice_id = $1 ORDER BY position`,
      [december.id],
    );
    // December: 30 fixed, 500 points within the 1000 included, and November's 2000 late points
    // at the second tier: 2000 x 0.005 = 10. Issued in January, it numbers in 2027.
    expect(lines).toMatchObject([
      { kind: 'fixed_fee', amount: '30.000000' },
      { kind: 'usage', quantity: '500.000000', amount: '0.000000' },
      { kind: 'adjustment', quantity: '2000.000000', amount: '10.000000', adjusts_id: november.id },
    ]);
    expect(lines[2].description).toMatch(/2026-11-01 to 2026-11-30/);
    expect(december).toMatchObject({ number: 'INV-2027-000001', subtotal: '40.000000' });
  });

  it('turns a correction that lowers November into a credit note linked to it', async () => {
    await pointsOn(new Date('2026-11-28T00:00:00Z'), '-2000', lateNovember);
    await pointsOn(new Date('2026-11-29T00:00:00Z'), '-2000', lateNovember);
    await foldAll(pool);
    await engine.run({ mode: 'auto', at: new Date('2027-02-04T00:00:00Z') });
    const all = await invoices();
    const credit = all.find((i) => i.kind === 'credit_note')!;
    // November billed 17000 points (150 + 10 = 160 before tax); now 13000, 12000 billable:
    // 10000 x 0.01 + 2000 x 0.005 = 110, + 30 fixed = 140, so 20.00 is credited; 25 % tax: 25.00.
    expect(credit).toMatchObject({
      number: 'CN-2027-000001',
      state: 'finalised',
      subtotal: '20.000000',
      total: '25.000000',
      period_start: nov,
    });
    const { rows } = await pool.query('SELECT corrects_id FROM invoice WHERE id = $1', [credit.id]);
    expect(rows[0].corrects_id).toBe(all[0].id);
    // February's draft has no number yet.
    expect(all.filter((i) => i.kind === 'invoice').map((i) => i.number)).toEqual([
      'INV-2026-000001',
      'INV-2027-000001',
      'INV-2027-000002',
      null,
    ]);
  });

  it('gives the same documents when two runs race, with gap-free numbers', async () => {
    const other = await createBilledOrganisation(pool, 'rival');
    await subscribe(pool, { organisationId: other.id, planId, startsAt: nov });
    const at = new Date('2027-02-04T00:00:00Z');
    const runs = await Promise.all([
      engine.run({ mode: 'auto', at }),
      engine.run({ mode: 'auto', at }),
      engine.run({ mode: 'finalise', at }),
    ]);
    expect(runs.flatMap((r) => r.problems)).toEqual([]);
    const { rows } = await pool.query(
      `SELECT subscription_id, period_start, count(*)::int AS n FROM invoice WHERE kind = 'invoice'
        GROUP BY 1, 2 HAVING count(*) > 1`,
    );
    expect(rows).toEqual([]);
    const numbers = (
      await pool.query(
        `SELECT number FROM invoice WHERE kind = 'invoice' AND number LIKE 'INV-2026-%'`,
      )
    ).rows
      .map((r) => Number(r.number.slice(-6)))
      .sort((a, b) => a - b);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  });

  it('splits usage and prorates the fixed fee at a plan change', async () => {
    const org = await createBilledOrganisation(pool, 'switcher');
    const premium = await createPlan(pool, {
      code: 'premium',
      name: 'Premium',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '60',
      charges: [{ metric: 'points', model: 'per_unit', unitPrice: '0.001' }],
    });
    const sub = await subscribe(pool, { organisationId: org.id, planId, startsAt: nov });
    await changePlan(pool, sub, { planId: premium, at: new Date('2026-11-21T00:00:00Z') });
    await insertMovements(pool, [
      {
        resourceId: points,
        sourceId: org.machineId,
        destinationId: org.id,
        quantity: '3000',
        start: new Date('2026-11-05T00:00:00Z'),
        stop: new Date('2026-11-05T00:01:00Z'),
      },
      {
        resourceId: points,
        sourceId: org.machineId,
        destinationId: org.id,
        quantity: '3000',
        start: new Date('2026-11-25T00:00:00Z'),
        stop: new Date('2026-11-25T00:01:00Z'),
      },
    ]);
    await foldAll(pool);
    await engine.run({
      mode: 'refresh',
      at: new Date('2026-11-30T00:00:00Z'),
      organisationIds: [org.id],
    });
    const { rows } = await pool.query(
      `SELECT p.code, i.subtotal::text FROM invoice i JOIN plan p ON p.id = i.plan_id
        WHERE i.organisation_id = $1 ORDER BY i.period_start`,
      [org.id],
    );
    // Standard for 20 of 30 days: 30 x 2/3 = 20, and 3000 points less 1000 x 2/3 included
    // (2333.333333 billable) x 0.01 = 23.33 -> 43.33. Premium for 10 days: 60 / 3 = 20, and
    // 3000 x 0.001 = 3 -> 23.00.
    expect(rows).toEqual([
      { code: 'standard', subtotal: '43.330000' },
      { code: 'premium', subtotal: '23.000000' },
    ]);
  });
});

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
import { BillingEngine, type RunSummary } from './invoicing';

// Billing runs racing: four engines, each on its own pool (as four workers would be), finalise
// the same twenty organisations at once. Each subscription gets one invoice per period and the
// numbers run 1..N with no gap and no duplicate, for invoices and credit notes alike.

const issuer = {
  code: 'race',
  name: 'Race Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};
const nov = new Date('2026-11-01T00:00:00Z');
const organisations = 20;
const engines = 4;

describe('concurrent billing runs', () => {
  let db: TestDatabase;
  let pool: Pool;
  let pools: Pool[] = [];
  const orgs: BilledOrganisation[] = [];
  let resourceId: string;
  const novemberIds = new Map<string, string>();

  const race = async (at: Date): Promise<RunSummary[]> => {
    const runs = await Promise.all(
      pools.map((p) => new BillingEngine(p, issuer).run({ mode: 'finalise', at })),
    );
    expect(runs.flatMap((r) => r.problems)).toEqual([]);
    return runs;
  };
  const numbers = async (kind: 'invoice' | 'credit_note', prefix: string) =>
    (
      await pool.query<{ number: string }>(
        `SELECT number FROM invoice WHERE kind = $1 AND number LIKE $2 ORDER BY number`,
        [kind, `${prefix}%`],
      )
    ).rows.map((r) => r.number);
  const sequence = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(6, '0')}`);
  const duplicates = async () =>
    (
      await pool.query(
        `SELECT subscription_id, period_start, count(*)::int AS n FROM invoice WHERE kind = 'invoice'
          GROUP BY 1, 2 HAVING count(*) > 1`,
      )
    ).rows;

  beforeAll(async () => {
    db = await createTestDatabase('billing_concurrency');
    pool = new Pool({ connectionString: db.url, max: 4 });
    pools = Array.from({ length: engines }, () => new Pool({ connectionString: db.url, max: 3 }));
    resourceId = await ensureResource(pool, 'race.points');
    await createMetric(pool, {
      code: 'race-points',
      name: 'Points',
      unit: 'points',
      resource: 'race.points',
      aggregation: 'sum',
    });
    const planId = await createPlan(pool, {
      code: 'race',
      name: 'Race',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '5',
      charges: [{ metric: 'race-points', model: 'per_unit', unitPrice: '0.01' }],
    });
    for (let i = 0; i < organisations; i++) {
      const org = await createBilledOrganisation(pool, `racer-${i}`, { taxRate: '0.1' });
      await subscribe(pool, { organisationId: org.id, planId, startsAt: nov });
      orgs.push(org);
    }
  });

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await pool?.end();
    await db?.drop();
  });

  const usage = (
    org: BilledOrganisation,
    start: string,
    quantity: string,
    correctsId?: string,
  ) => ({
    resourceId,
    sourceId: org.machineId,
    destinationId: org.id,
    quantity,
    start: new Date(start),
    stop: new Date(new Date(start).getTime() + 60_000),
    correctsId,
  });

  it('gives one invoice per subscription and period, numbered 1..20 without gaps', async () => {
    const ids = await insertMovements(
      pool,
      orgs.map((o, i) => usage(o, '2026-11-10T00:00:00Z', String(100 * (i + 1)))),
    );
    orgs.forEach((o, i) => novemberIds.set(o.id, ids[i]!));
    await foldAll(pool);
    const runs = await race(new Date('2026-12-01T01:00:00Z'));
    expect(await duplicates()).toEqual([]);
    // Twenty November invoices, each finalised by exactly one of the runs.
    const expected = sequence('INV-2026-', organisations);
    expect(await numbers('invoice', 'INV-2026-')).toEqual(expected);
    expect(runs.flatMap((r) => r.finalised).sort()).toEqual(expected);
    // And one December draft each.
    const { rows } = await pool.query(
      `SELECT count(*)::int AS n FROM invoice WHERE state = 'draft' AND period_start = '2026-12-01'`,
    );
    expect(rows[0].n).toBe(organisations);
  });

  it('keeps numbers gap-free for invoices and credit notes when late usage and corrections race', async () => {
    // Half the organisations get late November usage (an adjustment on December), the other
    // half a correction lowering November (a credit note).
    await insertMovements(
      pool,
      orgs.map((o) => usage(o, '2026-11-20T00:00:00Z', '50')),
    );
    await foldAll(pool);
    await insertMovements(
      pool,
      orgs
        .filter((_, i) => i % 2 === 1)
        .map((o) => usage(o, '2026-11-21T00:00:00Z', '-80', novemberIds.get(o.id))),
    );
    await foldAll(pool);
    const runs = await race(new Date('2027-01-01T01:00:00Z'));
    expect(await duplicates()).toEqual([]);

    const invoices = sequence('INV-2027-', organisations);
    expect(await numbers('invoice', 'INV-2027-')).toEqual(invoices);
    expect(runs.flatMap((r) => r.finalised).sort()).toEqual(invoices);
    // 10 organisations: +50 -80 = 30 points less than billed, a credit each.
    const credits = sequence('CN-2027-', organisations / 2);
    expect(await numbers('credit_note', 'CN-2027-')).toEqual(credits);
    expect(runs.flatMap((r) => r.creditNotes).sort()).toEqual(credits);

    // One credit note per corrected invoice, of 30 × 0.01 = 0.30 + 10 % tax.
    const { rows } = await pool.query(
      `SELECT c.corrects_id, count(*)::int AS n, min(c.total::text) AS total
         FROM invoice c WHERE c.kind = 'credit_note' GROUP BY 1`,
    );
    expect(rows).toHaveLength(organisations / 2);
    expect(rows.every((r) => r.n === 1 && r.total === '0.330000')).toBe(true);
    // The other half: one adjustment of 50 × 0.01 on their December invoice.
    const { rows: adjustments } = await pool.query(
      `SELECT i.organisation_id, count(*)::int AS n, min(l.amount::text) AS amount
         FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
        WHERE l.kind = 'adjustment' GROUP BY 1`,
    );
    expect(adjustments).toHaveLength(organisations / 2);
    expect(adjustments.every((r) => r.n === 1 && r.amount === '0.500000')).toBe(true);
    const { rows: counters } = await pool.query(
      `SELECT kind, year, last FROM document_sequence WHERE issuer = $1 ORDER BY year, kind`,
      [issuer.code],
    );
    expect(counters).toEqual([
      { kind: 'invoice', year: 2026, last: organisations },
      { kind: 'invoice', year: 2027, last: organisations },
      { kind: 'credit_note', year: 2027, last: organisations / 2 },
    ]);
  });
});

import { JobPlatform, JobTypeRegistry, type JobWorker } from '@sextant/jobs';
import { startTestWorker, testRegistry, waitForRun } from '@sextant/jobs/testing';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { billingRunType, createBillingRunJob } from './billing-job';
import { dueBillingRuns } from './budgets.repository';
import { createMetric, createPlan, subscribe } from './catalogue.repository';
import { BillingEngine } from './invoicing';
import { recordStorage, storageResource } from './metering.repository';
import {
  createBilledOrganisation,
  ensureResource,
  foldAll,
  insertMovements,
  type BilledOrganisation,
} from './testing';

// Billing runs are jobs: the worker's job platform runs them for the organisation that owns
// them, finalises what is due, and raises an alert on the organisation once per crossed
// budget threshold. The hourly storage reading is a movement like any other.

const nov = new Date('2026-11-01T00:00:00Z');

describe('billing-run jobs', () => {
  let db: TestDatabase;
  let pool: Pool;
  let worker: JobWorker;
  let platform: JobPlatform;
  let acme: BilledOrganisation;

  beforeAll(async () => {
    db = await createTestDatabase('billing_jobs');
    pool = new Pool({ connectionString: db.url, max: 6 });
    const engine = new BillingEngine(pool, {
      code: 'jobs',
      name: 'Issuer',
      address: [],
      paymentTermsDays: 30,
    });
    const billingJob = createBillingRunJob(() => engine);
    worker = await startTestWorker(db.url, { registry: testRegistry([billingJob]) });
    platform = new JobPlatform(pool, new JobTypeRegistry([billingJob]), { workerName: 'test' });
    acme = await createBilledOrganisation(pool, 'acme');
    await ensureResource(pool, 'energy.kwh', 'kWh');
    await createMetric(pool, {
      code: 'energy',
      name: 'Energy',
      unit: 'kWh',
      resource: 'energy.kwh',
      aggregation: 'sum',
    });
    const plan = await createPlan(pool, {
      code: 'metered',
      name: 'Metered',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '0',
      charges: [{ metric: 'energy', model: 'per_unit', unitPrice: '0.5' }],
    });
    await subscribe(pool, { organisationId: acme.id, planId: plan, startsAt: nov });
  });

  afterAll(async () => {
    await worker?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('finalises a period past its grace period when run by the worker, and raises budget alerts once', async () => {
    const energy = await ensureResource(pool, 'energy.kwh');
    await insertMovements(pool, [
      {
        resourceId: energy,
        sourceId: acme.machineId,
        destinationId: acme.id,
        quantity: '180',
        start: new Date('2026-11-10T00:00:00Z'),
        stop: new Date('2026-11-10T01:00:00Z'),
      },
    ]);
    await foldAll(pool);
    await pool.query(
      `INSERT INTO billing_budget (id, organisation_id, kind, amount, thresholds, updated_at)
       VALUES (gen_random_uuid(), $1, 'money', 100, '{80,100}', now())`,
      [acme.id],
    );
    const at = new Date('2026-12-05T00:00:00Z');
    // Nothing is drafted yet, but the budget is checked against invoices: nothing due.
    expect(await dueBillingRuns(pool, at)).toEqual([]);
    const engine = new BillingEngine(pool, {
      code: 'jobs',
      name: 'I',
      address: [],
      paymentTermsDays: 30,
    });
    await engine.run({ mode: 'refresh', at });
    // The November draft (180 x 0.5 = 90.00) is past its grace (3 days) and crosses 80 %.
    expect(await dueBillingRuns(pool, at)).toEqual([acme.id]);

    const run = await platform.submit({
      type: billingRunType,
      params: { mode: 'auto', at: at.toISOString() },
      ownerId: acme.id,
    });
    const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
    expect(done).toMatchObject({ state: 'succeeded', result: { budgetAlerts: 1 } });
    const { rows: invoices } = await pool.query(
      `SELECT number, total::text FROM invoice WHERE organisation_id = $1 AND state = 'finalised'`,
      [acme.id],
    );
    expect(invoices).toEqual([{ number: 'INV-2026-000001', total: '90.000000' }]);
    const alerts = async () =>
      (
        await pool.query(
          `SELECT name FROM item WHERE owner_id = $1 AND kind = 'alert' ORDER BY created_at`,
          [acme.id],
        )
      ).rows.map((r) => r.name);
    // 90.00 of the 100.00 budget: 80 % crossed, 100 % not.
    expect(await alerts()).toEqual([
      expect.stringMatching(/^Budget 80% reached: 90\.00 of 100\.00 EUR/),
    ]);

    // A second run finds nothing due and raises nothing again.
    const again = await platform.submit({
      type: billingRunType,
      params: { mode: 'auto', at: at.toISOString() },
      ownerId: acme.id,
    });
    expect(await waitForRun(pool, again.id, ['succeeded', 'failed'])).toMatchObject({
      state: 'succeeded',
      result: { finalised: [], budgetAlerts: 0 },
    });
    expect(await alerts()).toHaveLength(1);
  });

  it('records the bytes each organisation holds once per hour', async () => {
    await pool.query(
      `INSERT INTO item (id, kind, reference, name, owner_id, updated_at)
       VALUES (gen_random_uuid(), 'model', 'm-1', 'model', $1, now())`,
      [acme.machineId],
    );
    await pool.query(
      `INSERT INTO item_content (item_id, media_type, encoding, size, sha256, data)
       SELECT id, 'application/json', 'gzip', 4096, repeat('0', 64), '\\x00' FROM item WHERE reference = 'm-1'`,
    );
    const hour = new Date('2026-12-07T10:00:00Z');
    expect(await recordStorage(pool, hour)).toBe(1);
    expect(await recordStorage(pool, new Date('2026-12-07T10:59:00Z'))).toBe(0);
    const { rows } = await pool.query(
      `SELECT m.quantity::text, m.start, m.stop, m.origin, m.destination_id FROM movement m
         JOIN resource r ON r.id = m.resource_id WHERE r.reference = $1`,
      [storageResource],
    );
    // The item's content is 4096 bytes, held by the machine's organisation.
    expect(rows).toEqual([
      {
        quantity: '4096.000000',
        start: hour,
        stop: new Date('2026-12-07T11:00:00Z'),
        origin: 'metering',
        destination_id: acme.id,
      },
    ]);
  });
});

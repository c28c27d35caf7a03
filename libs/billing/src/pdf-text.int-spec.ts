import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

// The stored PDFs read back as text (Debian's poppler-utils `pdftotext -layout`): what a
// customer sees is the number, their name, every line with its tiers, and the totals, as
// formatted amounts; a credit note names the invoice it corrects.

const pdftotext = '/usr/bin/pdftotext';
const available = existsSync(pdftotext);
if (!available)
  console.log(`pdf-text.int-spec: skipped, ${pdftotext} is absent (apt-get install poppler-utils)`);
const suite = available ? describe : describe.skip;

const issuer = {
  code: 'pdf',
  name: 'Sextant Billing Ltd',
  address: ['1 Ledger Lane', 'Ledgerton'],
  paymentTermsDays: 14,
};
const nov = new Date('2026-11-01T00:00:00Z');

suite('stored invoice PDFs as text', () => {
  let db: TestDatabase;
  let pool: Pool;
  let engine: BillingEngine;
  let org: BilledOrganisation;
  let resourceId: string;
  let lateId = '';
  let dir = '';

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
  const textOf = async (number: string): Promise<string> => {
    const { rows } = await pool.query<{ pdf: Buffer }>(
      'SELECT pdf FROM invoice WHERE number = $1',
      [number],
    );
    const file = path.join(dir, `${number}.pdf`);
    writeFileSync(file, rows[0]!.pdf);
    return execFileSync(pdftotext, ['-layout', file, '-'], { encoding: 'utf8' });
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'billing-pdf-'));
    db = await createTestDatabase('billing_pdf_text');
    pool = new Pool({ connectionString: db.url, max: 4 });
    engine = new BillingEngine(pool, issuer);
    org = await createBilledOrganisation(pool, 'printworks', { taxRate: '0.2' });
    resourceId = await ensureResource(pool, 'pdf.pages');
    await createMetric(pool, {
      code: 'pages',
      name: 'Pages printed',
      unit: 'pages',
      resource: 'pdf.pages',
      aggregation: 'sum',
    });
    const planId = await createPlan(pool, {
      code: 'press',
      name: 'Press',
      currency: 'EUR',
      interval: 'month',
      effectiveFrom: nov,
      fixedFee: '1000',
      charges: [
        {
          metric: 'pages',
          model: 'graduated',
          includedQuantity: '1000',
          tiers: [
            { upTo: '100000', unitPrice: '0.002' },
            { upTo: null, unitPrice: '0.001', flatFee: '25' },
          ],
        },
      ],
    });
    await subscribe(pool, { organisationId: org.id, planId, startsAt: nov });

    // November: 150,000 pages; finalised on 1 December.
    await move('2026-11-10T00:00:00Z', '150000');
    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: new Date('2026-12-01T00:00:00Z') });
    // Late November pages and December's, finalised on 1 January.
    lateId = await move('2026-11-20T00:00:00Z', '10500');
    await move('2026-12-03T00:00:00Z', '121000');
    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: new Date('2027-01-01T00:00:00Z') });
    // The late pages were a mistake: corrected, credited on 1 February.
    await move('2026-11-20T00:00:00Z', '-10500', lateId);
    await foldAll(pool);
    await engine.run({ mode: 'finalise', at: new Date('2027-02-01T00:00:00Z') });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the number, the customer, every line with its tiers, and the totals', async () => {
    const text = await textOf('INV-2027-000001');
    expect(text).toMatch(/^\s*INVOICE\b/m);
    expect(text).toMatch(/Number\s+INV-2027-000001/);
    expect(text).toMatch(/Issued\s+2027-01-01/);
    expect(text).toMatch(/Due\s+2027-01-15/);
    expect(text).toMatch(/Period\s+2026-12-01 – 2026-12-31/);
    expect(text).toMatch(/Bill to/);
    expect(text).toMatch(/printworks Ltd/);
    expect(text).toMatch(/1 Test Street/);
    expect(text).toMatch(/Sextant Billing Ltd/);
    expect(text).toMatch(/Press: fixed fee\s+1 month\s+1,000\.00\s+1,000\.00/);
    // 121,000 pages less 1,000 included: 100,000 × 0.002 = 200 and 20,000 × 0.001 + 25 flat = 45.
    expect(text).toMatch(/Pages printed\s+121,000 pages\s+245\.00/);
    expect(text).toMatch(/0 – 100,000\s+100,000 pages\s+0\.002\s+200\.00/);
    expect(text).toMatch(/100,000 and above \+ 25\.00 flat\s+20,000 pages\s+0\.001\s+45\.00/);
    // November re-rated with the late 10,500 pages: 159,500 billable, 59,500 × 0.001 more than
    // the 49,000 billed at the second tier: 10.50, with November's period and invoice named.
    expect(text).toMatch(/Pages printed: late usage for 2026-11-01 to\s+10,500 pages\s+10\.50/);
    expect(text).toMatch(/2026-11-30 \(invoice INV-2026-000001\)/);
    expect(text).toMatch(/Period 2026-11-01 – 2026-11-30/);
    // 1,000 + 245 + 10.50 = 1,255.50; 20 % tax = 251.10.
    expect(text).toMatch(/Subtotal\s+1,255\.50/);
    expect(text).toMatch(/Tax \(20%\)\s+251\.10/);
    expect(text).toMatch(/Total\s+EUR 1,506\.60/);
  });

  it('shows a credit note with the invoice it corrects', async () => {
    const text = await textOf('CN-2027-000001');
    expect(text).toMatch(/^\s*CREDIT NOTE\b/m);
    expect(text).toMatch(/Number\s+CN-2027-000001/);
    expect(text).toMatch(/Corrects invoice INV-2026-000001 of 2026-12-01/);
    expect(text).toMatch(/Credited to/);
    expect(text).toMatch(/printworks Ltd/);
    expect(text).toMatch(/10,500 pages\s+10\.50/);
    // 10.50 credited, and November's 20 % tax on it: 2.10.
    expect(text).toMatch(/Subtotal\s+10\.50/);
    expect(text).toMatch(/Tax \(20%\)\s+2\.10/);
    expect(text).toMatch(/Total\s+EUR 12\.60/);
  });

  it('shows November as finalised, before the late pages', async () => {
    const text = await textOf('INV-2026-000001');
    // 1,000 fixed + 100,000 × 0.002 + 49,000 × 0.001 + 25 = 1,274.00; tax 254.80.
    expect(text).toMatch(/Pages printed\s+150,000 pages\s+274\.00/);
    expect(text).toMatch(/Subtotal\s+1,274\.00/);
    expect(text).toMatch(/Tax \(20%\)\s+254\.80/);
    expect(text).toMatch(/Total\s+EUR 1,528\.80/);
    expect(text).not.toMatch(/late usage/);
  });
});

import path from 'node:path';
import Decimal from 'decimal.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { chromiumFor, docsScreenshot, launchChromium, signedInPage } from '../support/browser';
import { api } from '../support/http';

const hasChromium = chromiumFor('billing');

interface InvoiceRow {
  id: string;
  number: string | null;
  kind: 'invoice' | 'credit_note';
  state: string;
}
interface InvoiceDetailBody extends InvoiceRow {
  lines: { id: string; kind: string }[];
}

/** An amount as the page shows it ('1,234.50 EUR') as a decimal and its currency. */
function readMoney(text: string): { amount: Decimal; currency: string } {
  const match = /^(-?[\d,]+(?:\.\d+)?) ([A-Z]{3})$/.exec(text.trim());
  if (!match) throw new Error(`not an amount: ${JSON.stringify(text)}`);
  return { amount: new Decimal(match[1].replace(/,/g, '')), currency: match[2] };
}

(!hasChromium ? describe.skip : describe)('billing pages in Chromium', () => {
  let browser: Browser;
  let billing: Page;
  let acmeId: string;
  let invoices: InvoiceDetailBody[];
  const portal = () => inject('portalUrl');
  const shot = (page: Page, name: string) =>
    page.screenshot({ path: path.join(inject('artefactsDir'), `${name}.png`), fullPage: true });

  beforeAll(async () => {
    const nodes = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    acmeId = nodes.body.items.find((n) => n.reference === 'acme')!.id;
    // The demo invoices of ACME, with their lines (read as the platform administrator), to
    // know which page holds the adjustment and which the credit note.
    const list = await api<{ items: InvoiceRow[] }>(
      'GET',
      `/api/billing/invoices?organisationId=${acmeId}&limit=100`,
    );
    invoices = [];
    for (const row of list.body.items) {
      const detail = await api<InvoiceDetailBody>('GET', `/api/billing/invoices/${row.id}`);
      invoices.push(detail.body);
    }
    browser = await launchChromium();
    billing = await signedInPage(browser, 'billing@acme.example');
    billing.setDefaultTimeout(60_000);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the current usage of each metric with its forecast, the draft and the budgets', async () => {
    await billing.goto(`${portal()}/billing`);
    await billing.getByRole('navigation', { name: 'Main' }).getByText('Billing').waitFor();
    await billing.locator('[data-testid^="usage-chart-"]').first().waitFor();
    const forecasts = await billing.getByTestId('usage-forecast').allTextContents();
    expect(forecasts.length).toBeGreaterThan(0);
    // A forecast is a quantity to the period's end, never the '—' of a metric without one.
    expect(forecasts.some((text) => /^\d[\d,.]* \S+ by the period's end/.test(text))).toBe(true);
    await billing.locator('[data-testid$="-forecast"]').first().waitFor();
    expect(await billing.getByTestId('settled-up-to').textContent()).not.toBe('—');
    readMoney((await billing.getByTestId('draft-total').textContent()) ?? '');
    await shot(billing, 'billing-usage');
    await docsScreenshot(billing, 'billing');

    // Refresh draft submits a billing run; the page follows it.
    await billing.getByRole('button', { name: 'Refresh draft' }).click();
    await billing.getByTestId('billing-run').waitFor();
  });

  it('lists the three closed months and the draft', async () => {
    await billing.goto(`${portal()}/billing/invoices?organisation=${acmeId}`);
    const table = billing.getByTestId('billing-invoices');
    await table.locator('tbody tr').first().waitFor();
    await billing.locator('#filter-kind').selectOption('invoice');
    await table.getByText('draft').first().waitFor();
    const numbers = await table.getByTestId('invoice-link').allTextContents();
    const closed = numbers.filter((n) => /^INV-\d{4}-\d{6}$/.test(n));
    // Three closed months, each finalised with a number; the current month is a draft.
    expect(closed.length).toBeGreaterThanOrEqual(3);
    expect(numbers.filter((n) => n === 'draft')).toHaveLength(1);
    await shot(billing, 'billing-invoices');
  });

  it('shows an adjustment line with its own period, and the movements of a line', async () => {
    const adjusted = invoices.find((i) => i.lines.some((l) => l.kind === 'adjustment'));
    expect(adjusted).toBeDefined();
    await billing.goto(`${portal()}/billing/invoices/${adjusted!.id}`);
    const line = billing.getByTestId('line-adjustment').first();
    await line.waitFor();
    const period = (await line.getByTestId('line-period').textContent()) ?? '';
    // The adjustment bills an earlier period than the invoice's own.
    expect(period).toMatch(/^usage of \d{4}-\d{2}-\d{2} – \d{4}-\d{2}-\d{2}$/);
    const invoicePeriod = (await billing.getByTestId('invoice-period').textContent()) ?? '';
    expect(period).not.toContain(invoicePeriod);
    await line.getByTestId('line-adjusts').getByRole('link').waitFor();

    const usage = billing.getByTestId('line-usage').first();
    await usage.getByTestId('line-movements-toggle').click();
    const movements = billing.getByTestId('line-movements');
    await movements.locator('tbody tr code').first().waitFor();
    expect(await movements.locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    await shot(billing, 'billing-invoice-adjustment');
  });

  it('links a credit note to the invoice it corrects, and back', async () => {
    const note = invoices.find((i) => i.kind === 'credit_note' && i.number);
    expect(note).toBeDefined();
    await billing.goto(`${portal()}/billing/invoices/${note!.id}`);
    // The link shows the corrected invoice's number once it has loaded it.
    const corrects = billing.getByTestId('corrects').getByRole('link', { name: /^INV-/ });
    await corrects.waitFor();
    const corrected = (await corrects.textContent()) ?? '';
    expect(corrected).toMatch(/^INV-/);
    await shot(billing, 'billing-credit-note');
    await corrects.click();
    await billing.getByTestId('invoice-number').filter({ hasText: corrected }).waitFor();
    await billing.getByTestId('corrected-by').getByText(note!.number!).waitFor();
  });

  it('downloads the PDF of an invoice', async () => {
    const href = await billing.getByTestId('invoice-pdf').getAttribute('href');
    const response = await billing.request.get(`${portal()}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^application\/pdf/);
    const body = await response.body();
    expect(body.subarray(0, 4).toString('latin1')).toBe('%PDF');
  });

  it('shows a viewer no Billing entry and no money at its address', async () => {
    const viewer = await signedInPage(browser, 'viewer@acme.example');
    await viewer.goto(`${portal()}/billing`);
    await viewer.getByTestId('billing-no-access').waitFor();
    const nav = viewer.getByRole('navigation', { name: 'Main' });
    await nav.getByText('Nodes').waitFor();
    expect(await nav.getByText('Billing').count()).toBe(0);
    expect(await viewer.locator('.money').count()).toBe(0);
    await viewer.goto(`${portal()}/billing/invoices`);
    await viewer.getByTestId('billing-no-access').waitFor();
    expect(await viewer.locator('.money').count()).toBe(0);
    expect(await viewer.locator('main').textContent()).not.toMatch(/\d\.\d{2} [A-Z]{3}/);
    await shot(viewer, 'billing-viewer');
    await viewer.context().close();
  });

  it("shows a platform administrator a monthly report whose totals are the sums of the month's invoices", async () => {
    const admin = await signedInPage(browser);
    admin.setDefaultTimeout(60_000);
    // Every organisation's invoices, a page at a time: number, kind, state, issue day, subtotal.
    await admin.goto(`${portal()}/billing/invoices`);
    const table = admin.getByTestId('billing-invoices');
    await table.locator('tbody tr').first().waitFor();
    const rows: { kind: string; state: string; issued: string; subtotal: string }[] = [];
    for (;;) {
      await table.getByTestId('invoice-link').first().waitFor();
      rows.push(
        ...(await table.locator('tbody tr').evaluateAll((trs) =>
          trs.map((tr) => {
            const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
            return { kind: cells[1], state: cells[2], issued: cells[5], subtotal: cells[6] };
          }),
        )),
      );
      const next = admin.getByRole('button', { name: 'Next →' });
      if (await next.isDisabled()) break;
      const first = await table.getByTestId('invoice-link').first().textContent();
      await next.click();
      await table
        .getByTestId('invoice-link')
        .first()
        .filter({ hasNotText: first ?? '' })
        .waitFor();
    }
    const issued = rows.filter((r) => /^\d{4}-\d{2}-\d{2}$/.test(r.issued));
    expect(issued.length).toBeGreaterThan(0);
    // The month of the latest issued document: reports count documents by their issue date.
    const month = issued
      .map((r) => r.issued.slice(0, 7))
      .sort()
      .at(-1)!;
    const invoiced = new Map<string, Decimal>();
    for (const row of issued) {
      if (row.issued.slice(0, 7) !== month || row.kind !== 'invoice') continue;
      if (row.state !== 'finalised' && row.state !== 'paid') continue;
      const { amount, currency } = readMoney(row.subtotal);
      invoiced.set(currency, (invoiced.get(currency) ?? new Decimal(0)).plus(amount));
    }
    expect(invoiced.size).toBeGreaterThan(0);

    await admin.goto(`${portal()}/billing/reports`);
    await admin.locator('#report-month').fill(month);
    for (const [currency, sum] of invoiced) {
      const shown = admin.getByTestId(`report-${currency}`).getByTestId('report-invoiced');
      await shown.waitFor();
      const { amount } = readMoney((await shown.textContent()) ?? '');
      expect(amount.toFixed()).toBe(sum.toFixed());
    }
    await shot(admin, 'billing-report');
    await admin.context().close();
  });
});

import { createHash, randomUUID } from 'node:crypto';
import { BillingEngine } from '@sextant/billing';
import { foldAll } from '@sextant/billing/testing';
import { createTestDatabase } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, organisationTree, type ApiTestBed } from '../testing/api-harness';
import { BillingService } from './billing.service';

// The billing API end to end: a metric and a plan (with an override), a subscription, movements
// (and a correction) recorded through the API, folded into rollups and billed; then the invoice,
// its lines and the movements of a line, its PDF, the CSVs, usage with a forecast, budgets, a
// billing run, payment, voiding and the monthly report. Viewers see no money; the billing role
// of one organisation sees its own and nothing of another's.

const A = { org: randomUUID(), site: randomUUID(), machine: randomUUID(), lake: randomUUID() };
const B = { org: randomUUID(), site: randomUUID(), machine: randomUUID(), lake: randomUUID() };
const issuer = {
  code: 'api',
  name: 'API Issuer',
  address: ['1 Ledger Lane'],
  paymentTermsDays: 14,
};
const nov = '2026-11-01T00:00:00.000Z';

interface Invoice {
  id: string;
  number: string | null;
  state: string;
  kind: string;
  organisationId: string;
  subtotal: string;
  tax: string;
  total: string;
  pdfSha256: string | null;
  voidReason: string | null;
  lines: { id: string; kind: string; quantity: string | null; amount: string }[];
}

describe('billing API', () => {
  let bed: ApiTestBed;
  let planId = '';
  let resourceId = '';
  const movements: string[] = [];
  let november: Invoice;
  const as = (who: string) => bed.tokens[`${who}@billing.test`]!;
  const call = <T = Record<string, unknown>>(
    who: string,
    method: string,
    url: string,
    body?: unknown,
  ) => bed.api.call<T>(method, url, { token: as(who), body });

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('billing_api'), {
      nodes: [...organisationTree(A, 'acme'), ...organisationTree(B, 'globex')],
      members: [
        ['admin@billing.test', A.site, 'viewer'],
        ['owner@billing.test', A.org, 'owner'],
        ['billing@billing.test', A.org, 'billing'],
        ['viewer@billing.test', A.org, 'viewer'],
        ['operator@billing.test', A.org, 'operator'],
        ['globex@billing.test', B.org, 'owner'],
      ],
    });
    await bed.sql.query(
      `UPDATE app_user SET platform_admin = true WHERE email = 'admin@billing.test'`,
    );
    resourceId = (
      await bed.sql.query<{ id: string }>(
        `INSERT INTO resource (id, reference, name, unit, value_type, updated_at)
         VALUES ($1, 'vibration.rms', 'Vibration RMS', 'points', 'float', now()) RETURNING id`,
        [randomUUID()],
      )
    ).rows[0]!.id;
  });

  afterAll(async () => {
    await bed?.close();
  });

  it('keeps the catalogue for platform admins, and plans (prices) from viewers', async () => {
    const metric = await call('admin', 'POST', '/api/billing/metrics', {
      code: 'points',
      name: 'Points ingested',
      unit: 'points',
      resource: 'vibration.rms',
      aggregation: 'sum',
    });
    expect(metric.status).toBe(201);
    expect((await call('owner', 'POST', '/api/billing/metrics', { code: 'x' })).status).toBe(403);
    // Metrics carry no prices: anyone signed in reads them.
    const listed = await call<{ code: string }[]>('viewer', 'GET', '/api/billing/metrics');
    expect(listed.body.map((m) => m.code)).toEqual(['points']);
    const plan = await call<{ id: string }>('admin', 'POST', '/api/billing/plans', {
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
    expect(plan.status).toBe(201);
    planId = plan.body.id;
    const override = await call('admin', 'POST', `/api/billing/plans/${planId}/versions`, {
      effectiveFrom: '2027-01-01T00:00:00Z',
      organisationId: A.org,
      fixedFee: '20',
      charges: [],
    });
    expect(override.status).toBe(201);
    // An owner cannot price its own organisation; another organisation's id is not found.
    const own = await call('owner', 'POST', `/api/billing/plans/${planId}/versions`, {
      effectiveFrom: '2027-02-01T00:00:00Z',
      organisationId: A.org,
      charges: [],
    });
    expect(own.status).toBe(403);
    const detail = (who: string) =>
      call<{ versions: { organisationId: string | null }[] }>(
        who,
        'GET',
        `/api/billing/plans/${planId}`,
      );
    expect((await detail('admin')).body.versions.map((v) => v.organisationId)).toEqual([
      null,
      A.org,
    ]);
    // Overrides are the platform's business: the billing role sees the plan's own prices.
    expect((await detail('billing')).body.versions.map((v) => v.organisationId)).toEqual([null]);
    for (const who of ['viewer', 'operator'])
      expect((await call(who, 'GET', '/api/billing/plans')).status).toBe(403);
  });

  it('lets the billing role subscribe and describe its organisation, not set its tax', async () => {
    const sub = await call<{ planCode: string }>(
      'billing',
      'POST',
      `/api/billing/organisations/${A.org}/subscriptions`,
      { planId, startsAt: nov },
    );
    expect(sub).toMatchObject({ status: 201, body: { planCode: 'standard' } });
    const again = await call(
      'billing',
      'POST',
      `/api/billing/organisations/${A.org}/subscriptions`,
      {
        planId,
        startsAt: nov,
      },
    );
    expect(again).toMatchObject({ status: 409, body: { code: 'SubscriptionExists' } });
    const account = await call('billing', 'PUT', `/api/billing/organisations/${A.org}/account`, {
      legalName: 'Acme Ltd',
      address: ['1 Test Street', 'Testville'],
    });
    expect(account).toMatchObject({ status: 200, body: { legalName: 'Acme Ltd', taxRate: '0' } });
    const tax = await call('billing', 'PUT', `/api/billing/organisations/${A.org}/account`, {
      taxRate: '0',
    });
    expect(tax).toMatchObject({ status: 403, body: { errors: [{ field: 'taxRate' }] } });
    const set = await call('admin', 'PUT', `/api/billing/organisations/${A.org}/account`, {
      taxRate: '0.25',
    });
    expect(set.body).toMatchObject({ legalName: 'Acme Ltd', taxRate: '0.25', graceDays: 3 });
    // A machine is not billed.
    const machine = await call('billing', 'GET', `/api/billing/organisations/${A.machine}/account`);
    expect(machine).toMatchObject({ status: 400, body: { errors: [{ field: 'id' }] } });
    for (const who of ['viewer', 'operator'])
      expect(
        (await call(who, 'GET', `/api/billing/organisations/${A.org}/subscriptions`)).status,
      ).toBe(403);
  });

  it('records movements and corrections, refusing a correction that moves elsewhere', async () => {
    const movement = (quantity: string, start: string, more: Record<string, unknown> = {}) => ({
      resourceId,
      sourceId: A.machine,
      destinationId: A.lake,
      quantity,
      start,
      stop: start,
      ...more,
    });
    for (const [quantity, start] of [
      ['6000', '2026-11-03T10:00:00Z'],
      ['9000', '2026-11-25T10:00:00Z'],
      ['3000', '2026-12-02T10:00:00Z'],
      ['1000', '2026-12-10T10:00:00Z'],
    ]) {
      const reply = await call<{ id: string }>(
        'owner',
        'POST',
        '/api/movements',
        movement(quantity, start),
      );
      expect(reply.status).toBe(201);
      movements.push(reply.body.id);
    }
    const negative = await call(
      'owner',
      'POST',
      '/api/movements',
      movement('-5', '2026-11-04T00:00:00Z'),
    );
    expect(negative).toMatchObject({ status: 400, body: { errors: [{ field: 'quantity' }] } });
    const elsewhere = await call(
      'owner',
      'POST',
      '/api/movements',
      movement('-1000', '2026-11-04T00:00:00Z', {
        correctsId: movements[0],
        destinationId: A.site,
      }),
    );
    expect(elsewhere).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'destinationId' }] },
    });
    const correction = await call<{ id: string; correctsId: string; quantity: string }>(
      'owner',
      'POST',
      '/api/movements',
      movement('-1000', '2026-11-04T00:00:00Z', { correctsId: movements[0] }),
    );
    expect(correction.body).toMatchObject({ correctsId: movements[0], quantity: '-1000' });
    movements.push(correction.body.id);
  });

  it('bills the month and lists its invoice, lines and the exact movements of a line', async () => {
    await foldAll(bed.sql);
    const engine = new BillingEngine(bed.sql, issuer);
    const run = await engine.run({ mode: 'finalise', at: new Date('2026-12-02T12:00:00Z') });
    expect(run).toMatchObject({ finalised: ['INV-2026-000001'], problems: [] });
    const list = await call<{ items: Invoice[] }>('billing', 'GET', '/api/billing/invoices');
    // Newest period first: December's draft, then November's invoice.
    expect(list.body.items.map((i) => [i.state, i.number])).toEqual([
      ['draft', null],
      ['finalised', 'INV-2026-000001'],
    ]);
    const got = await call<Invoice>(
      'billing',
      'GET',
      `/api/billing/invoices/${list.body.items[1]!.id}`,
    );
    november = got.body;
    // 14000 points (6000 + 9000 - 1000 corrected), 13000 past the included 1000:
    // 10000 x 0.01 + 3000 x 0.005 = 115, + 30 fixed = 145.00; 25 % tax = 36.25.
    expect(november).toMatchObject({ subtotal: '145.00', tax: '36.25', total: '181.25' });
    expect(november.lines.map((l) => [l.kind, l.quantity, l.amount])).toEqual([
      ['fixed_fee', '1', '30.00'],
      ['usage', '14000', '115.00'],
    ]);
    const usageLine = november.lines[1]!.id;
    const url = `/api/billing/invoices/${november.id}/lines/${usageLine}/movements`;
    const first = await call<{ items: { id: string }[]; nextCursor: string | null }>(
      'billing',
      'GET',
      `${url}?limit=2`,
    );
    const rest = await call<{ items: { id: string }[]; nextCursor: string | null }>(
      'billing',
      'GET',
      `${url}?limit=2&cursor=${first.body.nextCursor}`,
    );
    // November's three movements by start: the 6000, its correction, the 9000.
    expect([...first.body.items, ...rest.body.items].map((m) => m.id)).toEqual([
      movements[0],
      movements[4],
      movements[1],
    ]);
    expect(rest.body.nextCursor).toBeNull();
    const fee = await call<{ items: unknown[] }>(
      'billing',
      'GET',
      `/api/billing/invoices/${november.id}/lines/${november.lines[0]!.id}/movements`,
    );
    expect(fee.body.items).toEqual([]);
    const gql = await bed.api.graphql<{ invoice: { total: string; lines: { amount: string }[] } }>(
      `{ invoice(id: "${november.id}") { total lines { amount } } }`,
      undefined,
      as('billing'),
    );
    // Money is a decimal string in GraphQL too.
    expect(gql.body.data?.invoice).toEqual({
      total: '181.25',
      lines: [{ amount: '30.00' }, { amount: '115.00' }],
    });
  });

  it('serves the PDF as issued, a draft rendered now, and the CSV exports', async () => {
    const pdf = await bed.api.call('GET', `/api/billing/invoices/${november.id}/pdf`, {
      token: as('billing'),
    });
    expect(pdf.status).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toContain('INV-2026-000001');
    const bytes = Buffer.from(
      await bed.api.app
        .getHttpAdapter()
        .getInstance()
        .inject({
          method: 'GET',
          url: `/api/billing/invoices/${november.id}/pdf`,
          headers: { authorization: `Bearer ${as('billing')}` },
        })
        .then((r) => r.rawPayload),
    );
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(november.pdfSha256);
    const list = await call<{ items: Invoice[] }>(
      'billing',
      'GET',
      '/api/billing/invoices?state=draft',
    );
    const draft = await bed.api.call('GET', `/api/billing/invoices/${list.body.items[0]!.id}/pdf`, {
      token: as('billing'),
    });
    expect(draft.status).toBe(200);
    expect(String(draft.body).startsWith('%PDF')).toBe(true);
    const invoices = await call('billing', 'GET', '/api/billing/invoices.csv');
    expect(invoices.headers['content-type']).toMatch(/^text\/csv/);
    expect(String(invoices.body)).toContain('INV-2026-000001');
    const usage = await call(
      'billing',
      'GET',
      `/api/billing/usage-lines.csv?organisationId=${A.org}`,
    );
    expect(String(usage.body)).toContain('Points ingested');
    // A viewer's scope holds no money: the exports are empty (a header line).
    const empty = await call('viewer', 'GET', '/api/billing/invoices.csv');
    expect(String(empty.body)).not.toContain('INV-2026');
  });

  it('shows the current period from the rollups with a linear forecast', async () => {
    const service = bed.api.app.get(BillingService);
    const usage = await service.usage(A.org, 'day', new Date('2026-12-16T00:00:00Z'));
    // December so far: 3000 + 1000 points, 1000 included: 3000 x 0.01 = 30.00. 15 of 31 days
    // elapsed: 4000 x 31 / 15 = 8266.666667 points, 7266.67 billable: 72.67.
    expect(usage.metrics).toMatchObject([
      {
        code: 'points',
        quantity: '4000',
        included: '1000',
        amount: '30',
        forecastQuantity: '8266.666667',
        forecastAmount: '72.67',
        series: [
          { at: new Date('2026-12-02T00:00:00Z'), quantity: '3000' },
          { at: new Date('2026-12-10T00:00:00Z'), quantity: '1000' },
        ],
      },
    ]);
    expect(usage.metrics[0]!.rolledAt).toBeInstanceOf(Date);
    const http = await call<{ metrics: { quantity: string }[]; periodStart: string }>(
      'billing',
      'GET',
      `/api/billing/organisations/${A.org}/usage?every=hour`,
    );
    expect(http.status).toBe(200);
    expect(http.body.periodStart).toBe('2026-12-01T00:00:00.000Z');
    expect(http.body.metrics[0]!.quantity).toBe('4000');
    expect((await call('viewer', 'GET', `/api/billing/organisations/${A.org}/usage`)).status).toBe(
      403,
    );
  });

  it('keeps budgets, and starts billing runs from billing only', async () => {
    const url = `/api/billing/organisations/${A.org}/budgets`;
    const budget = await call<{ id: string; thresholds: number[] }>('billing', 'POST', url, {
      kind: 'money',
      amount: '100',
    });
    expect(budget.body.thresholds).toEqual([80, 100]);
    const noMetric = await call('billing', 'POST', url, { kind: 'quantity', amount: '5' });
    expect(noMetric).toMatchObject({ status: 400, body: { errors: [{ field: 'metricId' }] } });
    expect((await call<unknown[]>('billing', 'GET', url)).body).toHaveLength(1);
    expect((await call('viewer', 'DELETE', `/api/billing/budgets/${budget.body.id}`)).status).toBe(
      403,
    );
    expect((await call('billing', 'DELETE', `/api/billing/budgets/${budget.body.id}`)).status).toBe(
      200,
    );
    expect((await call<unknown[]>('billing', 'GET', url)).body).toHaveLength(0);

    const run = await call<{ type: string; ownerId: string }>(
      'billing',
      'POST',
      '/api/billing/runs',
      {
        organisationId: A.org,
        mode: 'refresh',
      },
    );
    expect(run.body).toMatchObject({ type: 'billing-run', ownerId: A.org });
    expect(
      (
        await call('operator', 'POST', '/api/billing/runs', {
          organisationId: A.org,
          mode: 'finalise',
        })
      ).status,
    ).toBe(403);
    // job.manage is not a way to finalise invoices.
    const generic = await call<{ message: string }>('owner', 'POST', '/api/jobs/runs', {
      type: 'billing-run',
      ownerId: A.org,
      params: { mode: 'finalise' },
    });
    expect(generic.status).toBe(403);
    expect(generic.body.message).toContain('/api/billing/runs');
  });

  it('pays and voids finalised documents only, with a reason, 409 for the rest', async () => {
    const pay = (id: string, who = 'admin') =>
      call<Invoice>(who, 'POST', `/api/billing/invoices/${id}/pay`, {});
    expect((await pay(november.id, 'billing')).status).toBe(403);
    expect((await pay(november.id)).body).toMatchObject({ state: 'paid' });
    expect(await pay(november.id)).toMatchObject({
      status: 409,
      body: { code: 'IllegalTransition' },
    });
    const drafts = await call<{ items: Invoice[] }>(
      'billing',
      'GET',
      '/api/billing/invoices?state=draft',
    );
    const december = drafts.body.items[0]!;
    expect(await pay(december.id)).toMatchObject({
      status: 409,
      body: { code: 'IllegalTransition' },
    });
    const engine = new BillingEngine(bed.sql, issuer);
    await engine.run({
      mode: 'finalise',
      at: new Date('2027-01-02T00:00:00Z'),
      organisationIds: [A.org],
    });
    const voidIt = (reason: string) =>
      call<Invoice>('admin', 'POST', `/api/billing/invoices/${december.id}/void`, { reason });
    expect((await voidIt('')).status).toBe(400);
    expect(await voidIt('   ')).toMatchObject({
      status: 400,
      body: { errors: [{ field: 'reason' }] },
    });
    expect((await voidIt('issued twice')).body).toMatchObject({
      state: 'void',
      voidReason: 'issued twice',
    });
    expect(await voidIt('again')).toMatchObject({
      status: 409,
      body: { code: 'IllegalTransition' },
    });
    expect(await pay(december.id)).toMatchObject({
      status: 409,
      body: { code: 'IllegalTransition' },
    });
  });

  it('shows the billing role of one organisation its own invoices and nothing of another', async () => {
    await call('admin', 'POST', `/api/billing/organisations/${B.org}/subscriptions`, {
      planId,
      startsAt: nov,
    });
    await new BillingEngine(bed.sql, issuer).run({
      mode: 'refresh',
      at: new Date('2026-12-05T00:00:00Z'),
      organisationIds: [B.org],
    });
    const all = await call<{ items: Invoice[] }>(
      'admin',
      'GET',
      `/api/billing/invoices?organisationId=${B.org}`,
    );
    const theirs = all.body.items[0]!;
    expect(theirs.organisationId).toBe(B.org);
    const mine = await call<{ items: Invoice[] }>(
      'billing',
      'GET',
      '/api/billing/invoices?limit=500',
    );
    expect(mine.body.items.every((i) => i.organisationId === A.org)).toBe(true);
    expect((await call('billing', 'GET', `/api/billing/invoices/${theirs.id}`)).status).toBe(404);
    const viewer = await call<{ items: Invoice[] }>('viewer', 'GET', '/api/billing/invoices');
    expect(viewer.body.items).toEqual([]);
    expect((await call('viewer', 'GET', `/api/billing/invoices/${november.id}`)).status).toBe(403);
  });

  it('reports the month to platform admins: JSON, PDF and CSV', async () => {
    const report = await call<{ currencies: { currency: string; invoiced: string }[] }>(
      'admin',
      'GET',
      '/api/billing/reports/monthly?month=2026-12',
    );
    // November's invoice, issued on 2 December.
    expect(report.body.currencies).toMatchObject([{ currency: 'EUR', invoiced: '145.00' }]);
    const pdf = await call('admin', 'GET', '/api/billing/reports/monthly.pdf?month=2026-12');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const csv = await call('admin', 'GET', '/api/billing/reports/monthly.csv?month=2026-12');
    expect(String(csv.body)).toContain('EUR,total');
    expect(
      (await call('billing', 'GET', '/api/billing/reports/monthly?month=2026-12')).status,
    ).toBe(403);
    expect((await call('admin', 'GET', '/api/billing/reports/monthly?month=2026-13')).status).toBe(
      400,
    );
  });
});

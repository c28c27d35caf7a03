import { createTestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, type ApiHarness, type ApiTestBed } from '../testing/api-harness';

// Alerts and maintenance orders are items: the generic items API must not be a way around the
// alert and maintenance actions (billing reading alerts, an analyst renaming or deleting them).

const id = () => randomUUID();
const org = id();
const machine = id();
const alert = id();
const order = id();
const sensor = id();

describe('ticket items through the items API', () => {
  let bed: ApiTestBed;
  let api: ApiHarness;
  let sql: Pool;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('ticket_items'), {
      nodes: [
        [org, null, 'organisation', 'acme'],
        [machine, org, 'machine', 'acme.t01'],
      ],
      members: [
        ['billing@acme.test', org, 'billing'],
        ['analyst@acme.test', org, 'analyst'],
        ['owner@acme.test', org, 'owner'],
      ],
    });
    ({ api, sql, tokens } = bed);
    for (const [item, kind, reference] of [
      [alert, 'alert', 'alert:1'],
      [order, 'maintenance_order', 'order:1'],
      [sensor, 'sensor', 'sensor:1'],
    ])
      await sql.query(
        `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, $2, $3, $3, $4, now())`,
        [item, kind, reference, machine],
      );
    await sql.query(
      `INSERT INTO maintenance_ticket (item_id, alert_id) VALUES ($1, NULL), ($2, $1)`,
      [alert, order],
    );
  });

  afterAll(() => bed?.close());

  const ids = (body: unknown) => (body as { items: { id: string }[] }).items.map((i) => i.id);

  it('lists alerts and orders only to those who may read them', async () => {
    const billing = tokens['billing@acme.test'];
    for (const url of ['/api/items?kind=alert', '/api/items?kind=maintenance_order'])
      expect(ids((await api.call('GET', url, { token: billing })).body)).toEqual([]);
    expect(ids((await api.call('GET', '/api/items', { token: billing })).body)).toEqual([sensor]);
    const graph = await api.graphql('{ items(limit: 50) { items { id kind } } }', {}, billing);
    expect(JSON.stringify(graph.body)).not.toContain(alert);
    // The analyst may read alerts (alert.read), and sees all three.
    const analyst = tokens['analyst@acme.test'];
    expect(ids((await api.call('GET', '/api/items', { token: analyst })).body).sort()).toEqual(
      [alert, order, sensor].sort(),
    );
  });

  it('refuses billing an alert or an order read through /api/items/:id', async () => {
    const billing = tokens['billing@acme.test'];
    for (const item of [alert, order]) {
      const reply = await api.call('GET', `/api/items/${item}`, { token: billing });
      expect(reply.status).toBe(403);
      const graph = await api.graphql(`{ item(id: "${item}") { id } }`, {}, billing);
      expect(graph.body.errors?.[0]?.extensions).toMatchObject({ status: 403 });
    }
    expect((await api.call('GET', `/api/items/${sensor}`, { token: billing })).status).toBe(200);
  });

  it('refuses an analyst renaming, deleting or raising alerts through /api/items', async () => {
    const analyst = tokens['analyst@acme.test'];
    const rename = await api.call('PATCH', `/api/items/${alert}`, {
      token: analyst,
      body: { name: 'nothing to see' },
    });
    expect(rename.status).toBe(403);
    expect((await api.call('DELETE', `/api/items/${order}`, { token: analyst })).status).toBe(403);
    const raise = await api.call('POST', '/api/items', {
      token: analyst,
      body: { kind: 'alert', reference: 'alert:2', name: 'fake', ownerId: machine },
    });
    expect(raise.status).toBe(400);
    expect(JSON.stringify(raise.body)).toContain('/api/alerts');
    const graph = await api.graphql(
      `mutation { updateItem(id: "${alert}", input: { name: "x" }) { id } }`,
      {},
      analyst,
    );
    expect(graph.body.errors?.[0]?.extensions).toMatchObject({ status: 403 });
    // A plain item cannot become an alert either.
    const turn = await api.call('PATCH', `/api/items/${sensor}`, {
      token: analyst,
      body: { kind: 'alert' },
    });
    expect(turn.status).toBe(400);
  });

  it('sends even an owner to the alerts API for changes, keeping ticket and item in step', async () => {
    const owner = tokens['owner@acme.test'];
    const rename = await api.call('PATCH', `/api/items/${alert}`, {
      token: owner,
      body: { name: 'renamed' },
    });
    expect(rename.status).toBe(409);
    expect(rename.body).toMatchObject({ code: 'ItemKindReserved' });
    expect((await api.call('DELETE', `/api/items/${alert}`, { token: owner })).status).toBe(409);
    const rows = await sql.query('SELECT name FROM item WHERE id = ANY($1) ORDER BY name', [
      [alert, order],
    ]);
    expect(rows.rows.map((r) => r.name)).toEqual(['alert:1', 'order:1']);
  });
});

import { beforeAll, describe, expect, it } from '@jest/globals';
import { api, graphql } from '../support/http';

interface Ticket {
  id: string;
  kind: string;
  state: string;
  priority: string;
  alertId: string | null;
  nodeId: string;
}

describe('alerts, maintenance orders and remaining life over HTTP', () => {
  let turbine: string;
  let farm: string;

  beforeAll(async () => {
    const reply = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    const id = (reference: string) => reply.body.items.find((n) => n.reference === reference)!.id;
    turbine = id('acme.north.t07');
    farm = id('acme.north');
  });

  it('raises an alert, orders maintenance for it and moves both along', async () => {
    const alert = await api<Ticket>('POST', '/api/alerts', {
      nodeId: turbine,
      title: 'Gearbox temperature trending up',
      priority: 'high',
      failureFrom: '2027-02-01T00:00:00Z',
      failureTo: '2027-02-15T00:00:00Z',
    });
    expect(alert.status).toBe(201);
    expect(alert.body).toMatchObject({ kind: 'alert', state: 'open', priority: 'high' });

    const order = await api<Ticket>('POST', '/api/maintenance-orders', {
      nodeId: turbine,
      title: 'Replace gearbox oil cooler',
      alertId: alert.body.id,
      plannedFor: '2027-01-20T08:00:00Z',
    });
    expect(order.status).toBe(201);
    expect(order.body.alertId).toBe(alert.body.id);
    expect((await api<Ticket>('GET', `/api/alerts/${alert.body.id}`)).body.state).toBe('planned');

    const skip = await api<{ code: string; message: string }>(
      'POST',
      `/api/maintenance-orders/${order.body.id}/state`,
      { state: 'done' },
    );
    expect(skip.status).toBe(409);
    expect(skip.body.code).toBe('IllegalTransition');
    expect(skip.body.message).toMatch(/from open to done/);

    const planned = await api<Ticket>('POST', `/api/maintenance-orders/${order.body.id}/state`, {
      state: 'planned',
    });
    expect(planned.body.state).toBe('planned');
    const edited = await api<Ticket>('PATCH', `/api/maintenance-orders/${order.body.id}`, {
      priority: 'critical',
    });
    expect(edited.body.priority).toBe('critical');
    const done = await api<Ticket>('POST', `/api/maintenance-orders/${order.body.id}/state`, {
      state: 'done',
    });
    expect(done.body.state).toBe('done');
    expect((await api<Ticket>('GET', `/api/alerts/${alert.body.id}`)).body.state).toBe('done');
    const closed = await api<{ code: string }>(
      'PATCH',
      `/api/maintenance-orders/${order.body.id}`,
      {
        title: 'too late',
      },
    );
    expect(closed.status).toBe(409);
  });

  it('refuses bad input with 400 naming the field, unknown ids with 404', async () => {
    const bad = await api<{ errors: { field: string }[] }>('POST', '/api/alerts', {
      nodeId: turbine,
      title: 'x',
      priority: 'urgent',
      failureFrom: 'soon',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.field).sort()).toEqual(['failureFrom', 'priority']);
    const alert = await api<Ticket>('POST', '/api/alerts', { nodeId: turbine, title: 'Noise' });
    expect(alert.status).toBe(201);
    const state = await api<{ errors: { field: string }[] }>(
      'POST',
      `/api/alerts/${alert.body.id}/state`,
      { state: 'closed' },
    );
    expect(state.status).toBe(400);
    expect(state.body.errors[0].field).toBe('state');
    const nowhere = '/api/alerts/00000000-0000-4000-8000-000000000000';
    expect((await api('GET', nowhere)).status).toBe(404);
    expect((await api('POST', `${nowhere}/state`, { state: 'done' })).status).toBe(404);
    // An order is not an alert: its id is unknown among the alerts.
    const order = await api<Ticket>('POST', '/api/maintenance-orders', {
      nodeId: turbine,
      title: 'Inspect',
    });
    expect((await api('GET', `/api/alerts/${order.body.id}`)).status).toBe(404);
  });

  it('lists alerts of a site and shows the machines with what is open on them', async () => {
    const list = await api<{ items: Ticket[] }>('GET', `/api/alerts?nodeId=${farm}&state=done`);
    expect(list.status).toBe(200);
    expect(list.body.items.some((t) => t.nodeId === turbine)).toBe(true);
    type Machine = { name: string; openAlerts: number; highestPriority: string | null };
    const t07 = async () =>
      (await api<Machine[]>('GET', `/api/remaining-life?nodeId=${farm}`)).body.find(
        (m) => m.name === 'Turbine T07',
      )!;
    const before = await t07();
    await api('POST', '/api/alerts', {
      nodeId: turbine,
      title: 'Blade icing',
      priority: 'critical',
    });
    const machines = await api<Machine[]>('GET', `/api/remaining-life?nodeId=${farm}`);
    expect(machines.status).toBe(200);
    expect(machines.body).toHaveLength(12);
    expect(await t07()).toMatchObject({
      openAlerts: before.openAlerts + 1,
      highestPriority: 'critical',
    });
    const gql = await graphql<{ remainingLife: { name: string }[] }>(
      `
        query ($id: ID) {
          remainingLife(nodeId: $id) {
            name
          }
        }
      `,
      { id: farm },
    );
    expect(gql.data?.remainingLife).toHaveLength(12);
  });
});

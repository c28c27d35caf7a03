import type { Grant } from '@sextant/policy';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { testApiConfig } from '../testing/api-harness';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccessRepository } from '../access/access.repository';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { PrismaService } from '../prisma/prisma.service';
import { MaintenanceRepository } from './maintenance.repository';
import { MaintenanceService } from './maintenance.service';

const ids = {
  org: '00000000-0000-7000-8000-000000000001',
  site: '00000000-0000-7000-8000-000000000002',
  t1: '00000000-0000-7000-8000-000000000003',
  t2: '00000000-0000-7000-8000-000000000004',
  other: '00000000-0000-7000-8000-000000000005',
};

const user = (platformAdmin: boolean, grants: Grant[]): Principal => ({
  kind: 'user',
  userId: '00000000-0000-7000-8000-0000000000aa',
  email: 'someone@example.org',
  name: 'Someone',
  platformAdmin,
  grants,
  via: 'api-token',
  credentialId: '00000000-0000-7000-8000-0000000000ab',
  csrfToken: null,
});
// A platform administrator sees everything; a viewer of the organisation only what is under it.
const admin = user(true, []);
const viewer = user(false, [{ nodeId: ids.org, role: 'viewer' }]);

describe(MaintenanceService.name, () => {
  let db: TestDatabase;
  let prisma: PrismaService;
  let service: MaintenanceService;

  beforeAll(async () => {
    db = await createTestDatabase('maintenance');
    prisma = new PrismaService(testApiConfig(db.url, { poolSize: 2 }));
    service = new MaintenanceService(
      new MaintenanceRepository(prisma),
      new AccessService(new AccessRepository(prisma)),
    );
    await prisma.pool.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'Org', 'org', now()),
         ($2, $1, 'site', 'Farm', 'org.farm', now()),
         ($3, $2, 'machine', 'T1', 'org.farm.t1', now()),
         ($4, $2, 'machine', 'T2', 'org.farm.t2', now()),
         ($5, NULL, 'machine', 'Elsewhere', 'other', now())`,
      [ids.org, ids.site, ids.t1, ids.t2, ids.other],
    );
  });

  afterAll(async () => {
    await prisma?.onModuleDestroy();
    await db?.drop();
  });

  it('moves an order open -> planned -> done and refuses every other move with a 409', async () => {
    const order = await service.create('maintenance_order', {
      nodeId: ids.t1,
      title: 'Replace main bearing',
      priority: 'high',
      failureFrom: '2027-01-10T00:00:00Z',
      failureTo: '2027-01-20T00:00:00Z',
    });
    expect(order).toMatchObject({ kind: 'maintenance_order', state: 'open', priority: 'high' });
    await expect(service.setState('maintenance_order', order.id, 'done')).rejects.toMatchObject({
      code: 'IllegalTransition',
      status: 409,
      message: expect.stringContaining('from open to done (from open: planned)'),
    });
    expect((await service.setState('maintenance_order', order.id, 'planned')).state).toBe(
      'planned',
    );
    // A plan may be dropped, and made again.
    expect((await service.setState('maintenance_order', order.id, 'open')).state).toBe('open');
    await service.setState('maintenance_order', order.id, 'planned');
    const done = await service.setState('maintenance_order', order.id, 'done');
    expect(done.state).toBe('done');
    expect(done.doneAt).toBeInstanceOf(Date);
    for (const state of ['open', 'planned', 'done'] as const) {
      await expect(service.setState('maintenance_order', order.id, state)).rejects.toMatchObject({
        code: 'IllegalTransition',
        message: expect.stringContaining('none, it is final'),
      });
    }
    await expect(
      service.update('maintenance_order', order.id, { title: 'changed' }),
    ).rejects.toMatchObject({ code: 'IllegalTransition' });
  });

  it('plans the alert an order answers, and closes it with the order', async () => {
    const alert = await service.create('alert', { nodeId: ids.t2, title: 'Vibration rising' });
    const order = await service.create('maintenance_order', {
      nodeId: ids.t2,
      title: 'Inspect gearbox',
      alertId: alert.id,
      plannedFor: '2026-12-15T08:00:00Z',
    });
    expect(order.alertId).toBe(alert.id);
    expect((await service.get('alert', alert.id)).state).toBe('planned');
    await service.setState('maintenance_order', order.id, 'planned');
    await service.setState('maintenance_order', order.id, 'done');
    expect((await service.get('alert', alert.id)).state).toBe('done');
    // An alert is not an order, and the other way round.
    await expect(service.get('maintenance_order', alert.id)).rejects.toMatchObject({
      code: 'TicketNotFound',
    });
  });

  it('refuses bad input naming the field', async () => {
    await expect(
      service.create('alert', {
        nodeId: '00000000-0000-7000-8000-0000000000ff',
        title: 'x',
        failureFrom: '2027-01-20T00:00:00Z',
        failureTo: '2027-01-10T00:00:00Z',
      }),
    ).rejects.toMatchObject({
      code: 'ValidationFailed',
      fieldErrors: [
        { field: 'nodeId', reason: 'no node with id 00000000-0000-7000-8000-0000000000ff' },
        { field: 'failureTo', reason: 'must not be before failureFrom' },
      ],
    });
    const alert = await service.create('alert', { nodeId: ids.t1, title: 'Hot' });
    await expect(
      service.update('alert', alert.id, { plannedFor: '2027-01-01T00:00:00Z' }),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'plannedFor', reason: expect.any(String) }] });
  });

  it('lists by node subtree and state, a page at a time', async () => {
    const page = await service.list(admin, 'alert', { nodeId: ids.site, limit: 1 });
    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).not.toBeNull();
    const next = await service.list(admin, 'alert', {
      nodeId: ids.site,
      limit: 1,
      cursor: page.nextCursor!,
    });
    expect(next.items).toHaveLength(1);
    expect(next.items[0].id).not.toBe(page.items[0].id);
    expect((await service.list(admin, 'alert', { nodeId: ids.other })).items).toEqual([]);
    const open = await service.list(admin, 'alert', { state: 'open' });
    expect(open.items.map((a) => a.title)).toEqual(['Hot']);
  });

  it('shows each machine with its latest estimate and what is open on it', async () => {
    await prisma.pool.query(
      `INSERT INTO remaining_life_estimate (id, node_id, at, remaining, lower, upper, unit, health) VALUES
         (gen_random_uuid(), $1, '2026-11-01T00:00:00Z', 120, 100, 140, 'cycles', 0.8),
         (gen_random_uuid(), $1, '2026-11-20T00:00:00Z', 95, 80, 110, 'cycles', 0.6)`,
      [ids.t1],
    );
    const machines = await service.remainingLife(admin, ids.org);
    // T1 has an estimate (the latest: 95 cycles), T2 has none; 'Elsewhere' is not under org.
    expect(machines.map((m) => m.name)).toEqual(['T1', 'T2']);
    expect(machines[0]).toMatchObject({
      estimate: { remaining: 95, lower: 80, upper: 110, unit: 'cycles', health: 0.6 },
      openAlerts: 1,
      activeOrders: 0,
      highestPriority: 'medium',
    });
    expect(machines[1]).toMatchObject({ estimate: null, openAlerts: 0, activeOrders: 0 });
    expect((await service.history(ids.t1)).map((e) => e.remaining)).toEqual([95, 120]);
    expect((await service.remainingLife(admin, undefined)).map((m) => m.name)).toContain(
      'Elsewhere',
    );
    // A viewer of the organisation sees its machines only, and nothing of another node.
    expect((await service.remainingLife(viewer, undefined)).map((m) => m.name)).toEqual([
      'T1',
      'T2',
    ]);
    await expect(service.remainingLife(viewer, ids.other)).rejects.toMatchObject({
      fieldErrors: [{ field: 'nodeId', reason: `no node with id ${ids.other}` }],
    });
    await service.create('alert', { nodeId: ids.other, title: 'Not theirs' });
    const titles = async (who: Principal) =>
      (await service.list(who, 'alert', {})).items.map((a) => a.title).sort();
    expect(await titles(admin)).toEqual(['Hot', 'Not theirs', 'Vibration rising']);
    expect(await titles(viewer)).toEqual(['Hot', 'Vibration rising']);
  });
});

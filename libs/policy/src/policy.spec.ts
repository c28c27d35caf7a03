import { describe, expect, it } from '@jest/globals';
import {
  actions,
  allowedAnywhere,
  decide,
  mayGrant,
  roleAllows,
  roles,
  rolesOn,
  type Action,
  type Role,
  type Subject,
} from './policy';

// acme (org) › north (site) › t07 (machine); skyline is another organisation.
const lineage = {
  acme: ['acme'],
  north: ['acme', 'north'],
  t07: ['acme', 'north', 't07'],
  solar: ['acme', 'solar'],
  skyline: ['skyline'],
};
const user = (grants: { nodeId: string; role: Role }[], platformAdmin = false): Subject => ({
  kind: 'user',
  userId: 'u1',
  platformAdmin,
  grants,
});
const on = (...lineages: string[][]) => ({ kind: 'nodes' as const, lineages });

describe('policy', () => {
  it('applies a role granted on a node to its whole subtree, and nowhere else', () => {
    const operator = user([{ nodeId: 'north', role: 'operator' }]);
    expect(decide(operator, 'path.manage', on(lineage.t07))).toEqual({ allow: true });
    expect(decide(operator, 'path.manage', on(lineage.north))).toEqual({ allow: true });
    expect(decide(operator, 'path.manage', on(lineage.solar))).toMatchObject({
      allow: false,
      denial: 'not-found',
    });
    expect(decide(operator, 'node.read', on(lineage.acme))).toMatchObject({ denial: 'not-found' });
  });

  it('answers not-found for another organisation and forbidden for a readable target', () => {
    const viewer = user([{ nodeId: 'acme', role: 'viewer' }]);
    expect(decide(viewer, 'path.manage', on(lineage.t07))).toMatchObject({ denial: 'forbidden' });
    expect(decide(viewer, 'path.read', on(lineage.skyline))).toMatchObject({ denial: 'not-found' });
  });

  it('lets billing see movements and invoices but not raw series or paths', () => {
    const billing = user([{ nodeId: 'acme', role: 'billing' }]);
    expect(decide(billing, 'movement.read', on(lineage.t07)).allow).toBe(true);
    expect(decide(billing, 'billing.read', on(lineage.acme)).allow).toBe(true);
    expect(decide(billing, 'billing.manage', on(lineage.acme)).allow).toBe(true);
    expect(decide(billing, 'series.read', on(lineage.t07))).toMatchObject({ denial: 'forbidden' });
    expect(decide(billing, 'path.read', on(lineage.t07))).toMatchObject({ denial: 'forbidden' });
  });

  it('shows money to owners and the billing role only: viewers see no money', () => {
    const holders = roles.filter((role) => roleAllows(role, 'billing.read'));
    expect(holders).toEqual(['owner', 'billing']);
    expect(roles.filter((role) => roleAllows(role, 'billing.manage'))).toEqual([
      'owner',
      'billing',
    ]);
    const viewer = user([{ nodeId: 'acme', role: 'viewer' }]);
    expect(decide(viewer, 'billing.read', on(lineage.acme))).toMatchObject({
      denial: 'forbidden',
    });
    // Another organisation's money is not found, not forbidden.
    const billing = user([{ nodeId: 'acme', role: 'billing' }]);
    expect(decide(billing, 'billing.read', on(lineage.skyline))).toMatchObject({
      denial: 'not-found',
    });
  });

  it('lets plans (which carry prices) be read by platform admins and billing readers only', () => {
    const platform = { kind: 'platform' } as const;
    for (const role of roles)
      expect(decide(user([{ nodeId: 'acme', role }]), 'plan.read', platform).allow).toBe(
        role === 'owner' || role === 'billing',
      );
    expect(decide(user([], true), 'plan.read', platform).allow).toBe(true);
    expect(decide(user([]), 'plan.read', platform)).toMatchObject({ denial: 'forbidden' });
    // Metrics (no prices) are for anyone signed in; plans and reports are the platform's.
    expect(decide(user([]), 'metric.read', platform).allow).toBe(true);
    const owner = user([{ nodeId: 'acme', role: 'owner' }]);
    for (const action of ['plan.manage', 'billing.report'] as const) {
      expect(decide(owner, action, platform)).toMatchObject({ denial: 'forbidden' });
      expect(decide(user([], true), action, platform).allow).toBe(true);
    }
    // plan.manage named on an organisation (a price override) is still the platform's.
    expect(decide(owner, 'plan.manage', on(lineage.acme))).toMatchObject({ denial: 'forbidden' });
    expect(decide(user([], true), 'plan.manage', on(lineage.acme)).allow).toBe(true);
  });

  it('allows an action on a target with several lineages when one of them allows it', () => {
    // A path from a site of ACME to Skyline's archive: Skyline's operator manages it too.
    const skylineOperator = user([{ nodeId: 'skyline', role: 'operator' }]);
    expect(decide(skylineOperator, 'path.manage', on(lineage.north, lineage.skyline)).allow).toBe(
      true,
    );
  });

  it.each<[Role, Action, boolean]>([
    ['owner', 'member.grant-owner', true],
    ['admin', 'member.grant-owner', false],
    ['admin', 'member.manage', true],
    ['admin', 'audit.read', true],
    ['operator', 'audit.read', false],
    ['operator', 'node.manage', false],
    ['operator', 'cdc.manage', true],
    ['analyst', 'job.manage', true],
    ['analyst', 'path.manage', false],
    ['viewer', 'series.read', true],
    ['viewer', 'item.manage', false],
    ['billing', 'node.read', true],
    ['viewer', 'billing.read', false],
    ['analyst', 'billing.read', false],
    ['operator', 'billing.manage', false],
    ['admin', 'billing.read', false],
    ['owner', 'billing.manage', true],
  ])('%s may %s: %s', (role, action, expected) => {
    expect(roleAllows(role, action)).toBe(expected);
  });

  it('gives every role node.read, so any role makes a node visible (403, not 404, inside)', () => {
    for (const role of roles) expect(roleAllows(role, 'node.read')).toBe(true);
  });

  it('keeps platform actions for platform administrators, the catalogue for everyone', () => {
    const member = user([{ nodeId: 'acme', role: 'owner' }]);
    expect(decide(member, 'catalogue.read', { kind: 'platform' }).allow).toBe(true);
    expect(decide(member, 'catalogue.manage', { kind: 'platform' })).toMatchObject({
      denial: 'forbidden',
    });
    expect(decide(member, 'organisation.create', { kind: 'platform' }).allow).toBe(false);
    expect(decide(user([], true), 'organisation.create', { kind: 'platform' }).allow).toBe(true);
    expect(decide(user([], true), 'series.read', on(lineage.skyline)).allow).toBe(true);
  });

  it('asks anonymous callers to authenticate, whatever the action', () => {
    for (const action of actions)
      expect(decide({ kind: 'anonymous' }, action, on(lineage.acme))).toMatchObject({
        denial: 'unauthenticated',
      });
  });

  it('lets a path token write through its own active path and onto nodes under its source', () => {
    const token: Subject = {
      kind: 'path-token',
      tokenId: 't',
      pathId: 'p1',
      sourceId: 'north',
      revoked: false,
    };
    expect(
      decide(token, 'ingest.write', { kind: 'path', pathId: 'p1', state: 'active' }).allow,
    ).toBe(true);
    expect(
      decide(token, 'ingest.write', { kind: 'path', pathId: 'p1', state: 'paused' }),
    ).toMatchObject({ denial: 'unauthenticated' });
    expect(
      decide(token, 'ingest.write', { kind: 'path', pathId: 'p2', state: 'active' }).allow,
    ).toBe(false);
    expect(decide(token, 'series.write', on(lineage.t07)).allow).toBe(true);
    expect(decide(token, 'series.write', on(lineage.solar)).allow).toBe(false);
    expect(decide(token, 'node.read', on(lineage.t07)).allow).toBe(false);
    expect(decide({ ...token, revoked: true }, 'series.write', on(lineage.t07)).allow).toBe(false);
  });

  it('never lets a user write as a path token would', () => {
    expect(
      decide(user([], true), 'ingest.write', { kind: 'path', pathId: 'p', state: 'active' }).allow,
    ).toBe(false);
  });

  it('lists the roles held on a node, strongest first', () => {
    const grants = [
      { nodeId: 'north', role: 'viewer' as const },
      { nodeId: 'acme', role: 'admin' as const },
    ];
    expect(rolesOn(grants, lineage.t07)).toEqual(['admin', 'viewer']);
    expect(rolesOn(grants, lineage.skyline)).toEqual([]);
  });

  it('lets owners grant any role and admins any but owner', () => {
    expect(mayGrant(['owner'], 'owner')).toBe(true);
    expect(mayGrant(['admin'], 'owner')).toBe(false);
    expect(mayGrant(['admin'], 'operator')).toBe(true);
    expect(mayGrant(['operator'], 'viewer')).toBe(false);
  });

  it('tells the portal whether an action is allowed anywhere', () => {
    expect(
      allowedAnywhere(
        { platformAdmin: false, grants: [{ nodeId: 'a', role: 'viewer' }] },
        'node.manage',
      ),
    ).toBe(false);
    expect(
      allowedAnywhere(
        { platformAdmin: false, grants: [{ nodeId: 'a', role: 'admin' }] },
        'node.manage',
      ),
    ).toBe(true);
  });
});

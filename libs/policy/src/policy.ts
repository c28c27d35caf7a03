// The one policy of Sextant: who may do what where. Pure logic, no I/O, shared by the API (REST
// guards, GraphQL guards, scoped lists), the ingest gateway (path tokens) and the portal (what
// it shows). Callers load the facts (grants, the lineage of a target) and ask `decide`.

/** Roles, strongest first. A role granted on a node applies to the node's whole subtree. */
export const roles = ['owner', 'admin', 'operator', 'analyst', 'billing', 'viewer'] as const;
export type Role = (typeof roles)[number];

/**
 * Every action a route or resolver may name. Actions on nodes are decided on the target's
 * lineage; platform actions on the platform itself; `account.manage` on the caller's own account.
 */
export const actions = [
  'node.read',
  'node.manage',
  'path.read',
  'path.manage',
  'item.read',
  'item.manage',
  'series.read',
  'movement.read',
  'movement.create',
  'cdc.read',
  'cdc.manage',
  'member.read',
  'member.manage',
  'member.grant-owner',
  'audit.read',
  'job.read',
  'job.manage',
  'alert.read',
  'alert.manage',
  'maintenance.read',
  'maintenance.manage',
  'annotation.read',
  'annotation.manage',
  // Money: invoices, usage and its price, subscriptions, budgets, billing runs. Only owners and
  // the billing role hold these: viewers see no money.
  'billing.read',
  'billing.manage',
  // Platform actions (target: the platform).
  'catalogue.read',
  'catalogue.manage',
  'organisation.create',
  'metric.read',
  'plan.read',
  'plan.manage',
  'billing.report',
  // The caller's own account, sessions and API tokens.
  'account.manage',
  // Path tokens only: writing points through their path, and onto nodes under its source.
  'ingest.write',
  'series.write',
] as const;
export type Action = (typeof actions)[number];

const read: Action[] = [
  'node.read',
  'path.read',
  'item.read',
  'series.read',
  'movement.read',
  'cdc.read',
  'job.read',
  'alert.read',
  'maintenance.read',
  'annotation.read',
];
const operate: Action[] = [
  'path.manage',
  'item.manage',
  'cdc.manage',
  'job.manage',
  'alert.manage',
  'maintenance.manage',
  'annotation.manage',
];
const administer: Action[] = [
  'node.manage',
  'movement.create',
  'member.read',
  'member.manage',
  'audit.read',
];

const money: Action[] = ['billing.read', 'billing.manage'];

/** What each role allows on the subtree of the node it is granted on. */
export const roleActions: Record<Role, ReadonlySet<Action>> = {
  owner: new Set([...read, ...operate, ...administer, ...money, 'member.grant-owner']),
  admin: new Set([...read, ...operate, ...administer]),
  operator: new Set([...read, ...operate]),
  analyst: new Set([...read, 'item.manage', 'job.manage', 'annotation.manage']),
  // Billing sees movements, invoices and what they name, not raw series or data sources.
  billing: new Set(['node.read', 'item.read', 'movement.read', ...money]),
  viewer: new Set(read),
};

/**
 * Who holds an action on the platform itself: anyone signed in, the platform's administrators,
 * or `billing`: administrators and users holding billing.read on some node (plans carry prices).
 */
export type PlatformHolder = 'anyone' | 'platform-admin' | 'billing';

/** Actions on the platform itself, and who holds them. */
export const platformActions: Partial<Record<Action, PlatformHolder>> = {
  'catalogue.read': 'anyone',
  'catalogue.manage': 'platform-admin',
  'organisation.create': 'platform-admin',
  'metric.read': 'anyone',
  'plan.read': 'billing',
  'plan.manage': 'platform-admin',
  'billing.report': 'platform-admin',
};

export interface Grant {
  nodeId: string;
  role: Role;
}

/** Who asks. */
export type Subject =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; platformAdmin: boolean; grants: readonly Grant[] }
  | {
      kind: 'path-token';
      tokenId: string;
      pathId: string;
      /** The path's source node: series go on it or on nodes under it. */
      sourceId: string;
      revoked: boolean;
    };

/** What is acted on. A lineage is the ids of a node's ancestors and the node, root first. */
export type Target =
  | { kind: 'platform' }
  | { kind: 'self' }
  | { kind: 'nodes'; lineages: readonly (readonly string[])[] }
  | { kind: 'path'; pathId: string; state: string };

export type Denial = 'unauthenticated' | 'not-found' | 'forbidden';
export type Decision = { allow: true } | { allow: false; denial: Denial; reason: string };

const allow: Decision = { allow: true };
const deny = (denial: Denial, reason: string): Decision => ({ allow: false, denial, reason });

/** Whether a role allows an action (the portal hides what the answer forbids). */
export function roleAllows(role: Role, action: Action): boolean {
  return roleActions[role].has(action);
}

/** The roles a user holds on a node, through grants on the node or any ancestor. */
export function rolesOn(grants: readonly Grant[], lineage: readonly string[]): Role[] {
  const found = new Set<Role>();
  for (const grant of grants) if (lineage.includes(grant.nodeId)) found.add(grant.role);
  return roles.filter((r) => found.has(r));
}

/** Whether any of the roles allows the action. */
export function rolesAllow(held: readonly Role[], action: Action): boolean {
  return held.some((role) => roleAllows(role, action));
}

/**
 * The decision. A target the subject holds no role on is "not found" (404), so that another
 * organisation's data does not reveal that it exists; one it may read but not change is
 * "forbidden" (403).
 */
export function decide(subject: Subject, action: Action, target: Target): Decision {
  if (subject.kind === 'anonymous') return deny('unauthenticated', 'sign in or send an API token');
  if (subject.kind === 'path-token') return decideForPathToken(subject, action, target);
  if (target.kind === 'self')
    return action === 'account.manage'
      ? allow
      : deny('forbidden', `${action} is not an account action`);
  if (action === 'ingest.write' || action === 'series.write')
    return deny('forbidden', `${action} is for path tokens`);
  if (target.kind === 'platform') {
    const holder = platformActions[action];
    if (holder === 'anyone' || (holder !== undefined && subject.platformAdmin)) return allow;
    if (holder === 'billing' && allowedAnywhere(subject, 'billing.read')) return allow;
    return holder === 'billing'
      ? deny('forbidden', `${action} needs billing.read on some node`)
      : deny('forbidden', `${action} is for the platform's administrators`);
  }
  if (target.kind === 'path')
    return deny('forbidden', `${action} does not apply to a path token target`);
  if (subject.platformAdmin) return allow;
  let visible = false;
  for (const lineage of target.lineages) {
    const held = rolesOn(subject.grants, lineage);
    if (rolesAllow(held, action)) return allow;
    if (held.length > 0) visible = true;
  }
  if (!visible) return deny('not-found', 'no role on the target or above it');
  return deny('forbidden', `no role on the target or above it allows ${action}`);
}

function decideForPathToken(
  subject: Extract<Subject, { kind: 'path-token' }>,
  action: Action,
  target: Target,
): Decision {
  if (subject.revoked) return deny('unauthenticated', 'the token is revoked');
  if (action === 'ingest.write' && target.kind === 'path') {
    if (target.pathId !== subject.pathId)
      return deny('not-found', 'a token writes through its own path only');
    if (target.state !== 'active') return deny('unauthenticated', `the path is ${target.state}`);
    return allow;
  }
  if (action === 'series.write' && target.kind === 'nodes') {
    const under =
      target.lineages.length > 0 && target.lineages.every((l) => l.includes(subject.sourceId));
    return under ? allow : deny('not-found', "not the path's source node or under it");
  }
  return deny('forbidden', `a path token may not ${action}`);
}

/** Whether a user may do an action somewhere (the portal shows a "New" button only then). */
export function allowedAnywhere(
  subject: { platformAdmin: boolean; grants: readonly Grant[] },
  action: Action,
): boolean {
  return subject.platformAdmin || subject.grants.some((g) => roleAllows(g.role, action));
}

/** Whether a role may grant another: owners grant any role, admins any role but owner. */
export function mayGrant(held: readonly Role[], role: Role): boolean {
  return role === 'owner'
    ? rolesAllow(held, 'member.grant-owner')
    : rolesAllow(held, 'member.manage');
}

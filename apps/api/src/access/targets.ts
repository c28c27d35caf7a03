import { DomainError, type ErrorCode } from '@sextant/domain';
import type { Action } from '@sextant/policy';

/**
 * How to find the nodes a row hangs on, for the policy to decide on their lineage. Each kind is
 * one query returning the row's node ids (column `node`, one or more rows; no row: the row does
 * not exist). A module adds its own kind with `registerTargetKind` and then guards its routes
 * with `@Can('job.read', inRoute('job', 'id'))`.
 */
export interface TargetKind {
  /** $1 is the id. */
  sql: string;
  /** What the id looks like: checked before any query; a bad one is a 400 naming the field. */
  shape: 'uuid' | 'digits';
  notFound: ErrorCode;
  /** Names the row in messages: "no path with id …". */
  noun: string;
  /** Names the id's field in the 404's field errors too (series, as the store reports it). */
  field?: string;
  /**
   * Rows of some variants (the query's `variant` column) answer to other actions: an item of
   * kind alert is read with alert.read, not item.read, wherever it is reached.
   */
  actions?: Record<string, Partial<Record<Action, Action>>>;
}

const kinds = new Map<string, TargetKind>();

/** Adds a kind of guarded row (see TargetKind). */
export function registerTargetKind(name: string, kind: TargetKind): void {
  kinds.set(name, kind);
}

export function targetKind(name: string): TargetKind {
  const kind = kinds.get(name);
  if (!kind) throw new Error(`no target kind "${name}": register it with registerTargetKind`);
  return kind;
}

/** The action a row of this variant answers to, for an action asked of its kind. */
export function actionOn(kind: TargetKind, variant: string | null, action: Action): Action {
  return (variant !== null && kind.actions?.[variant]?.[action]) || action;
}

export function registeredTargetKinds(): string[] {
  return [...kinds.keys()];
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether an id has the kind's shape. */
export function shaped(kind: TargetKind, id: string): boolean {
  return kind.shape === 'uuid'
    ? uuid.test(id)
    : /^\d{1,19}$/.test(id) && BigInt(id) <= 9_223_372_036_854_775_807n;
}

/** The 400 of an id of the wrong shape, as the IdPipe words it. */
export function badShape(kind: TargetKind, field: string, id: string): DomainError {
  const reason =
    kind.shape === 'uuid'
      ? `must be a UUID, got "${id.slice(0, 60)}"`
      : `must be a series id (digits), got "${id.slice(0, 40)}"`;
  return DomainError.validation([{ field: field === 'id' ? 'id' : field, reason }]);
}

/** The 404 of a row that does not exist, or that the caller may not know of. */
export function notFound(kind: TargetKind, id: string): DomainError {
  const reason = `no ${kind.noun} with id ${id}`;
  return new DomainError(kind.notFound, reason, kind.field ? [{ field: kind.field, reason }] : []);
}

const ends = (table: string) =>
  `SELECT unnest(ARRAY[source_id, destination_id]) AS node FROM ${table} WHERE id = $1::uuid`;

registerTargetKind('node', {
  sql: 'SELECT id AS node FROM node WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'NodeNotFound',
  noun: 'node',
});
registerTargetKind('path', {
  sql: ends('path'),
  shape: 'uuid',
  notFound: 'PathNotFound',
  noun: 'path',
});
/** Alerts and maintenance orders are items, guarded by their own actions everywhere. */
export const ticketItemActions: Record<string, Partial<Record<Action, Action>>> = {
  alert: { 'item.read': 'alert.read', 'item.manage': 'alert.manage' },
  maintenance_order: { 'item.read': 'maintenance.read', 'item.manage': 'maintenance.manage' },
};

registerTargetKind('item', {
  sql: 'SELECT owner_id AS node, kind::text AS variant FROM item WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'ItemNotFound',
  noun: 'item',
  actions: ticketItemActions,
});
registerTargetKind('movement', {
  sql: ends('movement'),
  shape: 'uuid',
  notFound: 'MovementNotFound',
  noun: 'movement',
});
registerTargetKind('series', {
  sql: 'SELECT node_id AS node FROM series WHERE id = $1::bigint',
  shape: 'digits',
  notFound: 'SeriesNotFound',
  noun: 'series',
  field: 'id',
});
registerTargetKind('cdc', {
  sql: `SELECT unnest(ARRAY[p.source_id, p.destination_id]) AS node
          FROM path p JOIN cdc_source c ON c.path_id = p.id WHERE p.id = $1::uuid`,
  shape: 'uuid',
  notFound: 'CdcSourceNotFound',
  noun: 'CDC source',
});
registerTargetKind('membership', {
  sql: 'SELECT node_id AS node FROM membership WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'MemberNotFound',
  noun: 'membership',
});
registerTargetKind('invitation', {
  sql: 'SELECT node_id AS node FROM invitation WHERE id = $1::uuid AND revoked_at IS NULL',
  shape: 'uuid',
  notFound: 'InvitationNotFound',
  noun: 'invitation',
});
registerTargetKind('job', {
  sql: 'SELECT owner_id AS node FROM job_run WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'JobRunNotFound',
  noun: 'run',
});
registerTargetKind('schedule', {
  sql: 'SELECT owner_id AS node FROM job_schedule WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'JobScheduleNotFound',
  noun: 'schedule',
});
registerTargetKind('alert', {
  sql: `SELECT owner_id AS node FROM item WHERE id = $1::uuid AND kind = 'alert'`,
  shape: 'uuid',
  notFound: 'TicketNotFound',
  noun: 'alert',
});
registerTargetKind('order', {
  sql: `SELECT owner_id AS node FROM item WHERE id = $1::uuid AND kind = 'maintenance_order'`,
  shape: 'uuid',
  notFound: 'TicketNotFound',
  noun: 'order',
});
// Billing rows hang on the organisation billed.
registerTargetKind('subscription', {
  sql: 'SELECT organisation_id AS node FROM subscription WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'SubscriptionNotFound',
  noun: 'subscription',
});
registerTargetKind('invoice', {
  sql: 'SELECT organisation_id AS node FROM invoice WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'InvoiceNotFound',
  noun: 'invoice',
});
registerTargetKind('budget', {
  sql: 'SELECT organisation_id AS node FROM billing_budget WHERE id = $1::uuid',
  shape: 'uuid',
  notFound: 'BudgetNotFound',
  noun: 'budget',
});

import { SetMetadata } from '@nestjs/common';
import type { Action } from '@sextant/policy';

/**
 * The one place of a request a target id is read from. REST: a route parameter, a query
 * field or a body field; GraphQL: an argument, a field of the `input` argument, or (field
 * resolvers) a field of the parent object. Body and input fields may be nested (`params.nodeId`).
 */
export type Place = 'route' | 'query' | 'body' | 'args' | 'input' | 'parent';

/** Where a guarded handler finds the id of what it acts on. */
export interface TargetRef {
  /** A kind registered in targets.ts: node, path, item, movement, series, cdc, … */
  kind: string;
  place: Place;
  /** The id's name in that place; dots go into nested objects of a body or input. */
  field: string;
  /** Absent is fine (e.g. an optional new owner); present, it is checked. */
  optional?: boolean;
  /** Absent, the action named here is decided on the platform instead (a new root node). */
  absent?: Action;
  /** For the refs after the first: the action needed there (default node.read: visible). */
  action?: Action;
}

export type Policy =
  | { kind: 'public' }
  /** Decided on the platform (resource catalogue, new organisations) or the caller's account. */
  | { kind: 'platform' | 'self'; action: Action }
  /** A list filtered by the caller's scope for the action (the service applies the scope). */
  | { kind: 'scoped'; action: Action }
  /** On rows: the action on any node of the first target(s); the others must be visible. */
  | { kind: 'target'; action: Action; anyOf: TargetRef[]; also: TargetRef[] };

export const POLICY = 'sextant:policy';

type Options = Partial<Pick<TargetRef, 'optional' | 'absent' | 'action'>>;
const ref =
  (place: Place) =>
  (kind: string, field: string, options: Options = {}): TargetRef => ({
    kind,
    place,
    field,
    ...options,
  });

/** A target whose id is a route parameter (`/paths/:id`). */
export const inRoute = ref('route');
/** A target whose id is a field of the validated query string (`?nodeId=`). */
export const inQuery = ref('query');
/** A target whose id is a field of the validated JSON body, nested with dots. */
export const inBody = ref('body');
/** A target whose id is a GraphQL argument (`node(id: …)`). */
export const inArgs = ref('args');
/** A target whose id is a field of the GraphQL `input` argument, nested with dots. */
export const inInput = ref('input');
/** A target read from the parent object of a GraphQL field resolver. */
export function onParent(kind: string, field = 'id'): TargetRef {
  return { kind, place: 'parent', field };
}

/**
 * Guards a route or resolver: names the action and the one place of the request its target
 * is read from. Every handler has one (or @Public); a handler without it is refused, and the
 * route-guard test fails.
 *
 *   @Can('path.manage', inRoute('path', 'id'))          the action on the path's nodes
 *   @Can('path.manage', [inBody('node', 'sourceId'), inBody('node', 'destinationId')])  either
 *   @Can('movement.read', 'scoped')                     a list the service scopes
 *   @Can('catalogue.manage', 'platform')                platform administrators
 *   @Can('account.manage', 'self')                      any signed-in user, on their account
 */
export function Can(
  action: Action,
  target: TargetRef | TargetRef[] | 'scoped' | 'platform' | 'self',
  ...also: TargetRef[]
): MethodDecorator {
  const policy: Policy =
    target === 'scoped' || target === 'platform' || target === 'self'
      ? { kind: target, action }
      : { kind: 'target', action, anyOf: [target].flat(), also };
  return SetMetadata(POLICY, policy);
}

/** No authentication needed (health, sign-in, registration, password reset, invitations). */
export function Public(): MethodDecorator {
  return SetMetadata(POLICY, { kind: 'public' } satisfies Policy);
}

import { SetMetadata } from '@nestjs/common';
import type { Action } from '@sextant/policy';

/** Where a guarded route finds the id of what it acts on. */
export interface TargetRef {
  /** A kind registered in targets.ts: node, path, item, movement, series, cdc, … */
  kind: string;
  /**
   * The id's name: a route parameter, query parameter or body field (REST), an argument or a
   * field of the `input` argument (GraphQL); for field resolvers, a field of the parent object.
   */
  field: string;
  /** Absent is fine (e.g. an optional new owner); present, it is checked. */
  optional?: boolean;
  /** Absent, the action named here is decided on the platform instead (a new root node). */
  absent?: Action;
  /** For the refs after the first: the action needed there (default node.read: visible). */
  action?: Action;
  /** Read from the parent object of a GraphQL field resolver. */
  fromParent?: boolean;
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

/** A target of kind `kind` whose id is `field` (see TargetRef). */
export function on(kind: string, field: string, options: Partial<TargetRef> = {}): TargetRef {
  return { kind, field, ...options };
}

/** The same, read from the parent object of a GraphQL field resolver. */
export function onParent(kind: string, field = 'id'): TargetRef {
  return { kind, field, fromParent: true };
}

/**
 * Guards a route or resolver: names the action and where the target is. Every handler has one
 * (or @Public); a handler without it is refused, and the route-guard test fails.
 *
 *   @Can('path.manage', on('path', 'id'))               the action on the path's nodes
 *   @Can('path.manage', [on('node', 'sourceId'), on('node', 'destinationId')])  on either
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

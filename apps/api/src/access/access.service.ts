import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { decide, roleAllows, type Action, type Decision, type Target } from '@sextant/policy';
import { AccessRepository } from './access.repository';
import { subjectOf, type Principal } from '../auth/principal';
import type { Scope } from './scope';
import { actionOn, notFound, targetKind } from './targets';

/** The error a denial becomes; `missing` is the target's own 404 (so both read the same). */
export function denialError(
  decision: Decision,
  action: Action,
  missing: () => DomainError,
): DomainError | null {
  if (decision.allow) return null;
  switch (decision.denial) {
    case 'unauthenticated':
      return new DomainError('Unauthenticated', `authentication required: ${decision.reason}`);
    case 'not-found':
      return missing();
    case 'forbidden':
      return new DomainError('Forbidden', `not allowed to ${action}: ${decision.reason}`);
  }
}

/**
 * Applies the policy (libs/policy) to rows of the database: loads the lineage of what a request
 * acts on and asks `decide`; gives lists their scope. Everything that decides access in the API
 * goes through here.
 */
@Injectable()
export class AccessService {
  constructor(private readonly repository: AccessRepository) {}

  /** Throws unless the policy allows the action on the platform or the caller's account. */
  requireOn(principal: Principal, action: Action, target: Target): void {
    const error = denialError(
      decide(subjectOf(principal), action, target),
      action,
      () => new DomainError('Forbidden', `not allowed to ${action}`),
    );
    if (error) throw error;
  }

  /**
   * Throws unless the action is allowed on a row of `kind` (on any of its nodes). A row the
   * caller may not see is reported exactly as a missing one.
   */
  async requireRow(principal: Principal, action: Action, kind: string, id: string): Promise<void> {
    const row = await this.repository.nodesOf(kind, id);
    const missing = () => notFound(targetKind(kind), id);
    if (!row) {
      if (principal.kind === 'anonymous') this.requireOn(principal, action, { kind: 'platform' });
      throw missing();
    }
    const lineages = await this.repository.lineages(
      row.nodes.filter((n): n is string => n !== null),
    );
    const asked = actionOn(targetKind(kind), row.variant, action);
    const error = denialError(
      decide(subjectOf(principal), asked, { kind: 'nodes', lineages: [...lineages.values()] }),
      asked,
      missing,
    );
    if (error) throw error;
  }

  /** Whether the action is allowed on a node (false for a missing one). */
  async allowedOnNode(principal: Principal, action: Action, nodeId: string): Promise<boolean> {
    const lineages = await this.repository.lineages([nodeId]);
    const lineage = lineages.get(nodeId);
    return (
      lineage !== undefined &&
      decide(subjectOf(principal), action, { kind: 'nodes', lineages: [lineage] }).allow
    );
  }

  /** The nodes of `nodeIds` on which the action is allowed. */
  async filterNodes(principal: Principal, action: Action, nodeIds: string[]): Promise<Set<string>> {
    const lineages = await this.repository.lineages(nodeIds);
    const subject = subjectOf(principal);
    return new Set(
      [...lineages]
        .filter(([, l]) => decide(subject, action, { kind: 'nodes', lineages: [l] }).allow)
        .map(([id]) => id),
    );
  }

  /** Where a list for the action may look. */
  scope(principal: Principal, action: Action): Scope {
    if (principal.kind === 'anonymous') {
      throw new DomainError(
        'Unauthenticated',
        'authentication required: sign in or send an API token',
      );
    }
    if (principal.platformAdmin) return { all: true };
    return {
      all: false,
      roots: principal.grants.filter((g) => roleAllows(g.role, action)).map((g) => g.nodeId),
    };
  }

  /** The ids of every node in a scope; null for all. */
  async scopeNodeIds(scope: Scope): Promise<string[] | null> {
    return scope.all ? null : this.repository.subtreeIds(scope.roots);
  }
}

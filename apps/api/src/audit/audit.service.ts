import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import { AccessService } from '../access/access.service';
import type { Principal, RequestOrigin } from '../auth/principal';
import { AuditRepository, type AuditRecord, type AuditRow } from './audit.repository';
import type { ListAuditArgs } from './audit.model';

/** Who did it, as the audit log names them. */
export function actorOf(
  principal: Principal | null,
): Pick<AuditRecord, 'actorUserId' | 'actorLabel'> {
  return principal && principal.kind === 'user'
    ? { actorUserId: principal.userId, actorLabel: principal.email }
    : { actorUserId: null, actorLabel: 'anonymous' };
}

/** Appends to the audit log, and lists it for the admins of a subtree. */
@Injectable()
export class AuditService {
  constructor(
    private readonly audit: AuditRepository,
    private readonly access: AccessService,
  ) {}

  /** Records an event done by `principal` from `origin`. */
  async record(
    principal: Principal | null,
    origin: RequestOrigin | null,
    event: Omit<AuditRecord, 'actorUserId' | 'actorLabel' | 'sourceIp' | 'userAgent'> &
      Partial<Pick<AuditRecord, 'actorLabel'>>,
  ): Promise<void> {
    const actor = actorOf(principal);
    await this.audit.append({
      ...actor,
      ...event,
      actorLabel: event.actorLabel ?? actor.actorLabel,
      sourceIp: origin?.ip ?? null,
      userAgent: origin?.userAgent ?? null,
    });
  }

  async list(principal: Principal, args: ListAuditArgs): Promise<Page<AuditRow>> {
    const scope = this.access.scope(principal, 'audit.read');
    if (args.nodeId) {
      const allowed = await this.access.allowedOnNode(principal, 'audit.read', args.nodeId);
      if (!allowed && !(await this.access.allowedOnNode(principal, 'node.read', args.nodeId)))
        throw new DomainError('NodeNotFound', `no node with id ${args.nodeId}`);
      if (!allowed) throw new DomainError('Forbidden', 'not allowed to audit.read on this node');
    }
    const limit = args.limit ?? 50;
    let after: { at: Date; id: string } | undefined;
    if (args.cursor) {
      const position = decodeCursor(args.cursor);
      after = { at: new Date(position.value ?? 0), id: position.id };
    }
    const rows = await this.audit.list(
      {
        nodeId: args.nodeId,
        action: args.action,
        actorUserId: args.actorId,
        outcome: args.outcome,
        from: args.from ? new Date(args.from) : undefined,
        to: args.to ? new Date(args.to) : undefined,
        after,
      },
      scope,
      principal.kind === 'user' ? principal.userId : '00000000-0000-0000-0000-000000000000',
      limit + 1,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit ? encodeCursor({ value: last.at.toISOString(), id: last.id }) : null,
    };
  }
}

import { Injectable } from '@nestjs/common';
import {
  DomainError,
  FieldError,
  maintenanceTransitions,
  MaintenanceStateName,
} from '@sextant/domain';
import { uuidv7 } from '@sextant/ingest';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import type {
  CreateAlertInput,
  CreateMaintenanceOrderInput,
  ListTicketsArgs,
  UpdateTicketInput,
} from './dto/ticket.inputs';
import { MaintenanceRepository, TicketRow } from './maintenance.repository';
import type { EstimateModel, MachineLifeModel, TicketKind, TicketModel } from './ticket.model';

const label: Record<TicketKind, string> = { alert: 'alert', maintenance_order: 'order' };

/**
 * The most machines one remaining-life answer lists; more are refused (choose a node below)
 * rather than cut, so a fleet never looks smaller than it is.
 */
export const maxMachines = 3_000;
/** The most estimates of one machine listed: the newest. */
export const maxEstimates = 500;

function toModel(row: TicketRow): TicketModel {
  return {
    id: row.itemId,
    kind: row.item.kind as TicketKind,
    reference: row.item.reference,
    title: row.item.name,
    nodeId: row.item.ownerId,
    nodeName: row.item.owner.name,
    state: row.state,
    priority: row.priority,
    description: row.description,
    failureFrom: row.failureFrom,
    failureTo: row.failureTo,
    plannedFor: row.plannedFor,
    doneAt: row.doneAt,
    alertId: row.alertId,
    runId: row.runId,
    metadata: row.item.metadata as Record<string, unknown>,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function checkWindow(from: Date | null, to: Date | null): FieldError[] {
  return from && to && to < from
    ? [{ field: 'failureTo', reason: 'must not be before failureFrom' }]
    : [];
}

const date = (value: string | undefined) => (value === undefined ? undefined : new Date(value));

/**
 * Alerts and maintenance orders (items of those kinds with a ticket: failure window,
 * priority, state open -> planned -> done), and the remaining-life dashboard.
 */
@Injectable()
export class MaintenanceService {
  constructor(
    private readonly repository: MaintenanceRepository,
    private readonly access: AccessService,
  ) {}

  async list(
    actor: Principal,
    kind: TicketKind,
    args: ListTicketsArgs,
  ): Promise<Page<TicketModel>> {
    const scope = await this.access.scopeNodeIds(
      this.access.scope(actor, kind === 'alert' ? 'alert.read' : 'maintenance.read'),
    );
    const limit = args.limit ?? 50;
    const after = args.cursor ? decodeCursor(args.cursor) : null;
    const owners = args.nodeId ? await this.repository.subtree(args.nodeId) : null;
    const rows = await this.repository.findTickets({
      where: {
        AND: [
          { item: { kind, ...(owners ? { ownerId: { in: owners } } : {}) } },
          scope ? { item: { ownerId: { in: scope } } } : {},
          args.state ? { state: args.state } : {},
          args.priority ? { priority: args.priority } : {},
          after
            ? {
                OR: [
                  { createdAt: { lt: new Date(after.value ?? 0) } },
                  { createdAt: new Date(after.value ?? 0), itemId: { lt: after.id } },
                ],
              }
            : {},
        ],
      },
      orderBy: [{ createdAt: 'desc' }, { itemId: 'desc' }],
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map(toModel);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ value: last.createdAt.toISOString(), id: last.id })
          : null,
    };
  }

  async get(kind: TicketKind, id: string): Promise<TicketModel> {
    return toModel(await this.row(kind, id));
  }

  async create(
    kind: TicketKind,
    input: CreateAlertInput & Partial<CreateMaintenanceOrderInput>,
  ): Promise<TicketModel> {
    const errors: FieldError[] = [];
    if (!(await this.repository.nodeExists(input.nodeId))) {
      errors.push({ field: 'nodeId', reason: `no node with id ${input.nodeId}` });
    }
    const failureFrom = date(input.failureFrom) ?? null;
    const failureTo = date(input.failureTo) ?? null;
    errors.push(...checkWindow(failureFrom, failureTo));
    let alert: TicketRow | null = null;
    if (input.alertId) {
      alert = await this.repository.findTicket(input.alertId);
      if (!alert || alert.item.kind !== 'alert') {
        errors.push({ field: 'alertId', reason: `no alert with id ${input.alertId}` });
      } else if (alert.state === 'done') {
        errors.push({ field: 'alertId', reason: `alert ${alert.item.reference} is done` });
      }
    }
    if (errors.length) throw DomainError.validation(errors);
    const id = uuidv7();
    await this.repository.createTicket({
      id,
      kind,
      reference: `${label[kind]}:${id}`,
      name: input.title,
      ownerId: input.nodeId,
      metadata: input.metadata ?? {},
      ticket: {
        priority: input.priority ?? 'medium',
        description: input.description ?? '',
        failureFrom,
        failureTo,
        plannedFor: date(input.plannedFor) ?? null,
        alertId: alert?.itemId ?? null,
      },
    });
    // An open alert that an order answers is planned from now on.
    if (alert?.state === 'open') {
      await this.repository.moveTicket(alert.itemId, 'open', { state: 'planned' });
    }
    return this.get(kind, id);
  }

  async update(kind: TicketKind, id: string, input: UpdateTicketInput): Promise<TicketModel> {
    const row = await this.row(kind, id);
    if (row.state === 'done') {
      throw new DomainError(
        'IllegalTransition',
        `${label[kind]} ${row.item.reference} is done: a done ${label[kind]} cannot be changed`,
      );
    }
    if (kind === 'alert' && input.plannedFor !== undefined) {
      throw DomainError.validation([
        { field: 'plannedFor', reason: 'alerts are not planned: plan a maintenance order' },
      ]);
    }
    const failureFrom = date(input.failureFrom) ?? row.failureFrom;
    const failureTo = date(input.failureTo) ?? row.failureTo;
    const errors = checkWindow(failureFrom, failureTo);
    if (errors.length) throw DomainError.validation(errors);
    await this.repository.updateTicket(
      id,
      {
        ...(input.title !== undefined ? { name: input.title } : {}),
        ...(input.metadata !== undefined ? { metadata: input.metadata as object } : {}),
      },
      {
        ...(input.priority !== undefined ? { priority: input.priority } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        failureFrom,
        failureTo,
        ...(input.plannedFor !== undefined ? { plannedFor: new Date(input.plannedFor) } : {}),
      },
    );
    return this.get(kind, id);
  }

  /** Moves a ticket along open -> planned -> done (planned -> open); 409 for any other move. */
  async setState(kind: TicketKind, id: string, state: MaintenanceStateName): Promise<TicketModel> {
    const row = await this.row(kind, id);
    const allowed = maintenanceTransitions[row.state];
    if (!allowed.includes(state)) {
      throw new DomainError(
        'IllegalTransition',
        `cannot move ${label[kind]} ${row.item.reference} from ${row.state} to ${state} (from ${row.state}: ${allowed.join(', ') || 'none, it is final'})`,
      );
    }
    const moved = await this.repository.moveTicket(id, row.state, {
      state,
      doneAt: state === 'done' ? new Date() : null,
    });
    if (!moved) {
      throw new DomainError(
        'IllegalTransition',
        `${label[kind]} ${row.item.reference} changed meanwhile; read it again`,
      );
    }
    // An order done closes the alert it answered.
    if (kind === 'maintenance_order' && state === 'done' && row.alertId) {
      await this.repository.moveTicket(row.alertId, 'planned', {
        state: 'done',
        doneAt: new Date(),
      });
    }
    return this.get(kind, id);
  }

  async remainingLife(actor: Principal, nodeId: string | undefined): Promise<MachineLifeModel[]> {
    const scope = await this.access.scopeNodeIds(this.access.scope(actor, 'maintenance.read'));
    // A node the caller may not see is reported as a missing one.
    if (nodeId && !(await this.access.allowedOnNode(actor, 'node.read', nodeId))) {
      throw DomainError.validation([{ field: 'nodeId', reason: `no node with id ${nodeId}` }]);
    }
    const rows = await this.repository.machines(nodeId ?? null, scope, maxMachines + 1);
    if (rows.length > maxMachines) {
      const reason = `more than ${maxMachines} machines; choose a node that holds fewer`;
      throw new DomainError('LimitExceeded', `nodeId: ${reason}`, [{ field: 'nodeId', reason }]);
    }
    return rows.map((r) => ({
      nodeId: r.nodeId,
      name: r.name,
      reference: r.reference,
      parentId: r.parentId,
      estimate:
        r.at && r.remaining !== null && r.unit
          ? {
              at: r.at,
              remaining: r.remaining,
              lower: r.lower,
              upper: r.upper,
              unit: r.unit,
              health: r.health,
              modelItemId: r.modelItemId,
              runId: r.runId,
            }
          : null,
      openAlerts: r.openAlerts,
      activeOrders: r.activeOrders,
      highestPriority: r.highestPriority,
    }));
  }

  async history(nodeId: string): Promise<EstimateModel[]> {
    if (!(await this.repository.nodeExists(nodeId))) {
      throw new DomainError('NodeNotFound', `no node with id ${nodeId}`);
    }
    return this.repository.estimates(nodeId, maxEstimates);
  }

  private async row(kind: TicketKind, id: string): Promise<TicketRow> {
    const row = await this.repository.findTicket(id);
    if (!row || row.item.kind !== kind) {
      throw new DomainError('TicketNotFound', `no ${label[kind]} with id ${id}`);
    }
    return row;
  }
}

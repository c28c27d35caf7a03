import { Injectable } from '@nestjs/common';
import type { ItemModel as Item } from '@sextant/db';
import { DomainError } from '@sextant/domain';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { keysetQuery, parseSort, toPage } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import { translatePrismaError } from '../common/prisma-errors';
import type { CreateItemInput, ListItemsArgs, UpdateItemInput } from './dto/item.inputs';
import type { ItemModel } from './item.model';
import { ItemsRepository } from './items.repository';

const sortable = ['reference', 'name', 'createdAt'] as const;

/** Kinds with a workflow of their own, changed only through their API (alerts, orders). */
const ticketKinds: Record<string, { noun: string; route: string }> = {
  alert: { noun: 'an alert', route: '/api/alerts' },
  maintenance_order: { noun: 'a maintenance order', route: '/api/maintenance-orders' },
};

function toModel(row: Item): ItemModel {
  return { ...row, metadata: row.metadata as Record<string, unknown> };
}

@Injectable()
export class ItemsService {
  constructor(
    private readonly items: ItemsRepository,
    private readonly access: AccessService,
  ) {}

  async list(actor: Principal, args: ListItemsArgs): Promise<Page<ItemModel>> {
    // Alerts and orders are listed where their own read action holds, other items by item.read.
    const [items, alerts, orders] = await Promise.all(
      (['item.read', 'alert.read', 'maintenance.read'] as const).map((action) =>
        this.access.scopeNodeIds(this.access.scope(actor, action)),
      ),
    );
    const owned = (nodes: string[] | null) => (nodes ? { ownerId: { in: nodes } } : {});
    const limit = args.limit ?? 50;
    const sort = parseSort(args.sort, sortable, { field: 'reference', direction: 'asc' });
    const page = keysetQuery(sort, args.cursor);
    const filters = [
      page.where,
      {
        OR: [
          { kind: { notIn: Object.keys(ticketKinds) }, ...owned(items) },
          { kind: 'alert', ...owned(alerts) },
          { kind: 'maintenance_order', ...owned(orders) },
        ],
      },
      args.kind ? { kind: args.kind } : {},
      args.ownerId ? { ownerId: args.ownerId } : {},
      args.q
        ? {
            OR: [
              { name: { contains: args.q, mode: 'insensitive' } },
              { reference: { contains: args.q, mode: 'insensitive' } },
            ],
          }
        : {},
    ];
    const rows = await this.items.findMany({
      where: { AND: filters },
      orderBy: page.orderBy,
      take: limit + 1,
    });
    const result = toPage(rows, limit, sort.field);
    return { items: result.items.map(toModel), nextCursor: result.nextCursor };
  }

  async get(id: string): Promise<ItemModel> {
    const row = await this.items.findById(id);
    if (!row) throw new DomainError('ItemNotFound', `no item with id ${id}`);
    return toModel(row);
  }

  /** The item's body (e.g. a trained model's trees) with its media type; 404 without one. */
  async content(id: string): Promise<{ item: ItemModel; mediaType: string; bytes: Uint8Array }> {
    const item = await this.get(id);
    const body = await this.items.content(id);
    if (!body) throw new DomainError('ItemNotFound', `item ${item.reference} has no body`);
    return { item, ...body };
  }

  async create(input: CreateItemInput): Promise<ItemModel> {
    refuseTicketKind('kind', input.kind);
    await this.requireOwner(input.ownerId);
    try {
      return toModel(
        await this.items.create({ ...input, metadata: (input.metadata ?? {}) as object }),
      );
    } catch (error) {
      throw translatePrismaError(error, 'item');
    }
  }

  async update(id: string, input: UpdateItemInput): Promise<ItemModel> {
    refuseTicket(await this.get(id));
    if (input.kind) refuseTicketKind('kind', input.kind);
    if (input.ownerId) await this.requireOwner(input.ownerId);
    try {
      return toModel(
        await this.items.update(id, {
          ...input,
          ...(input.metadata ? { metadata: input.metadata as object } : {}),
        }),
      );
    } catch (error) {
      throw translatePrismaError(error, 'item');
    }
  }

  async remove(id: string): Promise<void> {
    refuseTicket(await this.get(id));
    const movements = await this.items.countMovements(id);
    if (movements > 0) {
      throw new DomainError(
        'ItemInUse',
        `item ${id} has ${movements} movements, which are permanent records`,
      );
    }
    await this.items.delete(id);
  }

  private async requireOwner(ownerId: string): Promise<void> {
    if (!(await this.items.nodeExists(ownerId))) {
      throw DomainError.validation([{ field: 'ownerId', reason: `no node with id ${ownerId}` }]);
    }
  }
}

/** An alert or an order is changed through its own API, which keeps its ticket and history. */
function refuseTicket(item: ItemModel): void {
  const ticket = ticketKinds[item.kind];
  if (ticket)
    throw new DomainError(
      'ItemKindReserved',
      `item ${item.reference} is ${ticket.noun}: change it through ${ticket.route}/${item.id}`,
    );
}

function refuseTicketKind(field: string, kind: string): void {
  const ticket = ticketKinds[kind];
  if (ticket)
    throw DomainError.validation([
      { field, reason: `${kind} items are raised through ${ticket.route}, not as plain items` },
    ]);
}

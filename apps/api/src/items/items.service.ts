import { Injectable } from '@nestjs/common';
import type { ItemModel as Item } from '@sextant/db';
import { DomainError } from '@sextant/domain';
import { AccessService } from '../auth/access.service';
import type { Principal } from '../auth/principal';
import { keysetQuery, parseSort, toPage } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import { translatePrismaError } from '../common/prisma-errors';
import type { CreateItemInput, ListItemsArgs, UpdateItemInput } from './dto/item.inputs';
import type { ItemModel } from './item.model';
import { ItemsRepository } from './items.repository';

const sortable = ['reference', 'name', 'createdAt'] as const;

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
    const visible = await this.access.scopeNodeIds(this.access.scope(actor, 'item.read'));
    const limit = args.limit ?? 50;
    const sort = parseSort(args.sort, sortable, { field: 'reference', direction: 'asc' });
    const page = keysetQuery(sort, args.cursor);
    const filters = [
      page.where,
      visible ? { ownerId: { in: visible } } : {},
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
    await this.get(id);
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
    await this.get(id);
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

import { readItemContent } from '@sextant/jobs';
import { Injectable } from '@nestjs/common';
import type { ItemModel as Item, Prisma } from '@sextant/db';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class ItemsRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The body of an item (a trained model), decoded; null without one. */
  content(id: string) {
    return readItemContent(this.prisma.pool, id);
  }

  findMany(args: Prisma.ItemFindManyArgs): Promise<Item[]> {
    return this.prisma.client.item.findMany(args);
  }

  findById(id: string): Promise<Item | null> {
    return this.prisma.client.item.findUnique({ where: { id } });
  }

  nodeExists(id: string): Promise<boolean> {
    return this.prisma.client.node.count({ where: { id } }).then((n) => n > 0);
  }

  create(data: Prisma.ItemUncheckedCreateInput): Promise<Item> {
    return this.prisma.client.item.create({ data });
  }

  update(id: string, data: Prisma.ItemUncheckedUpdateInput): Promise<Item> {
    return this.prisma.client.item.update({ where: { id }, data });
  }

  delete(id: string): Promise<unknown> {
    return this.prisma.client.item.delete({ where: { id } });
  }

  countMovements(id: string): Promise<number> {
    return this.prisma.client.movement.count({ where: { itemId: id } });
  }
}

import { Injectable } from '@nestjs/common';
import type { PathModel as Path, Prisma } from '@sextant/db';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class PathsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findMany(args: Prisma.PathFindManyArgs): Promise<Path[]> {
    return this.prisma.client.path.findMany(args);
  }

  findById(id: string): Promise<Path | null> {
    return this.prisma.client.path.findUnique({ where: { id } });
  }

  existingNodeIds(ids: string[]): Promise<{ id: string }[]> {
    return this.prisma.client.node.findMany({ where: { id: { in: ids } }, select: { id: true } });
  }

  create(data: Prisma.PathUncheckedCreateInput): Promise<Path> {
    return this.prisma.client.path.create({ data });
  }

  update(id: string, data: Prisma.PathUncheckedUpdateInput): Promise<Path> {
    return this.prisma.client.path.update({ where: { id }, data });
  }

  delete(id: string): Promise<unknown> {
    return this.prisma.client.path.delete({ where: { id } });
  }

  countMovements(id: string): Promise<number> {
    return this.prisma.client.movement.count({ where: { pathId: id } });
  }
}

import { Injectable } from '@nestjs/common';
import type { Prisma, ResourceModel as Resource } from '@sextant/db';
import { PrismaService } from '../prisma/prisma.service';

@Injectable()
export class ResourcesRepository {
  constructor(private readonly prisma: PrismaService) {}

  findMany(args: Prisma.ResourceFindManyArgs): Promise<Resource[]> {
    return this.prisma.client.resource.findMany(args);
  }

  findById(id: string): Promise<Resource | null> {
    return this.prisma.client.resource.findUnique({ where: { id } });
  }

  create(data: Prisma.ResourceCreateInput): Promise<Resource> {
    return this.prisma.client.resource.create({ data });
  }

  update(id: string, data: Prisma.ResourceUpdateInput): Promise<Resource> {
    return this.prisma.client.resource.update({ where: { id }, data });
  }

  delete(id: string): Promise<unknown> {
    return this.prisma.client.resource.delete({ where: { id } });
  }

  countMovements(id: string): Promise<number> {
    return this.prisma.client.movement.count({ where: { resourceId: id } });
  }
}

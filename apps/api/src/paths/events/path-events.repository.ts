import { Injectable } from '@nestjs/common';
import type { Prisma } from '@sextant/db';
import { PrismaService } from '../../prisma/prisma.service';

export interface PathEventRow {
  id: string;
  pathId: string;
  tag: string;
  time: Date;
  timeNs: bigint;
  record: Prisma.JsonValue;
  createdAt: Date;
}

/** Queries of the event log (rows written by the ingest gateway). */
@Injectable()
export class PathEventsRepository {
  constructor(private readonly prisma: PrismaService) {}

  async pathExists(pathId: string): Promise<boolean> {
    const path = await this.prisma.client.path.findUnique({
      where: { id: pathId },
      select: { id: true },
    });
    return path !== null;
  }

  findMany(args: Prisma.IngestEventFindManyArgs): Promise<PathEventRow[]> {
    return this.prisma.client.ingestEvent.findMany(args);
  }
}

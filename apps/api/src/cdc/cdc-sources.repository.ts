import { Injectable } from '@nestjs/common';
import { Prisma } from '@sextant/db';
import { PrismaService } from '../prisma/prisma.service';

const withSource = {
  cdcSource: true,
  cdcStatus: true,
} as const;

export type CdcSourceRow = Prisma.PathGetPayload<{ include: typeof withSource }>;

/**
 * The most CDC sources listed (by name). Each holds a replication slot on its database, so a
 * platform has tens; a list this long would show the first ones.
 */
export const maxCdcSources = 1_000;

/** Queries of managed CDC sources (cdc_source and its path, status, samples, commands). */
@Injectable()
export class CdcSourcesRepository {
  constructor(private readonly prisma: PrismaService) {}

  get pool() {
    return this.prisma.pool;
  }

  /** Sources with an end among `visible` (null: all). */
  list(visible: string[] | null): Promise<CdcSourceRow[]> {
    return this.prisma.client.path.findMany({
      where: {
        cdcSource: { isNot: null },
        ...(visible
          ? { OR: [{ sourceId: { in: visible } }, { destinationId: { in: visible } }] }
          : {}),
      },
      include: withSource,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: maxCdcSources,
    });
  }

  find(id: string): Promise<CdcSourceRow | null> {
    return this.prisma.client.path.findFirst({
      where: { id, cdcSource: { isNot: null } },
      include: withSource,
    });
  }

  async existingNodeIds(ids: string[]): Promise<Set<string>> {
    const rows = await this.prisma.client.node.findMany({
      where: { id: { in: ids } },
      select: { id: true },
    });
    return new Set(rows.map((r) => r.id));
  }

  create(data: {
    pathName: string;
    sourceId: string;
    destinationId: string;
    paused: boolean;
    source: Omit<Prisma.CdcSourceUncheckedCreateInput, 'pathId'>;
  }): Promise<CdcSourceRow> {
    return this.prisma.client.path.create({
      data: {
        name: data.pathName,
        sourceId: data.sourceId,
        destinationId: data.destinationId,
        protocol: 'cdc',
        state: data.paused ? 'paused' : 'active',
        cdcSource: { create: data.source },
      },
      include: withSource,
    });
  }

  async setState(id: string, state: 'active' | 'paused' | 'revoked'): Promise<void> {
    await this.prisma.client.path.update({ where: { id }, data: { state } });
  }

  addCommand(pathId: string, id: string, kind: 'resnapshot' | 'resume', tableName: string | null) {
    return this.prisma.client.cdcCommand.create({ data: { id, pathId, kind, tableName } });
  }

  commands(pathId: string, take: number) {
    return this.prisma.client.cdcCommand.findMany({
      where: { pathId },
      orderBy: { requestedAt: 'desc' },
      take,
    });
  }

  samples(pathId: string, since: Date) {
    return this.prisma.client.cdcLagSample.findMany({
      where: { pathId, at: { gte: since } },
      orderBy: { at: 'asc' },
    });
  }

  deadLetters(source: string, includeReplayed: boolean) {
    return this.prisma.client.cdcDeadLetter.findMany({
      where: { source, ...(includeReplayed ? {} : { replayedAt: null }) },
      orderBy: { createdAt: 'desc' },
      take: 500,
    });
  }

  countMovements(pathId: string): Promise<number> {
    return this.prisma.client.movement.count({ where: { pathId } });
  }

  /**
   * Forgets a dropped source: its settings, status, samples, commands and stream positions
   * (its slot is gone, so positions would only skip the changes of a new one), and the path
   * itself unless movements refer to it (then it is revoked).
   */
  async forget(pathId: string, source: string, keepPath: boolean): Promise<void> {
    await this.prisma.client.$transaction([
      this.prisma.client.cdcCommand.deleteMany({ where: { pathId } }),
      this.prisma.client.cdcLagSample.deleteMany({ where: { pathId } }),
      this.prisma.client.cdcStatus.deleteMany({ where: { pathId } }),
      this.prisma.client.cdcSource.delete({ where: { pathId } }),
      this.prisma.client.cdcPosition.deleteMany({ where: { source } }),
      keepPath
        ? this.prisma.client.path.update({ where: { id: pathId }, data: { state: 'revoked' } })
        : this.prisma.client.path.delete({ where: { id: pathId } }),
    ]);
  }

  async dropSchema(schema: string): Promise<void> {
    await this.prisma.pool.query(`DROP SCHEMA IF EXISTS "${schema.replace(/"/g, '""')}" CASCADE`);
  }
}

import { Injectable } from '@nestjs/common';
import type { PathModel as Path, Prisma } from '@sextant/db';
import { PrismaService } from '../prisma/prisma.service';

/** An MQTT path as the topic checks need it. */
export interface MqttPathRow {
  id: string;
  sourceId: string;
  destinationId: string;
  settings: Record<string, unknown>;
  /** The nearest organisation at or above the source, and its reference (the namespace). */
  organisationId: string | null;
  namespace: string | null;
}

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

  /** The nearest organisation at or above a node (the node itself if it is one). */
  async organisationOf(nodeId: string): Promise<{ id: string; reference: string } | null> {
    const rows = await this.prisma.client.$queryRawUnsafe<{ id: string; reference: string }[]>(
      `WITH RECURSIVE up AS (
         SELECT id, parent_id, kind, reference, 0 AS depth FROM node WHERE id = $1::uuid
         UNION ALL
         SELECT n.id, n.parent_id, n.kind, n.reference, up.depth + 1
           FROM up JOIN node n ON n.id = up.parent_id
          WHERE up.kind <> 'organisation' AND up.depth < 1000
       )
       SELECT id::text, reference FROM up WHERE kind = 'organisation'`,
      nodeId,
    );
    return rows[0] ?? null;
  }

  /** Every MQTT path but `exceptId`, whatever its state (a paused one may come back). */
  mqttPaths(exceptId: string | null): Promise<MqttPathRow[]> {
    return this.prisma.client.$queryRawUnsafe<MqttPathRow[]>(
      `WITH RECURSIVE up AS (
         SELECT p.id AS path_id, n.id, n.parent_id, n.kind, n.reference, 0 AS depth
           FROM path p JOIN node n ON n.id = p.source_id
          WHERE p.protocol = 'mqtt'
         UNION ALL
         SELECT up.path_id, n.id, n.parent_id, n.kind, n.reference, up.depth + 1
           FROM up JOIN node n ON n.id = up.parent_id
          WHERE up.kind <> 'organisation' AND up.depth < 1000
       )
       SELECT p.id::text, p.source_id::text AS "sourceId",
              p.destination_id::text AS "destinationId", p.settings,
              up.id::text AS "organisationId", up.reference AS namespace
         FROM path p LEFT JOIN up ON up.path_id = p.id AND up.kind = 'organisation'
        WHERE p.protocol = 'mqtt' AND p.id IS DISTINCT FROM $1::uuid`,
      exceptId,
    );
  }

  /** What still refers to a path: its movements, and minutes of points not yet accounted. */
  async usage(id: string): Promise<{ movements: number; unaccountedMinutes: number }> {
    const [movements, unaccountedMinutes] = await Promise.all([
      this.prisma.client.movement.count({ where: { pathId: id } }),
      this.prisma.client.ingestTally.count({ where: { pathId: id } }),
    ]);
    return { movements, unaccountedMinutes };
  }
}

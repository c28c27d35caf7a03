import { Injectable } from '@nestjs/common';
import type { Prisma } from '@sextant/db';
import { PrismaService } from '../prisma/prisma.service';
import type { TicketKind } from './ticket.model';

const ticketInclude = {
  item: { include: { owner: { select: { name: true } } } },
} satisfies Prisma.MaintenanceTicketInclude;

export type TicketRow = Prisma.MaintenanceTicketGetPayload<{ include: typeof ticketInclude }>;

export interface MachineLifeRow {
  nodeId: string;
  name: string;
  reference: string;
  parentId: string | null;
  at: Date | null;
  remaining: number | null;
  lower: number | null;
  upper: number | null;
  unit: string | null;
  health: number | null;
  modelItemId: string | null;
  runId: string | null;
  openAlerts: number;
  activeOrders: number;
  highestPriority: 'low' | 'medium' | 'high' | 'critical' | null;
}

@Injectable()
export class MaintenanceRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** The node and every node under it. */
  async subtree(nodeId: string): Promise<string[]> {
    const { rows } = await this.prisma.pool.query<{ id: string }>(
      `WITH RECURSIVE tree(id) AS (
         SELECT id FROM node WHERE id = $1
         UNION ALL SELECT n.id FROM node n JOIN tree t ON n.parent_id = t.id
       ) SELECT id FROM tree`,
      [nodeId],
    );
    return rows.map((r) => r.id);
  }

  nodeExists(id: string): Promise<boolean> {
    return this.prisma.client.node.count({ where: { id } }).then((n) => n > 0);
  }

  findTickets(args: {
    where: Prisma.MaintenanceTicketWhereInput;
    orderBy: Prisma.MaintenanceTicketOrderByWithRelationInput[];
    take: number;
  }): Promise<TicketRow[]> {
    return this.prisma.client.maintenanceTicket.findMany({ ...args, include: ticketInclude });
  }

  findTicket(id: string): Promise<TicketRow | null> {
    return this.prisma.client.maintenanceTicket.findUnique({
      where: { itemId: id },
      include: ticketInclude,
    });
  }

  createTicket(item: {
    id: string;
    kind: TicketKind;
    reference: string;
    name: string;
    ownerId: string;
    metadata: object;
    ticket: Omit<Prisma.MaintenanceTicketUncheckedCreateWithoutItemInput, 'itemId'>;
  }): Promise<unknown> {
    return this.prisma.client.item.create({
      data: {
        id: item.id,
        kind: item.kind,
        reference: item.reference,
        name: item.name,
        ownerId: item.ownerId,
        metadata: item.metadata,
        ticket: { create: item.ticket },
      },
    });
  }

  updateTicket(
    id: string,
    item: Prisma.ItemUncheckedUpdateInput,
    ticket: Prisma.MaintenanceTicketUncheckedUpdateInput,
  ): Promise<unknown> {
    return this.prisma.client.$transaction([
      this.prisma.client.item.update({ where: { id }, data: item }),
      this.prisma.client.maintenanceTicket.update({
        where: { itemId: id },
        data: { ...ticket, updatedAt: new Date() },
      }),
    ]);
  }

  /** Moves a ticket from `from` to `to` unless it moved meanwhile; false if it had. */
  async moveTicket(
    id: string,
    from: string,
    data: Prisma.MaintenanceTicketUncheckedUpdateManyInput,
  ): Promise<boolean> {
    const { count } = await this.prisma.client.maintenanceTicket.updateMany({
      where: { itemId: id, state: from as never },
      data: { ...data, updatedAt: new Date() },
    });
    return count === 1;
  }

  /**
   * Machines (under a node, or all; among `scope` unless null) with their latest estimate and
   * what is open on them.
   */
  async machines(
    nodeId: string | null,
    scope: string[] | null,
    limit: number,
  ): Promise<MachineLifeRow[]> {
    const { rows } = await this.prisma.pool.query<MachineLifeRow>(
      `WITH RECURSIVE tree(id) AS (
         SELECT id FROM node WHERE id = $1
         UNION ALL SELECT n.id FROM node n JOIN tree t ON n.parent_id = t.id
       ),
       open AS (
         SELECT i.owner_id, i.kind, t.priority FROM maintenance_ticket t JOIN item i ON i.id = t.item_id
          WHERE (i.kind = 'alert' AND t.state = 'open')
             OR (i.kind = 'maintenance_order' AND t.state IN ('open', 'planned'))
       )
       SELECT n.id AS "nodeId", n.name, n.reference, n.parent_id AS "parentId",
              e.at, e.remaining, e.lower, e.upper, e.unit, e.health,
              e.model_item_id AS "modelItemId", e.run_id AS "runId",
              (SELECT count(*)::int FROM open o WHERE o.owner_id = n.id AND o.kind = 'alert') AS "openAlerts",
              (SELECT count(*)::int FROM open o WHERE o.owner_id = n.id AND o.kind = 'maintenance_order') AS "activeOrders",
              (SELECT max(o.priority)::text FROM open o WHERE o.owner_id = n.id) AS "highestPriority"
         FROM node n
         LEFT JOIN LATERAL (
           SELECT * FROM remaining_life_estimate e WHERE e.node_id = n.id
            ORDER BY e.at DESC, e.created_at DESC LIMIT 1
         ) e ON true
        WHERE n.kind = 'machine' AND ($1::uuid IS NULL OR n.id IN (SELECT id FROM tree))
          AND ($2::uuid[] IS NULL OR n.id = ANY($2::uuid[]))
        ORDER BY e.health ASC NULLS LAST, e.remaining ASC NULLS LAST, n.reference LIMIT $3`,
      [nodeId, scope, limit],
    );
    return rows;
  }

  estimates(nodeId: string, limit: number) {
    return this.prisma.client.remainingLifeEstimate.findMany({
      where: { nodeId },
      orderBy: [{ at: 'desc' }, { createdAt: 'desc' }],
      take: limit,
    });
  }
}

import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestOrigin } from '../auth/principal';
import { keysetQuery, parseSort, toPage } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import { translatePrismaError } from '../common/prisma-errors';
import type { CreateNodeInput, ListNodesArgs, UpdateNodeInput } from './dto/node.inputs';
import type { NodeModel, SubtreeNodeModel } from './node.model';
import { maxAncestors, maxSubtreeSize } from './nodes.limits';
import { NodesRepository } from './nodes.repository';

export { maxAncestors, maxSubtreeSize } from './nodes.limits';

const sortable = ['name', 'reference', 'createdAt'] as const;

@Injectable()
export class NodesService {
  constructor(
    private readonly nodes: NodesRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Principal, args: ListNodesArgs): Promise<Page<NodeModel>> {
    const visible = await this.access.scopeNodeIds(this.access.scope(actor, 'node.read'));
    const limit = args.limit ?? 50;
    const sort = parseSort(args.sort, sortable, { field: 'name', direction: 'asc' });
    const page = keysetQuery(sort, args.cursor);
    const filters = [
      page.where,
      visible ? { id: { in: visible } } : {},
      args.kind ? { kind: args.kind } : {},
      args.parentId ? { parentId: args.parentId } : {},
      args.root ? { parentId: null } : {},
      args.q
        ? {
            OR: [
              { name: { contains: args.q, mode: 'insensitive' } },
              { reference: { contains: args.q, mode: 'insensitive' } },
            ],
          }
        : {},
    ];
    const rows = await this.nodes.findMany({
      where: { AND: filters },
      orderBy: page.orderBy,
      take: limit + 1,
    });
    return toPage(rows, limit, sort.field);
  }

  async get(id: string): Promise<NodeModel> {
    const node = await this.nodes.findById(id);
    if (!node) throw new DomainError('NodeNotFound', `no node with id ${id}`);
    return node;
  }

  /** The parent of a node, or null when the caller may not see it. */
  async visibleParent(actor: Principal, parentId: string): Promise<NodeModel | null> {
    return (await this.access.allowedOnNode(actor, 'node.read', parentId))
      ? this.get(parentId)
      : null;
  }

  async create(
    actor: Principal,
    origin: RequestOrigin,
    input: CreateNodeInput,
  ): Promise<NodeModel> {
    if (input.parentId) await this.requireParent(input.parentId);
    try {
      const node = await this.nodes.create({
        parentId: input.parentId ?? null,
        kind: input.kind,
        name: input.name,
        reference: input.reference,
        metadata: (input.metadata ?? {}) as object,
      });
      await this.record(actor, origin, 'node.create', node);
      return node;
    } catch (error) {
      throw translatePrismaError(error, 'node');
    }
  }

  private record(actor: Principal, origin: RequestOrigin, action: string, node: NodeModel) {
    return this.audit.record(actor, origin, {
      action,
      outcome: 'success',
      nodeId: node.id,
      targetType: 'node',
      targetId: node.id,
      details: { reference: node.reference, name: node.name, parentId: node.parentId },
    });
  }

  async update(
    actor: Principal,
    origin: RequestOrigin,
    id: string,
    input: UpdateNodeInput,
  ): Promise<NodeModel> {
    await this.get(id);
    // Making a node a root takes it out of its organisation: for platform administrators.
    if (input.parentId === null)
      this.access.requireOn(actor, 'organisation.create', { kind: 'platform' });
    if (input.parentId) {
      await this.requireParent(input.parentId);
      if (await this.nodes.isInSubtree(id, input.parentId)) {
        const reason =
          input.parentId === id
            ? 'a node cannot be its own parent'
            : `node ${input.parentId} lies below this node, so this would make a cycle`;
        throw new DomainError('NodeCycle', `parentId: ${reason}`, [{ field: 'parentId', reason }]);
      }
    }
    const data = {
      ...(input.parentId !== undefined ? { parentId: input.parentId } : {}),
      ...(input.kind !== undefined ? { kind: input.kind } : {}),
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.reference !== undefined ? { reference: input.reference } : {}),
      ...(input.metadata !== undefined ? { metadata: input.metadata as object } : {}),
    };
    try {
      // An organisation's reference is the MQTT namespace of the paths below it (docs/ingest.md, MQTT).
      const namespaces =
        input.reference !== undefined || input.kind !== undefined || input.parentId !== undefined;
      const { node, moved } = namespaces
        ? await this.nodes.updateMovingTopics(id, data)
        : { node: await this.nodes.update(id, data), moved: [] };
      await this.record(actor, origin, 'node.update', node);
      for (const path of moved)
        await this.audit.record(actor, origin, {
          action: 'path.update',
          outcome: 'success',
          nodeId: path.sourceId,
          targetType: 'path',
          targetId: path.id,
          details: { name: path.name, topicsMovedFrom: `${path.from}/`, to: `${path.to}/` },
        });
      return node;
    } catch (error) {
      throw translatePrismaError(error, 'node');
    }
  }

  async remove(actor: Principal, origin: RequestOrigin, id: string): Promise<void> {
    const node = await this.get(id);
    const usage = await this.nodes.usage(id);
    if (usage.movements > 0) {
      throw new DomainError(
        'NodeHasMovements',
        `node ${id} has ${usage.movements} movements; movements are permanent records, so the node cannot be deleted`,
      );
    }
    if (usage.children > 0) {
      throw new DomainError(
        'NodeHasChildren',
        `node ${id} has ${usage.children} child nodes; move or delete them first`,
      );
    }
    if (usage.paths > 0 || usage.items > 0) {
      throw new DomainError(
        'NodeInUse',
        `node ${id} is used by ${usage.paths} paths and ${usage.items} items; delete or reassign them first`,
      );
    }
    try {
      await this.nodes.delete(id);
    } catch (error) {
      throw translatePrismaError(error, 'node');
    }
    await this.record(actor, origin, 'node.delete', node);
  }

  async children(id: string, limit = maxSubtreeSize): Promise<NodeModel[]> {
    await this.get(id);
    return this.nodes.children(id, Math.min(limit, maxSubtreeSize));
  }

  async ancestors(actor: Principal, id: string): Promise<NodeModel[]> {
    await this.get(id);
    const ancestors = await this.nodes.ancestors(id, maxAncestors);
    const visible = await this.access.filterNodes(
      actor,
      'node.read',
      ancestors.map((a) => a.id),
    );
    return ancestors.filter((a) => visible.has(a.id));
  }

  async subtree(id: string, limit = maxSubtreeSize): Promise<SubtreeNodeModel[]> {
    await this.get(id);
    return this.nodes.subtree(id, Math.min(limit, maxSubtreeSize));
  }

  private async requireParent(parentId: string): Promise<void> {
    if (!(await this.nodes.findById(parentId))) {
      const reason = `no node with id ${parentId}`;
      throw new DomainError('ValidationFailed', `parentId: ${reason}`, [
        { field: 'parentId', reason },
      ]);
    }
  }
}

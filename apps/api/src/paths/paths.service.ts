import { Injectable } from '@nestjs/common';
import type { PathModel as Path } from '@sextant/db';
import { DomainError, FieldError } from '@sextant/domain';
import { filtersOverlap, forwardNodeRuleProblems, parseMqttSettings } from '@sextant/ingest';
import { AccessService } from '../access/access.service';
import { AuditService } from '../audit/audit.service';
import type { Principal, RequestOrigin } from '../auth/principal';
import { keysetQuery, parseSort, toPage } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import { translatePrismaError } from '../common/prisma-errors';
import type { CreatePathInput, ListPathsArgs, UpdatePathInput } from './dto/path.inputs';
import type { PathModel } from './path.model';
import { PathsRepository } from './paths.repository';

const sortable = ['name', 'createdAt'] as const;

function toModel(row: Path): PathModel {
  return {
    ...row,
    mapping: row.mapping as Record<string, unknown>,
    settings: row.settings as Record<string, unknown>,
  };
}

/**
 * Refuses mapping rules the gateway would not use: fluentd tag patterns (`mapping.forward.nodes`)
 * over the length cap, or too many of them (they are matched against every message's tag).
 */
function checkMapping(mapping: Record<string, unknown> | undefined): void {
  const errors: FieldError[] = forwardNodeRuleProblems(mapping);
  if (errors.length) throw DomainError.validation(errors);
}

@Injectable()
export class PathsService {
  constructor(
    private readonly paths: PathsRepository,
    private readonly access: AccessService,
    private readonly audit: AuditService,
  ) {}

  async list(actor: Principal, args: ListPathsArgs): Promise<Page<PathModel>> {
    const visible = await this.access.scopeNodeIds(this.access.scope(actor, 'path.read'));
    const limit = args.limit ?? 50;
    const sort = parseSort(args.sort, sortable, { field: 'name', direction: 'asc' });
    const page = keysetQuery(sort, args.cursor);
    const filters = [
      page.where,
      visible ? { OR: [{ sourceId: { in: visible } }, { destinationId: { in: visible } }] } : {},
      args.sourceId ? { sourceId: args.sourceId } : {},
      args.destinationId ? { destinationId: args.destinationId } : {},
      args.nodeId ? { OR: [{ sourceId: args.nodeId }, { destinationId: args.nodeId }] } : {},
      args.protocol ? { protocol: args.protocol } : {},
      args.state ? { state: args.state } : {},
      args.q ? { name: { contains: args.q, mode: 'insensitive' } } : {},
    ];
    const rows = await this.paths.findMany({
      where: { AND: filters },
      orderBy: page.orderBy,
      take: limit + 1,
    });
    const result = toPage(rows, limit, sort.field);
    return { items: result.items.map(toModel), nextCursor: result.nextCursor };
  }

  async get(id: string): Promise<PathModel> {
    const row = await this.paths.findById(id);
    if (!row) throw new DomainError('PathNotFound', `no path with id ${id}`);
    return toModel(row);
  }

  async create(
    actor: Principal,
    origin: RequestOrigin,
    input: CreatePathInput,
  ): Promise<PathModel> {
    checkMapping(input.mapping);
    await this.checkEnds(input.sourceId, input.destinationId);
    if (input.protocol === 'mqtt')
      await this.checkTopics(actor, null, input.sourceId, input.settings ?? {});
    try {
      const path = toModel(
        await this.paths.create({
          ...input,
          mapping: (input.mapping ?? {}) as object,
          settings: (input.settings ?? {}) as object,
        }),
      );
      await this.record(actor, origin, 'path.create', path);
      return path;
    } catch (error) {
      throw translatePrismaError(error, 'path');
    }
  }

  private record(actor: Principal, origin: RequestOrigin, action: string, path: PathModel) {
    return this.audit.record(actor, origin, {
      action,
      outcome: 'success',
      nodeId: path.sourceId,
      targetType: 'path',
      targetId: path.id,
      details: {
        name: path.name,
        sourceId: path.sourceId,
        destinationId: path.destinationId,
        state: path.state,
      },
    });
  }

  async update(
    actor: Principal,
    origin: RequestOrigin,
    id: string,
    input: UpdatePathInput,
  ): Promise<PathModel> {
    checkMapping(input.mapping);
    const current = await this.get(id);
    await this.checkEnds(
      input.sourceId ?? current.sourceId,
      input.destinationId ?? current.destinationId,
    );
    // A new source may be in another organisation, hence another namespace. A change that
    // touches none of these keeps the settings as stored (even a path's from before namespaces,
    // so that it can still be paused or revoked).
    const topicsChange =
      input.settings !== undefined || input.sourceId !== undefined || input.protocol !== undefined;
    if ((input.protocol ?? current.protocol) === 'mqtt' && topicsChange)
      await this.checkTopics(
        actor,
        id,
        input.sourceId ?? current.sourceId,
        input.settings ?? current.settings,
      );
    try {
      const path = toModel(
        await this.paths.update(id, {
          ...input,
          ...(input.mapping ? { mapping: input.mapping as object } : {}),
          ...(input.settings ? { settings: input.settings as object } : {}),
        }),
      );
      await this.record(actor, origin, 'path.update', path);
      return path;
    } catch (error) {
      throw translatePrismaError(error, 'path');
    }
  }

  async remove(actor: Principal, origin: RequestOrigin, id: string): Promise<void> {
    const path = await this.get(id);
    const inUse = (what: string) =>
      new DomainError(
        'PathInUse',
        `path ${id} ${what}, which are permanent records: revoke it instead (PATCH state revoked), which stops it and keeps its history`,
      );
    const { movements, unaccountedMinutes } = await this.paths.usage(id);
    const held = [
      movements ? `${movements} movement${movements === 1 ? '' : 's'}` : null,
      unaccountedMinutes
        ? `${unaccountedMinutes} minute${unaccountedMinutes === 1 ? '' : 's'} of points still being accounted (they become movements within minutes)`
        : null,
    ].filter(Boolean);
    if (held.length) throw inUse(`has ${held.join(' and ')}`);
    try {
      await this.paths.delete(id);
    } catch (error) {
      // Points accepted since the count above: the same answer, never a 500.
      const translated = translatePrismaError(error, 'path');
      if (translated instanceof DomainError && translated.code === 'NodeInUse')
        throw inUse('has points accepted a moment ago');
      throw translated;
    }
    await this.record(actor, origin, 'path.delete', path);
  }

  /**
   * The settings of an MQTT path from `sourceId` must be usable, with every topic filter in the
   * namespace of the source's organisation (its reference), and no filter may overlap one of a
   * path the caller cannot see or of another organisation: that path would lose messages.
   */
  private async checkTopics(
    actor: Principal,
    pathId: string | null,
    sourceId: string,
    settings: Record<string, unknown>,
  ): Promise<void> {
    const organisation = await this.paths.organisationOf(sourceId);
    const parsed = parseMqttSettings(settings, organisation?.reference ?? null);
    if ('problem' in parsed)
      throw DomainError.validation([{ field: parsed.field, reason: parsed.reason }]);
    const visible = await this.access.scopeNodeIds(this.access.scope(actor, 'path.read'));
    const seen = visible && new Set(visible);
    for (const other of await this.paths.mqttPaths(pathId)) {
      const sameOrganisation = organisation !== null && other.organisationId === organisation.id;
      if (sameOrganisation && (!seen || seen.has(other.sourceId) || seen.has(other.destinationId)))
        continue; // the caller sees it: the more specific filter takes a topic (docs/ingest.md)
      // A filter that is not in its own namespace is never subscribed, so it takes nothing.
      const theirs = parseMqttSettings(other.settings, other.namespace);
      if ('problem' in theirs) continue;
      for (const [i, filter] of parsed.settings.topics.entries()) {
        if (!theirs.settings.topics.some((t) => filtersOverlap(filter, t))) continue;
        // Neither the filter nor its path or organisation is named: the caller may not see them.
        const field = `settings.mqtt.topics[${i}]`;
        const reason =
          'overlaps the topic filter of a path you cannot see (of another organisation, or of a part of this one outside your roles); choose topics that no other path takes';
        throw new DomainError('TopicTaken', `${field}: ${reason}`, [{ field, reason }]);
      }
    }
  }

  private async checkEnds(sourceId: string, destinationId: string): Promise<void> {
    if (sourceId === destinationId) {
      const reason = 'must differ from sourceId: a path connects two different nodes';
      throw new DomainError('PathLoop', `destinationId: ${reason}`, [
        { field: 'destinationId', reason },
      ]);
    }
    const found = new Set(
      (await this.paths.existingNodeIds([sourceId, destinationId])).map((n) => n.id),
    );
    const errors: FieldError[] = [];
    if (!found.has(sourceId))
      errors.push({ field: 'sourceId', reason: `no node with id ${sourceId}` });
    if (!found.has(destinationId))
      errors.push({ field: 'destinationId', reason: `no node with id ${destinationId}` });
    if (errors.length) throw DomainError.validation(errors);
  }
}

import { Injectable } from '@nestjs/common';
import type { MovementModel as Movement } from '@sextant/db';
import { DomainError, FieldError } from '@sextant/domain';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { decodeCursor, encodeCursor } from '../common/cursor';
import { decimalToString } from '../common/decimal';
import type { Page } from '../common/graphql-types';
import { translatePrismaError } from '../common/prisma-errors';
import type {
  CreateMovementInput,
  ListMovementsArgs,
  MovementSummaryArgs,
} from './dto/movement.inputs';
import type { MovementModel, MovementSummary } from './movement.model';
import { MovementsRepository } from './movements.repository';

const day = 86_400_000;
export const maxSummaryDays = 366;
/**
 * The most rows of a summary (one per resource and day): a year of 19 resources. A longer
 * summary is cut, in day order, and says so (truncated).
 */
export const maxSummaryRows = 7_000;

function toModel(row: Movement): MovementModel {
  return {
    id: row.id,
    resourceId: row.resourceId,
    sourceId: row.sourceId,
    destinationId: row.destinationId,
    itemId: row.itemId,
    pathId: row.pathId,
    correctsId: row.correctsId,
    quantity: row.quantity.toString(),
    start: row.start,
    stop: row.stop,
    unitPrice: decimalToString(row.unitPrice),
    origin: row.origin,
    externalId: row.externalId,
    createdAt: row.createdAt,
  };
}

function window(fromText: string | undefined, toText: string | undefined, fallbackDays: number) {
  const to = toText ? new Date(toText) : new Date();
  const from = fromText ? new Date(fromText) : new Date(to.getTime() - fallbackDays * day);
  if (from.getTime() > to.getTime()) {
    throw new DomainError('InvalidTimeWindow', 'to: must not be before from', [
      { field: 'to', reason: 'must not be before from' },
    ]);
  }
  return { from, to };
}

// Fields that make two movements the same record, for idempotent retries.
function sameMovement(a: Movement, b: CreateMovementInput): boolean {
  return (
    a.resourceId === b.resourceId &&
    a.sourceId === b.sourceId &&
    a.destinationId === b.destinationId &&
    a.quantity.equals(b.quantity) &&
    a.start.getTime() === new Date(b.start).getTime() &&
    a.stop.getTime() === new Date(b.stop).getTime()
  );
}

@Injectable()
export class MovementsService {
  constructor(
    private readonly movements: MovementsRepository,
    private readonly access: AccessService,
  ) {}

  async list(actor: Principal, args: ListMovementsArgs): Promise<Page<MovementModel>> {
    const scope = this.access.scope(actor, 'movement.read');
    const limit = args.limit ?? 50;
    if (args.sort && args.sort !== '-start') {
      throw DomainError.validation([
        { field: 'sort', reason: 'movements are listed newest first; only -start is supported' },
      ]);
    }
    const { from, to } =
      args.from || args.to
        ? window(args.from, args.to ?? '9999-12-31T00:00:00Z', 0)
        : { from: undefined, to: undefined };
    let after: { start: Date; id: string } | undefined;
    if (args.cursor) {
      const position = decodeCursor(args.cursor);
      after = { start: new Date(position.value ?? 0), id: position.id };
    }
    const rows = await this.movements.list(
      {
        resourceId: args.resourceId,
        nodeId: args.nodeId,
        nodeRole: args.nodeRole ?? 'either',
        pathId: args.pathId,
        origin: args.origin,
        from: args.from ? from : undefined,
        to: args.to ? to : undefined,
        after,
        scope,
      },
      limit + 1,
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit ? encodeCursor({ value: last.start.toISOString(), id: last.id }) : null,
    };
  }

  async get(id: string): Promise<MovementModel> {
    const row = await this.movements.findById(id);
    if (!row) throw new DomainError('MovementNotFound', `no movement with id ${id}`);
    return toModel(row);
  }

  async create(input: CreateMovementInput): Promise<MovementModel> {
    const errors: FieldError[] = [];
    if (new Date(input.stop).getTime() < new Date(input.start).getTime()) {
      errors.push({ field: 'stop', reason: 'must not be before start' });
    }
    if (input.sourceId === input.destinationId) {
      errors.push({ field: 'destinationId', reason: 'must differ from sourceId' });
    }
    const found = await this.movements.existing({
      resourceId: input.resourceId,
      nodeIds: [input.sourceId, input.destinationId],
      itemId: input.itemId,
      pathId: input.pathId,
    });
    const check = (field: string, kind: string, id: string | undefined) => {
      if (id && !found.has(`${kind}:${id.toLowerCase()}`))
        errors.push({ field, reason: `no ${kind} with id ${id}` });
    };
    check('resourceId', 'resource', input.resourceId);
    check('sourceId', 'node', input.sourceId);
    check('destinationId', 'node', input.destinationId);
    check('itemId', 'item', input.itemId);
    check('pathId', 'path', input.pathId);
    const correction = await this.correction(input);
    errors.push(...correction.errors);
    if (errors.length) throw DomainError.validation(errors);

    const origin = input.origin ?? correction.origin ?? 'manual';
    try {
      return toModel(await this.movements.create({ ...input, ...correction.inherited, origin }));
    } catch (error) {
      const translated = translatePrismaError(error, 'movement');
      if (
        translated instanceof DomainError &&
        translated.code === 'ReferenceTaken' &&
        input.externalId
      ) {
        const existing = await this.movements.findByExternalId(origin, input.externalId);
        if (existing && sameMovement(existing, input)) return toModel(existing);
        throw new DomainError(
          'DuplicateMovement',
          `externalId: a different ${origin} movement already has external id "${input.externalId}"`,
          [{ field: 'externalId', reason: 'already used by a different movement of this origin' }],
        );
      }
      throw translated;
    }
  }

  /**
   * Only a correction may be negative, and it corrects a movement of the same resource between
   * the same nodes, with its origin, path and item (which it takes when not given): it counts
   * in the same metrics, rollups and invoice lines as the corrected one.
   */
  private async correction(input: CreateMovementInput): Promise<{
    errors: FieldError[];
    origin?: CreateMovementInput['origin'];
    inherited?: { pathId?: string; itemId?: string };
  }> {
    const negative = input.quantity.startsWith('-') && !/^-0*(\.0*)?$/.test(input.quantity);
    if (!input.correctsId)
      return {
        errors: negative
          ? [
              {
                field: 'quantity',
                reason: 'may be negative only in a correction (with correctsId)',
              },
            ]
          : [],
      };
    const corrected = await this.movements.findById(input.correctsId.toLowerCase());
    if (!corrected)
      return {
        errors: [{ field: 'correctsId', reason: `no movement with id ${input.correctsId}` }],
      };
    const errors: FieldError[] = [];
    for (const field of ['resourceId', 'sourceId', 'destinationId'] as const)
      if (corrected[field] !== input[field].toLowerCase())
        errors.push({ field, reason: `must be the corrected movement's (${corrected[field]})` });
    for (const field of ['pathId', 'itemId'] as const)
      if (input[field] && input[field].toLowerCase() !== corrected[field])
        errors.push({
          field,
          reason: `must be the corrected movement's (${corrected[field] ?? 'none'})`,
        });
    if (input.origin && input.origin !== corrected.origin)
      errors.push({
        field: 'origin',
        reason: `must be the corrected movement's (${corrected.origin})`,
      });
    return {
      errors,
      origin: corrected.origin as CreateMovementInput['origin'],
      inherited: { pathId: corrected.pathId ?? undefined, itemId: corrected.itemId ?? undefined },
    };
  }

  async summary(nodeId: string, args: MovementSummaryArgs): Promise<MovementSummary> {
    if (!(await this.movements.nodeExists(nodeId)))
      throw new DomainError('NodeNotFound', `no node with id ${nodeId}`);
    const { from, to } = window(args.from, args.to, 31);
    if (to.getTime() - from.getTime() > maxSummaryDays * day) {
      throw DomainError.validation([
        { field: 'from', reason: `the window may span at most ${maxSummaryDays} days` },
      ]);
    }
    const rows = await this.movements.summary(nodeId, from, to, maxSummaryRows + 1);
    return {
      nodeId,
      rows: rows.slice(0, maxSummaryRows),
      truncated: rows.length > maxSummaryRows,
    };
  }
}

import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { keysetQuery, toPage } from '../../common/cursor';
import type { Page } from '../../common/graphql-types';
import type { ListPathEventsArgs } from './dto/list-path-events.args';
import type { PathEventModel } from './path-event.model';
import { PathEventRow, PathEventsRepository } from './path-events.repository';

function toModel(row: PathEventRow): PathEventModel {
  return {
    ...row,
    timeNs: row.timeNs.toString(),
    record: (row.record ?? {}) as Record<string, unknown>,
  };
}

/** The event log of a path: records with no numeric value, newest first. */
@Injectable()
export class PathEventsService {
  constructor(private readonly events: PathEventsRepository) {}

  async list(pathId: string, args: ListPathEventsArgs): Promise<Page<PathEventModel>> {
    if (!(await this.events.pathExists(pathId)))
      throw new DomainError('PathNotFound', `no path with id ${pathId}`);
    const limit = args.limit ?? 50;
    const page = keysetQuery({ field: 'time', direction: 'desc' }, args.cursor, ['time']);
    const rows = await this.events.findMany({
      where: {
        AND: [{ pathId }, args.before ? { time: { lt: new Date(args.before) } } : {}, page.where],
      },
      orderBy: page.orderBy,
      take: limit + 1,
    });
    const result = toPage(rows, limit, 'time');
    return { items: result.items.map(toModel), nextCursor: result.nextCursor };
  }
}

import { Injectable } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { AccessService } from '../../access/access.service';
import type { Principal } from '../../auth/principal';
import { isUuid } from '../../common/id.pipe';
import { pointsPerSecond } from './ingest-rate';
import type { PathIngestStatusModel } from './ingest-status.model';
import { IngestStatusRepository, type IngestStatusRow } from './ingest-status.repository';

/** Paths asked for at once (one page of the portal's list is 25). */
export const maxStatusIds = 100;

function toModel(row: IngestStatusRow): PathIngestStatusModel {
  return {
    pathId: row.pathId,
    points: row.points,
    // From the tallies, which every gateway commits with its points: correct however many
    // gateways write through the path, unlike one process's own counters.
    pointsPerSecond: pointsPerSecond(
      row.previousMinutePoints,
      row.currentMinutePoints,
      row.secondsIntoMinute,
    ),
    lastSeenAt: row.lastSeenAt,
    rejectedLines: row.rejectedLines,
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt,
    updatedAt: row.updatedAt,
  };
}

/** Live statistics of paths: what the ingest gateways stored and refused, and how fast. */
@Injectable()
export class IngestStatusService {
  constructor(
    private readonly statuses: IngestStatusRepository,
    private readonly access: AccessService,
  ) {}

  /** The status of one path; a path nothing was written through yet has zeros. */
  async get(pathId: string, at: Date | null = null): Promise<PathIngestStatusModel> {
    const [row] = await this.statuses.find([pathId], at);
    if (!row) throw new DomainError('PathNotFound', `no path with id ${pathId}`);
    return toModel(row);
  }

  /** The statuses of several paths, in the order asked; unknown ids are left out. */
  async list(
    actor: Principal,
    pathIds: string[],
    at: Date | null = null,
  ): Promise<PathIngestStatusModel[]> {
    const ids = [...new Set(pathIds.map((id) => id.trim().toLowerCase()))];
    const bad = ids.find((id) => !isUuid(id));
    if (ids.length === 0 || ids.length > maxStatusIds || bad !== undefined) {
      const reason =
        bad !== undefined
          ? `must be UUIDs separated by commas, got "${bad.slice(0, 60)}"`
          : `expected 1 to ${maxStatusIds} path ids, got ${ids.length}`;
      throw DomainError.validation([{ field: 'ids', reason }]);
    }
    const visible = await this.access.scopeNodeIds(this.access.scope(actor, 'path.read'));
    const rows = new Map((await this.statuses.find(ids, at, visible)).map((r) => [r.pathId, r]));
    return ids.flatMap((id) => {
      const row = rows.get(id);
      return row ? [toModel(row)] : [];
    });
  }
}

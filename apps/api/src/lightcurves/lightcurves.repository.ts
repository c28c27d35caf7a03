import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

export interface CandidateRow {
  id: string;
  name: string;
  ownerId: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

/** Queries of stars and their transit candidates (items of kind candidate). */
@Injectable()
export class LightCurvesRepository {
  constructor(private readonly prisma: PrismaService) {}

  get pool() {
    return this.prisma.pool;
  }

  async nodeKind(id: string): Promise<string | null> {
    const { rows } = await this.prisma.pool.query<{ kind: string }>(
      `SELECT kind::text AS kind FROM node WHERE id = $1`,
      [id],
    );
    return rows[0]?.kind ?? null;
  }

  /** The candidates of the star's latest transit-search run that produced any, by rank. */
  async latestCandidates(starId: string): Promise<CandidateRow[]> {
    const { rows } = await this.prisma.pool.query<CandidateRow>(
      `WITH c AS (
         SELECT id, name, owner_id, metadata, created_at FROM item
          WHERE owner_id = $1 AND kind = 'candidate' AND metadata->>'type' = 'transit-candidate'
       )
       SELECT id, name, owner_id AS "ownerId",
              metadata - 'periodogram' - 'folded' AS metadata, created_at AS "createdAt"
         FROM c
        WHERE metadata->>'runId' = (SELECT metadata->>'runId' FROM c ORDER BY created_at DESC, id DESC LIMIT 1)
        ORDER BY (metadata->>'rank')::int`,
      [starId],
    );
    return rows;
  }

  async candidate(id: string): Promise<CandidateRow | null> {
    const { rows } = await this.prisma.pool.query<CandidateRow>(
      `SELECT id, name, owner_id AS "ownerId", metadata, created_at AS "createdAt"
         FROM item WHERE id = $1 AND kind = 'candidate' AND metadata->>'type' = 'transit-candidate'`,
      [id],
    );
    return rows[0] ?? null;
  }
}

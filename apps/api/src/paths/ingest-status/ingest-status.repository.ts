import { Injectable } from '@nestjs/common';
import { PrismaService } from '../../prisma/prisma.service';

/** A path's counters as stored, with the tallies that the rate is computed from. */
export interface IngestStatusRow {
  pathId: string;
  points: number;
  rejectedLines: number;
  lastSeenAt: Date | null;
  lastError: string | null;
  lastErrorAt: Date | null;
  updatedAt: Date | null;
  /** Committed points of the previous and the current minute (all gateways, all resources). */
  previousMinutePoints: number;
  currentMinutePoints: number;
  secondsIntoMinute: number;
}

// The minutes are the database's, as the gateways' tallies are (date_trunc of now() at write).
// The worker deletes a minute's tallies only once the next minute has closed too, so the
// previous minute is always complete here.
const statusSql = `
  WITH clock AS (SELECT coalesce($2::timestamptz, now()) AS at),
       minutes AS (SELECT at, date_trunc('minute', at) AS current FROM clock)
  SELECT p.id AS "pathId",
         coalesce(s.points, 0)::float8 AS points,
         coalesce(s.rejected_lines, 0)::float8 AS "rejectedLines",
         s.last_seen_at AS "lastSeenAt",
         s.last_error AS "lastError",
         s.last_error_at AS "lastErrorAt",
         s.updated_at AS "updatedAt",
         coalesce((SELECT sum(t.points) FROM ingest_tally t
                    WHERE t.path_id = p.id AND t.minute = m.current - interval '1 minute'), 0)::float8
           AS "previousMinutePoints",
         coalesce((SELECT sum(t.points) FROM ingest_tally t
                    WHERE t.path_id = p.id AND t.minute = m.current), 0)::float8
           AS "currentMinutePoints",
         extract(epoch FROM m.at - m.current)::float8 AS "secondsIntoMinute"
    FROM path p
   CROSS JOIN minutes m
    LEFT JOIN ingest_path_status s ON s.path_id = p.id
   WHERE p.id = ANY($1::uuid[])
     AND ($3::uuid[] IS NULL OR p.source_id = ANY($3::uuid[]) OR p.destination_id = ANY($3::uuid[]))`;

/** Reads the ingest counters that the gateways keep in ingest_path_status and ingest_tally. */
@Injectable()
export class IngestStatusRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** One row per existing path of `pathIds`, as of `at` (default: the database's now). */
  async find(
    pathIds: string[],
    at: Date | null = null,
    visibleNodes: string[] | null = null,
  ): Promise<IngestStatusRow[]> {
    const { rows } = await this.prisma.pool.query<IngestStatusRow>(statusSql, [
      pathIds,
      at,
      visibleNodes,
    ]);
    return rows;
  }
}

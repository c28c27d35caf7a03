import type { IngestPath } from '@sextant/ingest';
import type { Pool } from 'pg';

export interface PathStatsSnapshot {
  pathId: string;
  pathName: string;
  points: number;
  /** Over the last 10 seconds. */
  pointsPerSecond: number;
  lastSeen: string | null;
  rejectedLines: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

interface Entry {
  name: string;
  points: number;
  /** Points per second for the last 10 seconds, by second. */
  recent: number[];
  recentSecond: number;
  lastSeen: number | null;
  rejectedLines: number;
  lastError: string | null;
  lastErrorAt: number | null;
}

/** Refusals of this gateway that belong to no one path, counted since it started. */
export interface GatewayCounters {
  /** Forward handshakes whose shared key matched no active token. */
  forwardHandshakesRefused: number;
  /** Forward handshakes refused unchecked (no key read, no digest): their address failed too often. */
  forwardHandshakesThrottled: number;
  /** Forward messages refused for a tag longer than maxTagLength. */
  forwardTagsRefused: number;
}

/** What this gateway saw of a path since its last flush to ingest_path_status. */
interface Delta {
  points: number;
  rejectedLines: number;
  lastSeen: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
}

const window = 10;
const maxErrorLength = 500;

const later = (a: number | null, b: number | null) =>
  a === null ? b : b === null ? a : Math.max(a, b);

/** Adds `b` into `a` (the latest activity and error win). */
function merge(a: Delta, b: Delta): void {
  a.points += b.points;
  a.rejectedLines += b.rejectedLines;
  a.lastSeen = later(a.lastSeen, b.lastSeen);
  if (b.lastErrorAt !== null && (a.lastErrorAt === null || b.lastErrorAt >= a.lastErrorAt)) {
    a.lastError = b.lastError;
    a.lastErrorAt = b.lastErrorAt;
  }
}

// One statement for all paths of a flush. Counters are added, never overwritten, so any number
// of gateways can flush into the same rows; rows are written in path id order so two gateways
// lock them in the same order; a path deleted meanwhile is skipped rather than failing the rest.
const upsertSql = `
  INSERT INTO ingest_path_status AS s
         (path_id, points, rejected_lines, last_seen_at, last_error, last_error_at, updated_at)
  SELECT u.path_id, u.points, u.rejected, to_timestamp(u.seen / 1000.0), u.error,
         to_timestamp(u.error_at / 1000.0), now()
    FROM unnest($1::uuid[], $2::bigint[], $3::bigint[], $4::float8[], $5::text[], $6::float8[])
         AS u(path_id, points, rejected, seen, error, error_at)
    JOIN path p ON p.id = u.path_id
   ORDER BY u.path_id
  ON CONFLICT (path_id) DO UPDATE SET
    points = s.points + excluded.points,
    rejected_lines = s.rejected_lines + excluded.rejected_lines,
    last_seen_at = greatest(s.last_seen_at, excluded.last_seen_at),
    last_error = CASE
      WHEN excluded.last_error_at IS NOT NULL
           AND (s.last_error_at IS NULL OR excluded.last_error_at >= s.last_error_at)
      THEN excluded.last_error ELSE s.last_error END,
    last_error_at = greatest(s.last_error_at, excluded.last_error_at),
    updated_at = now()`;

/**
 * Live counters per path: kept in memory for this gateway's GET /stats, and, given a pool,
 * added to the shared ingest_path_status table about once a second (what the API and portal
 * show, summed over every gateway process).
 */
export class PathStats {
  /** Served beside the paths on GET /stats. */
  readonly gateway: GatewayCounters = {
    forwardHandshakesRefused: 0,
    forwardHandshakesThrottled: 0,
    forwardTagsRefused: 0,
  };
  private readonly entries = new Map<string, Entry>();
  private pending = new Map<string, Delta>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool | null = null,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  private entry(path: IngestPath): Entry {
    let entry = this.entries.get(path.id);
    if (!entry) {
      entry = {
        name: path.name,
        points: 0,
        recent: new Array(window).fill(0),
        recentSecond: Math.floor(Date.now() / 1000),
        lastSeen: null,
        rejectedLines: 0,
        lastError: null,
        lastErrorAt: null,
      };
      this.entries.set(path.id, entry);
    }
    return entry;
  }

  private delta(pathId: string): Delta {
    let delta = this.pending.get(pathId);
    if (!delta) {
      delta = { points: 0, rejectedLines: 0, lastSeen: null, lastError: null, lastErrorAt: null };
      this.pending.set(pathId, delta);
    }
    return delta;
  }

  private roll(entry: Entry, now: number): void {
    const second = Math.floor(now / 1000);
    for (let s = entry.recentSecond + 1; s <= second && s <= entry.recentSecond + window; s++)
      entry.recent[s % window] = 0;
    entry.recentSecond = Math.max(entry.recentSecond, second);
  }

  accepted(path: IngestPath, points: number, now = Date.now()): void {
    const entry = this.entry(path);
    this.roll(entry, now);
    entry.points += points;
    entry.recent[Math.floor(now / 1000) % window] += points;
    entry.lastSeen = now;
    merge(this.delta(path.id), {
      points,
      rejectedLines: 0,
      lastSeen: now,
      lastError: null,
      lastErrorAt: null,
    });
  }

  rejected(path: IngestPath, lines: number, message: string, now = Date.now()): void {
    const entry = this.entry(path);
    const error = message.slice(0, maxErrorLength);
    entry.rejectedLines += lines;
    entry.lastError = error;
    entry.lastErrorAt = now;
    entry.lastSeen = now;
    merge(this.delta(path.id), {
      points: 0,
      rejectedLines: lines,
      lastSeen: now,
      lastError: error,
      lastErrorAt: now,
    });
  }

  snapshot(now = Date.now()): PathStatsSnapshot[] {
    return [...this.entries].map(([pathId, entry]) => {
      this.roll(entry, now);
      const current = Math.floor(now / 1000) % window;
      // Whole seconds only: leave out the one in progress.
      const total = entry.recent.reduce((sum, v, i) => (i === current ? sum : sum + v), 0);
      return {
        pathId,
        pathName: entry.name,
        points: entry.points,
        pointsPerSecond: Math.round(total / (window - 1)),
        lastSeen: entry.lastSeen ? new Date(entry.lastSeen).toISOString() : null,
        rejectedLines: entry.rejectedLines,
        lastError: entry.lastError,
        lastErrorAt: entry.lastErrorAt ? new Date(entry.lastErrorAt).toISOString() : null,
      };
    });
  }

  /** Flushes every `intervalMs` (a beat is skipped while one runs) until stop(). */
  start(intervalMs = 1000): void {
    if (!this.pool || this.timer) return;
    this.timer = setInterval(() => {
      if (!this.flushing) void this.flush();
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is still pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.flush();
  }

  /**
   * Adds the deltas gathered since the last flush to ingest_path_status in one statement.
   * On failure they are kept for the next flush, so a database outage loses no counts.
   */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    this.flushing = this.flushOnce();
    try {
      await this.flushing;
    } finally {
      this.flushing = null;
    }
  }

  private async flushOnce(): Promise<void> {
    if (!this.pool || this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    const ids = [...batch.keys()].sort();
    const rows = ids.map((id) => batch.get(id)!);
    try {
      await this.pool.query(upsertSql, [
        ids,
        rows.map((r) => r.points),
        rows.map((r) => r.rejectedLines),
        rows.map((r) => r.lastSeen),
        rows.map((r) => r.lastError),
        rows.map((r) => r.lastErrorAt),
      ]);
    } catch (error) {
      for (const [id, delta] of batch) merge(this.delta(id), delta);
      this.log(`ingest: path status not saved, retrying: ${(error as Error).message}`);
    }
  }
}

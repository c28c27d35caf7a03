import type { IngestPath } from '@sextant/ingest';

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

const window = 10;

/** Live counters per path since the gateway started (shown on the portal's paths page). */
export class PathStats {
  private readonly entries = new Map<string, Entry>();

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
  }

  rejected(path: IngestPath, lines: number, message: string, now = Date.now()): void {
    const entry = this.entry(path);
    entry.rejectedLines += lines;
    entry.lastError = message.slice(0, 500);
    entry.lastErrorAt = now;
    entry.lastSeen = now;
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
}

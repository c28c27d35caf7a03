import {
  ColumnBatch,
  PointValue,
  seriesKey,
  SeriesValueType,
  TimeSeriesStore,
} from '@sextant/timeseries';
import { addToTally, TallyEntry } from './accounting';
import { IngestPath, PathDirectory } from './paths';
import { RateLimiter } from './rate-limit';
import type { IngestStage } from './stage';

/** One line (or record) as a protocol decoded it: a series' fields at one time. */
export interface IngestLine {
  /** Identifies measurement and tags cheaply (e.g. their text as written). */
  prefix: string;
  measurement: string;
  /** Sorted by key. */
  tags: [string, string][];
  fields: { key: string; value: { type: SeriesValueType; value: PointValue } }[];
  time: bigint;
  /** Line or record number, to name it in errors. */
  line: number;
  /** The node a new series belongs to (default: the path's source node). */
  nodeId?: string;
}

export interface IngestRejection {
  line: number;
  message: string;
}

export type IngestOutcome =
  | {
      status: 'written';
      accepted: number;
      rejected: IngestRejection[];
      /** Set when lines were refused because they would exceed the path's series quota. */
      quota?: { retryAfterSeconds: number; message: string };
    }
  | { status: 'rate-limited'; retryAfterSeconds: number; message: string }
  | { status: 'busy'; retryAfterSeconds: number; message: string };

export interface WriterOptions {
  /** Commit when this many points wait (default 500,000). */
  flushPoints?: number;
  /** Commit at the latest this long after the first waiting point (default 25 ms). */
  flushDelayMs?: number;
  /** Points allowed to wait or be in commit; beyond it writes are refused as busy (default 4 M). */
  maxPendingPoints?: number;
  /** Commits in progress at once (default 2). */
  maxCommits?: number;
  /**
   * Where a commit of at least `stageMinPoints` points is staged rather than stored as chunks
   * straight away (see stage.ts); none: never.
   */
  stage?: IngestStage;
  /** Default 20,000. */
  stageMinPoints?: number;
}

/** A caller waiting for its points to commit. */
interface Waiter {
  path: IngestPath;
  accepted: number;
  rejected: IngestRejection[];
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * The points of one series from one path, waiting for the next commit. Plain arrays of
 * numbers keep their elements unboxed; typed arrays per series per commit cost more to
 * allocate than they save.
 */
class Pending {
  readonly times: bigint[] = [];
  readonly values: PointValue[] = [];
  /** Who sent each point (index into the commit's waiters), and on which line. */
  readonly waiters: number[] = [];
  readonly lines: number[] = [];

  constructor(
    readonly path: IngestPath,
    readonly nodeId: string,
    readonly resourceId: string,
    readonly measurement: string,
    readonly tags: Record<string, string>,
    readonly field: string,
    readonly type: SeriesValueType,
  ) {}

  get n(): number {
    return this.times.length;
  }

  push(time: bigint, value: PointValue, waiter: number, line: number): void {
    this.times.push(time);
    this.values.push(value);
    this.waiters.push(waiter);
    this.lines.push(line);
  }

  /** The points as a batch for the store. */
  batch(): ColumnBatch {
    return {
      measurement: this.measurement,
      tags: this.tags,
      field: this.field,
      type: this.type,
      times: BigInt64Array.from(this.times),
      values: this.type === 'float' ? Float64Array.from(this.values as number[]) : this.values,
      owner: { nodeId: this.nodeId, resourceId: this.resourceId, pathId: this.path.id },
    };
  }
}

/**
 * Group commit: points from concurrent writes are gathered per series and stored together —
 * one transaction for many requests, chunks of many points instead of a few each — and every
 * caller is answered only once the transaction holding its points has committed (with the
 * paths' tallies, so accounting matches storage exactly). If a commit fails, all its callers
 * get the error and nothing of theirs is stored; they retry.
 */
export class IngestWriter {
  private readonly limiter = new RateLimiter();
  private readonly quota: SeriesQuota;
  private readonly stage: IngestStage | null;
  private readonly stageMinPoints: number;
  /** Per path and series prefix, per field. */
  /** Per path, per series prefix (measurement and tags as written), per field. */
  private pending = new Map<string, Map<string, Map<string, Pending>>>();
  /** The callers whose points wait in `pending`. */
  private waiting: Waiter[] = [];
  private pendingPoints = 0;
  private inCommit = 0;
  private commits = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly flushPoints: number;
  private readonly flushDelayMs: number;
  private readonly maxPendingPoints: number;
  private readonly maxCommits: number;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly store: TimeSeriesStore,
    options: WriterOptions = {},
  ) {
    this.flushPoints = options.flushPoints ?? 500_000;
    this.flushDelayMs = options.flushDelayMs ?? 25;
    this.maxPendingPoints = options.maxPendingPoints ?? 4_000_000;
    this.maxCommits = options.maxCommits ?? 2;
    this.quota = new SeriesQuota(store);
    this.stage = options.stage ?? null;
    this.stageMinPoints = options.stageMinPoints ?? 20_000;
  }

  /** Points waiting or being committed. */
  get load(): number {
    return this.pendingPoints + this.inCommit;
  }

  async write(path: IngestPath, lines: IngestLine[]): Promise<IngestOutcome> {
    let points = 0;
    for (const line of lines) points += line.fields.length;
    if (points === 0) return { status: 'written', accepted: 0, rejected: [] };
    if (this.load + points > this.maxPendingPoints && this.load > 0) {
      return {
        status: 'busy',
        retryAfterSeconds: 1,
        message: `the gateway holds ${this.load} points waiting to be stored; retry in a second`,
      };
    }
    let quota: { refused: IngestRejection[]; message: string } | null = null;
    if (path.limits.maxSeries !== null) {
      quota = await this.quota.check(path, lines);
      if (quota.refused.length) {
        const refused = new Set(quota.refused.map((r) => r.line));
        lines = lines.filter((line) => !refused.has(line.line));
        points = 0;
        for (const line of lines) points += line.fields.length;
      }
    }
    const wait = this.limiter.take(path.id, path.limits.pointsPerMinute, points);
    if (wait !== null)
      return {
        status: 'rate-limited',
        retryAfterSeconds: wait,
        message: `path "${path.name}" may write ${path.limits.pointsPerMinute} points a minute; ${points} more would exceed it`,
      };
    const outcome = await new Promise<IngestOutcome>((resolve, reject) => {
      const waiter: Waiter = { path, accepted: 0, rejected: [], resolve, reject };
      const before = this.pendingPoints;
      const index = this.waiting.push(waiter) - 1;
      for (const line of lines) this.add(waiter, index, line);
      if (this.pendingPoints === before) {
        this.waiting.pop();
        resolve({ status: 'written', accepted: 0, rejected: waiter.rejected });
        return;
      }
      if (this.pendingPoints >= this.flushPoints) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.flushDelayMs);
    });
    if (outcome.status === 'written' && quota?.refused.length) {
      outcome.rejected = [...outcome.rejected, ...quota.refused].sort((a, b) => a.line - b.line);
      // A quota frees up only when someone raises it or drops series: retry much later.
      outcome.quota = { retryAfterSeconds: 60, message: quota.message };
    }
    return outcome;
  }

  /** Resolves when nothing waits or is in commit. */
  drain(): Promise<void> {
    if (this.pendingPoints === 0 && this.commits === 0) return Promise.resolve();
    this.flush();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private add(waiter: Waiter, waiterIndex: number, line: IngestLine): void {
    let series = this.pending.get(waiter.path.id);
    if (!series) this.pending.set(waiter.path.id, (series = new Map()));
    let fields = series.get(line.prefix);
    if (!fields) series.set(line.prefix, (fields = new Map()));
    for (const { key: field, value } of line.fields) {
      let pending = fields.get(field);
      if (!pending) {
        pending = new Pending(
          waiter.path,
          line.nodeId ?? waiter.path.sourceId,
          PathDirectory.resourceOf(waiter.path, line.measurement, field),
          line.measurement,
          Object.fromEntries(line.tags),
          field,
          value.type,
        );
        fields.set(field, pending);
      } else if (pending.type !== value.type) {
        waiter.rejected.push({
          line: line.line,
          message: `field type conflict: ${field} is ${pending.type} in this write, ${value.type} here`,
        });
        continue;
      }
      pending.push(line.time, value.value, waiterIndex, line.line);
      this.pendingPoints++;
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pendingPoints === 0) return;
    if (this.commits >= this.maxCommits) return; // the commit in progress flushes again when done
    const batch = [...this.pending.values()].flatMap((series) =>
      [...series.values()].flatMap((fields) => [...fields.values()]),
    );
    const waiting = this.waiting;
    const points = this.pendingPoints;
    this.pending = new Map();
    this.waiting = [];
    this.pendingPoints = 0;
    this.inCommit += points;
    this.commits++;
    void this.commit(batch, waiting).finally(() => {
      this.inCommit -= points;
      this.commits--;
      if (this.pendingPoints > 0) this.flush();
      else if (this.commits === 0) for (const done of this.idle.splice(0)) done();
    });
  }

  private async commit(all: Pending[], waiters: Waiter[]): Promise<void> {
    try {
      let outcome: Rejections[];
      try {
        outcome = await this.storeBatches(all);
      } catch (error) {
        // Data the store's checks let through but Postgres refuses would fail everyone's points
        // in this commit: store each series on its own, so that only its own lines fail.
        if (!isDataError(error) || all.length === 1) throw error;
        outcome = [];
        for (const pending of all) {
          try {
            outcome.push((await this.storeBatches([pending]))[0]);
          } catch (single) {
            if (!isDataError(single)) throw single;
            outcome.push(`could not be stored: ${(single as Error).message}`);
          }
        }
      }
      all.forEach((p, b) => {
        const rejected = outcome[b];
        for (let i = 0; i < p.n; i++) {
          const waiter = waiters[p.waiters[i]];
          const reason = typeof rejected === 'string' ? rejected : rejected.get(i);
          if (reason === undefined) waiter.accepted++;
          else waiter.rejected.push({ line: p.lines[i], message: reason });
        }
      });
      for (const waiter of waiters) {
        waiter.rejected.sort((a, b) => a.line - b.line);
        waiter.resolve({ status: 'written', accepted: waiter.accepted, rejected: waiter.rejected });
      }
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  }

  /**
   * Stores pending series in one transaction with the paths' tallies. Per pending series and
   * point, the reason it was rejected, or null when it was stored.
   */
  private async storeBatches(all: Pending[]): Promise<Rejections[]> {
    let points = 0;
    for (const p of all) points += p.n;
    if (this.stage && points >= this.stageMinPoints) return this.stageBatches(all);
    const result = await this.store.writeColumns(
      all.map((p) => p.batch()),
      {},
      {
        countNew: true,
        inTransaction: async (client, accepted) => {
          // Tallies per path; a batch's points may come from several callers of one path.
          const byPath = new Map<string, TallyEntry[]>();
          for (const a of accepted) {
            // Points already stored (a retried batch) are not counted twice.
            if (a.newPoints === 0) continue;
            const pending = all[a.batch];
            const entries = byPath.get(pending.path.id) ?? [];
            entries.push({
              resourceId: pending.resourceId,
              points: a.newPoints,
              firstTime: a.firstTime,
              lastTime: a.lastTime,
            });
            byPath.set(pending.path.id, entries);
          }
          for (const [pathId, entries] of byPath) await addToTally(client, pathId, entries);
        },
      },
    );
    return rejectionsOf(all, result.rejected);
  }

  /** Validates pending series and stages them in one row; the settler stores and accounts them. */
  private async stageBatches(all: Pending[]): Promise<Rejections[]> {
    const { prepared, rejected } = await this.store.prepareColumns(all.map((p) => p.batch()));
    await this.stage!.write(
      prepared.map((p) => ({
        seriesId: p.series.id,
        pathId: all[p.batch].path.id,
        resourceId: all[p.batch].resourceId,
        type: p.series.valueType,
        times: p.times,
        values: p.values,
      })),
    );
    return rejectionsOf(all, rejected);
  }
}

/** The store's rejections (by index in the concatenation of the batches) per pending series. */
function rejectionsOf(all: Pending[], rejected: { index: number; reason: string }[]): Rejections[] {
  const starts: number[] = [];
  let offset = 0;
  for (const p of all) {
    starts.push(offset);
    offset += p.n;
  }
  const rejections: Map<number, string>[] = all.map(() => new Map());
  let b = 0;
  for (const r of rejected) {
    while (b + 1 < starts.length && starts[b + 1] <= r.index) b++;
    rejections[b].set(r.index - starts[b], r.reason);
  }
  return rejections;
}

/** Per point of a pending series, why it was rejected; a string when all of them were. */
type Rejections = Map<number, string> | string;

/** A Postgres data exception (SQLSTATE class 22: bad value) or integrity violation (23). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/**
 * Series-count quotas per path (`settings.limits.maxSeries`). Lines that would create series
 * beyond the quota are refused; lines of existing series go on. Two writes racing for the last
 * free places may both pass: the quota can be overshot by one write's new series.
 */
class SeriesQuota {
  /** Per path, keys known to exist (bounded). */
  private readonly known = new Map<string, Set<string>>();

  constructor(private readonly store: TimeSeriesStore) {}

  async check(
    path: IngestPath,
    lines: IngestLine[],
  ): Promise<{ refused: IngestRejection[]; message: string }> {
    const max = path.limits.maxSeries!;
    let known = this.known.get(path.id);
    if (!known) this.known.set(path.id, (known = new Set()));
    const keysOf = new Map<IngestLine, string[]>();
    const unknown = new Set<string>();
    for (const line of lines) {
      const tags = Object.fromEntries(line.tags);
      const keys = line.fields.map((f) => seriesKey(line.measurement, tags, f.key));
      keysOf.set(line, keys);
      for (const key of keys) if (!known.has(key)) unknown.add(key);
    }
    if (unknown.size === 0) return { refused: [], message: '' };
    const existing = await this.store.chunks.existingKeys([...unknown]);
    if (known.size + existing.size > 100_000) known.clear();
    for (const key of existing) known.add(key);
    const fresh = [...unknown].filter((key) => !existing.has(key));
    if (fresh.length === 0) return { refused: [], message: '' };
    const count = await this.store.chunks.seriesCountOfPath(path.id);
    const room = Math.max(0, max - count);
    const allowed = new Set(fresh.slice(0, room));
    const message = `path "${path.name}" may hold ${max} series and holds ${count}; ${fresh.length - allowed.size} new series refused`;
    const refused: IngestRejection[] = [];
    for (const [line, keys] of keysOf) {
      if (keys.some((key) => !known.has(key) && !allowed.has(key)))
        refused.push({ line: line.line, message });
    }
    return { refused, message };
  }
}

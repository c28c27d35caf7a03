import {
  PointValue,
  PreparedSeries,
  scopedSeriesKey,
  seriesKey,
  SeriesInfo,
  TimeSeriesStore,
  valueProblem,
} from '@sextant/timeseries';
import { addToTally, TallyEntry } from './accounting';
import { IngestPath, PathDirectory } from './paths';
import { BatchSeries, IngestLine, PointBatch } from './point-batch';
import { RateLimiter } from './rate-limit';
import { draftStageRow, encodeStage, stagedTypes } from './stage';
import type { IngestStage, StagedColumns } from './stage';

export interface IngestRejection {
  line: number;
  message: string;
}

export type IngestOutcome =
  | {
      status: 'written';
      accepted: number;
      rejected: IngestRejection[];
      /**
       * Set when lines were refused because they would exceed the path's series quota or a
       * billing quota reached (the latter's message when both).
       */
      quota?: { retryAfterSeconds: number; message: string };
    }
  | { status: 'rate-limited'; retryAfterSeconds: number; message: string }
  /** Every line refused by a billing quota reached (see WriteQuotas); nothing stored. */
  | { status: 'over-quota'; retryAfterSeconds: number; message: string }
  | { status: 'busy'; retryAfterSeconds: number; message: string };

/**
 * Quotas kept outside the gateway (billing's, see @sextant/billing BillingQuotaGate): per
 * resource of a write through a path, why its points are refused; an empty map lets all in.
 */
export interface WriteQuotas {
  refused(
    path: IngestPath,
    resourceIds: readonly string[],
  ): Promise<Map<string, { retryAfterSeconds: number; message: string }>>;
}

export interface WriterOptions {
  /** Quotas that refuse the lines of some resources (none: no such quotas). */
  quotas?: WriteQuotas;
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
  /**
   * While this says so (e.g. too much staged and not yet settled), commits wait, polled every
   * 10 ms, for at most `maxHoldMs` (default 2,000) at a time: writers are slowed down rather
   * than the backlog growing in memory, and a settler that stopped does not stop ingest.
   */
  holdWhile?: () => boolean;
  maxHoldMs?: number;
}

/** Where the points of a slot go: a registered series, written through a path. */
interface Target {
  info: SeriesInfo;
  pathId: string;
  resourceId: string;
  /** The commit being gathered when `group` was set, and the target's place in it. */
  stamp: number;
  group: number;
}

/** Numbers the commits being gathered (see Target.stamp). */
let commitStamp = 0;

/** A write waiting for its commit. */
interface Waiter {
  batch: PointBatch;
  /** Per slot of the batch: where its points go, or null when they are not stored. */
  targets: (Target | null)[];
  /** Per point: 1 when it was rejected on its own (null while none was). */
  dropped: Uint8Array | null;
  accepted: number;
  rejected: IngestRejection[];
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
}

/** A path's series as its writes name them, so that a known series costs two map lookups. */
interface PathSeries {
  /** What the path's mapping was when these were resolved (a change starts afresh). */
  signature: string;
  /** Per prefix (and node), per field: the series. */
  byPrefix: Map<string, Map<string, Target>>;
  /** Per series key on its node (scopedSeriesKey): a path may write to several nodes. */
  byKey: Map<string, Target>;
}

/** Series remembered per path before the memory is started afresh. */
const maxRemembered = 200_000;

/**
 * Group commit: points from concurrent writes are gathered per series and stored together —
 * one transaction for many requests, chunks of many points instead of a few each — and every
 * caller is answered only once the transaction holding its points has committed (with the
 * paths' tallies, so accounting matches storage exactly). If a commit fails, all its callers
 * get the error and nothing of theirs is stored; they retry.
 *
 * Writes arrive as PointBatch columns; each is checked (limits, series and their types,
 * values) before it joins a commit, so that a commit only copies typed arrays.
 */
export class IngestWriter {
  private readonly limiter = new RateLimiter();
  private readonly quota: SeriesQuota;
  private readonly quotas: WriteQuotas | null;
  private readonly stage: IngestStage | null;
  private readonly stageMinPoints: number;
  private readonly paths = new Map<string, PathSeries>();
  /** Per series object of a batch (the same one body after body), its fields' targets. */
  private readonly memos = new WeakMap<
    BatchSeries,
    { owner: PathSeries; fields: Map<string, Target> }
  >();
  /** The writes whose points wait for the next commit. */
  private waiting: Waiter[] = [];
  private pendingPoints = 0;
  private inCommit = 0;
  private commits = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Since when commits have been held back (holdWhile), or null. */
  private heldSince: number | null = null;
  /** Writes announced (arrive) and not yet handed over: bodies being read or parsed. */
  private arriving = 0;
  /** Whether writes made with flushWhenIdle wait for the next commit. */
  private eagerWaiting = false;
  private readonly flushPoints: number;
  private readonly flushDelayMs: number;
  private readonly maxPendingPoints: number;
  private readonly maxCommits: number;
  private readonly holdWhile: (() => boolean) | null;
  private readonly maxHoldMs: number;
  private readonly idle: (() => void)[] = [];

  constructor(
    private readonly store: TimeSeriesStore,
    options: WriterOptions = {},
  ) {
    this.flushPoints = options.flushPoints ?? 500_000;
    this.flushDelayMs = options.flushDelayMs ?? 25;
    this.maxPendingPoints = options.maxPendingPoints ?? 4_000_000;
    this.maxCommits = options.maxCommits ?? 2;
    this.holdWhile = options.holdWhile ?? null;
    this.maxHoldMs = options.maxHoldMs ?? 2000;
    this.quota = new SeriesQuota(store);
    this.quotas = options.quotas ?? null;
    this.stage = options.stage ?? null;
    this.stageMinPoints = options.stageMinPoints ?? 20_000;
  }

  /**
   * Announces a write on its way (its body being read and parsed); call the function returned
   * with true just before it is handed to `write`, or with false when it is given up. A write
   * made with `flushWhenIdle` commits at once when no announced write is still on its way,
   * rather than after `flushDelayMs`: the writes that arrived together share a commit, and
   * none waits for a timer when nothing else comes.
   */
  arrive(): (handedOver: boolean) => void {
    this.arriving++;
    let left = false;
    return (handedOver) => {
      if (left) return;
      left = true;
      this.arriving--;
      // The last one on its way gave up: those waiting for it need not wait for the timer.
      // (One handed over is written next, and its write commits them all.)
      if (!handedOver && this.arriving === 0 && this.eagerWaiting) this.flush();
    };
  }

  /** Points waiting or being committed. */
  get load(): number {
    return this.pendingPoints + this.inCommit;
  }

  /** Stores the points of one write; resolves once they are committed (or refused). */
  async write(
    path: IngestPath,
    points: PointBatch | readonly IngestLine[],
    options: { flushWhenIdle?: boolean } = {},
  ): Promise<IngestOutcome> {
    let batch = points instanceof PointBatch ? points : PointBatch.fromLines(points);
    if (batch.length === 0) return { status: 'written', accepted: 0, rejected: [] };
    if (this.load + batch.length > this.maxPendingPoints && this.load > 0) {
      return {
        status: 'busy',
        retryAfterSeconds: 1,
        message: `the gateway holds ${this.load} points waiting to be stored; retry in a second`,
      };
    }
    let billed: Awaited<ReturnType<typeof billingRefusals>> | null = null;
    if (this.quotas) {
      billed = await billingRefusals(this.quotas, path, batch);
      if (billed.refused.length > 0 && billed.refused.length === billed.lines)
        return {
          status: 'over-quota',
          retryAfterSeconds: billed.retryAfterSeconds,
          message: billed.message,
        };
      if (billed.refused.length) batch = withoutLines(batch, billed.refused);
    }
    let quota: { refused: IngestRejection[]; message: string } | null = null;
    if (path.limits.maxSeries !== null) {
      quota = await this.quota.check(path, batch);
      if (quota.refused.length) batch = withoutLines(batch, quota.refused);
    }
    const wait = this.limiter.take(path.id, path.limits.pointsPerMinute, batch.length);
    if (wait !== null)
      return {
        status: 'rate-limited',
        retryAfterSeconds: wait,
        message: `path "${path.name}" may write ${path.limits.pointsPerMinute} points a minute; ${batch.length} more would exceed it`,
      };
    const rejected: IngestRejection[] = [];
    const targets = await this.targetsOf(path, batch, rejected);
    const dropped = checkValues(batch, targets, rejected);
    let accepted = 0;
    for (let s = 0; s < batch.slots.length; s++) if (targets[s]) accepted += batch.slots[s].count;
    if (dropped) for (let i = 0; i < batch.length; i++) accepted -= dropped[i];
    let outcome: IngestOutcome;
    if (accepted === 0) outcome = { status: 'written', accepted: 0, rejected };
    else
      outcome = await new Promise<IngestOutcome>((resolve, reject) => {
        this.waiting.push({ batch, targets, dropped, accepted, rejected, resolve, reject });
        this.pendingPoints += accepted;
        if (options.flushWhenIdle) this.eagerWaiting = true;
        if (
          this.pendingPoints >= this.flushPoints ||
          (options.flushWhenIdle && this.arriving === 0)
        )
          this.flush();
        else this.timer ??= setTimeout(() => this.flush(), this.flushDelayMs);
      });
    if (outcome.status === 'written') {
      if (quota?.refused.length) {
        outcome.rejected = [...outcome.rejected, ...quota.refused];
        // A quota frees up only when someone raises it or drops series: retry much later.
        outcome.quota = { retryAfterSeconds: 60, message: quota.message };
      }
      if (billed?.refused.length) {
        outcome.rejected = [...outcome.rejected, ...billed.refused];
        outcome.quota = { retryAfterSeconds: billed.retryAfterSeconds, message: billed.message };
      }
      outcome.rejected.sort((a, b) => a.line - b.line);
    }
    return outcome;
  }

  /** Resolves when nothing waits or is in commit. */
  drain(): Promise<void> {
    if (this.pendingPoints === 0 && this.commits === 0) return Promise.resolve();
    this.flush();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /**
   * Per slot of the batch, the series its points go to, registering new series; the points of
   * a slot that cannot be stored (a bad name, a type other than the series') are rejected.
   */
  private async targetsOf(
    path: IngestPath,
    batch: PointBatch,
    rejected: IngestRejection[],
  ): Promise<(Target | null)[]> {
    const known = this.pathSeries(path);
    const targets: (Target | null)[] = new Array(batch.slots.length).fill(null);
    const missing: number[] = [];
    // Per series of the batch its fields' targets: from the series object itself when a parser
    // hands over the same object body after body (no string hashed), else by its prefix.
    const fieldsOf: (Map<string, Target> | undefined)[] = new Array(batch.series.length);
    const prefixOf = (s: BatchSeries) => (s.nodeId ? `${s.prefix}\u0000${s.nodeId}` : s.prefix);
    for (let k = 0; k < batch.slots.length; k++) {
      const slot = batch.slots[k];
      if (slot.count === 0) continue;
      let fields = fieldsOf[slot.series];
      if (!fields) {
        const series = batch.series[slot.series];
        const memo = this.memos.get(series);
        fields = memo?.owner === known ? memo.fields : known.byPrefix.get(prefixOf(series));
        if (fields && memo?.owner !== known) this.memos.set(series, { owner: known, fields });
        fieldsOf[slot.series] = fields;
      }
      const target = fields?.get(slot.field);
      if (target) targets[k] = target;
      else missing.push(k);
    }
    if (missing.length) {
      const specs = missing.map((k) => {
        const slot = batch.slots[k];
        const series = batch.series[slot.series];
        const tags = Object.fromEntries(series.tags);
        return {
          measurement: series.measurement,
          tags,
          field: slot.field,
          type: slot.type,
          key: seriesKey(series.measurement, tags, slot.field),
          owner: {
            nodeId: series.nodeId ?? path.sourceId,
            resourceId: PathDirectory.resourceOf(path, series.measurement, slot.field),
            pathId: path.id,
          },
        };
      });
      const found = await this.store.seriesFor(specs);
      if (known.byKey.size + missing.length > maxRemembered) {
        known.byKey.clear();
        known.byPrefix.clear();
      }
      missing.forEach((k, m) => {
        const info = found[m];
        const slot = batch.slots[k];
        if (typeof info === 'string') {
          rejectSlot(batch, k, `${specs[m].measurement} ${slot.field}: ${info}`, rejected);
          return;
        }
        const scoped = scopedSeriesKey(info.nodeId, info.key);
        let target = known.byKey.get(scoped);
        if (!target) {
          target = {
            info,
            pathId: path.id,
            resourceId: specs[m].owner.resourceId,
            stamp: 0,
            group: -1,
          };
          known.byKey.set(scoped, target);
        }
        // Remembered under a copy of the prefix: the batch's may be a slice of a whole body.
        const prefix = detached(prefixOf(batch.series[slot.series]));
        let fields = known.byPrefix.get(prefix);
        if (!fields) known.byPrefix.set(prefix, (fields = new Map()));
        fields.set(detached(slot.field), target);
        targets[k] = target;
      });
    }
    for (let k = 0; k < batch.slots.length; k++) {
      const target = targets[k];
      const slot = batch.slots[k];
      if (target && target.info.valueType !== slot.type) {
        rejectSlot(
          batch,
          k,
          `${target.info.key}: field type conflict: ${slot.type} value for a field stored as ${target.info.valueType}`,
          rejected,
        );
        targets[k] = null;
      }
    }
    return targets;
  }

  /** What the writer knows of a path's series (afresh when its mapping changed). */
  private pathSeries(path: IngestPath): PathSeries {
    const signature = `${path.sourceId} ${path.defaultResourceId} ${[...path.fieldResources].join(' ')}`;
    let known = this.paths.get(path.id);
    if (!known || known.signature !== signature) {
      known = { signature, byPrefix: new Map(), byKey: new Map() };
      this.paths.set(path.id, known);
    }
    return known;
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pendingPoints === 0) return;
    if (this.commits >= this.maxCommits) return; // the commit in progress flushes again when done
    if (this.holdWhile?.()) {
      const now = Date.now();
      this.heldSince ??= now;
      if (now - this.heldSince < this.maxHoldMs) {
        this.timer = setTimeout(() => this.flush(), 10);
        return;
      }
    }
    this.heldSince = null;
    this.eagerWaiting = false;
    const waiting = this.waiting;
    const points = this.pendingPoints;
    this.waiting = [];
    this.pendingPoints = 0;
    this.inCommit += points;
    this.commits++;
    void this.commit(waiting, points).finally(() => {
      this.inCommit -= points;
      this.commits--;
      if (this.pendingPoints > 0) this.flush();
      else if (this.commits === 0) for (const done of this.idle.splice(0)) done();
    });
  }

  private async commit(waiters: Waiter[], points: number): Promise<void> {
    try {
      const gathered = gather(waiters);
      if (this.stage && points >= this.stageMinPoints) await this.stage.writeRow(gathered.data);
      else {
        try {
          await this.storeGathered(gathered);
        } catch (error) {
          // Data the checks let through but Postgres refuses would fail everyone's points in
          // this commit: store each series on its own, so that only its own points fail.
          if (!isDataError(error) || gathered.targets.length === 1) throw error;
          await this.storeOneByOne(waiters, gathered);
        }
      }
      for (const waiter of waiters)
        waiter.resolve({ status: 'written', accepted: waiter.accepted, rejected: waiter.rejected });
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error as Error);
    }
  }

  /** Stores gathered points as chunks in one transaction with the paths' tallies. */
  private async storeGathered(gathered: Gathered): Promise<void> {
    const { offsets } = gathered;
    const prepared: PreparedSeries[] = gathered.targets.map((target, g) => ({
      batch: g,
      series: target.info,
      times: gathered.times.subarray(offsets[g], offsets[g + 1]),
      values: gathered.others[g] ?? gathered.floats.subarray(offsets[g], offsets[g + 1]),
    }));
    await this.store.writePrepared(prepared, {
      countNew: true,
      inTransaction: async (client, accepted) => {
        // Tallies per path; points already stored (a retried batch) are not counted twice.
        const byPath = new Map<string, TallyEntry[]>();
        for (const a of accepted) {
          if (a.newPoints === 0) continue;
          const target = gathered.targets[a.batch];
          const entries = byPath.get(target.pathId) ?? [];
          entries.push({
            resourceId: target.resourceId,
            points: a.newPoints,
            firstTime: a.firstTime,
            lastTime: a.lastTime,
          });
          byPath.set(target.pathId, entries);
        }
        for (const [pathId, entries] of byPath) await addToTally(client, pathId, entries);
      },
    });
  }

  /** After a data error: each series in a transaction of its own; a failing one is rejected. */
  private async storeOneByOne(waiters: Waiter[], gathered: Gathered): Promise<void> {
    for (let g = 0; g < gathered.targets.length; g++) {
      try {
        await this.storeGathered(part(gathered, g));
      } catch (error) {
        if (!isDataError(error)) throw error;
        const target = gathered.targets[g];
        for (const waiter of waiters) {
          waiter.targets.forEach((t, k) => {
            if (t !== target) return;
            const before = waiter.rejected.length;
            rejectSlot(
              waiter.batch,
              k,
              `could not be stored: ${(error as Error).message}`,
              waiter.rejected,
              waiter.dropped,
            );
            waiter.accepted -= waiter.rejected.length - before;
          });
        }
      }
    }
  }
}

/** The points of a commit per target, in columns (staged as they are, or stored). */
interface Gathered extends StagedColumns {
  targets: Target[];
  /** The row to stage: the columns are views of it. */
  data: Buffer;
}

/**
 * Gathers the accepted points of waiting writes per target: a count, then one pass copying
 * each point's time words and value to its place. Within a target, points keep their order of
 * arrival, so that the later of two values of a timestamp wins.
 */
function gather(waiters: readonly Waiter[]): Gathered {
  const targets: Target[] = [];
  // Each target's place in this commit, stamped on it (no map of targets).
  const stamp = ++commitStamp;
  const groupsOf: Int32Array[] = [];
  let counts = new Int32Array(64);
  for (const waiter of waiters) {
    const { batch } = waiter;
    const groups = new Int32Array(batch.slots.length).fill(-1);
    waiter.targets.forEach((target, k) => {
      if (!target) return;
      let g = target.stamp === stamp ? target.group : -1;
      if (g < 0) {
        g = targets.push(target) - 1;
        target.stamp = stamp;
        target.group = g;
        if (g === counts.length) {
          const grown = new Int32Array(counts.length * 2);
          grown.set(counts);
          counts = grown;
        }
      }
      groups[k] = g;
      if (!waiter.dropped) counts[g] += batch.slots[k].count;
    });
    if (waiter.dropped)
      for (let i = 0; i < batch.length; i++) {
        const g = groups[batch.slotOf[i]];
        if (g >= 0 && !waiter.dropped[i]) counts[g]++;
      }
    groupsOf.push(groups);
  }
  const g = targets.length;
  const offsets = new Int32Array(g + 1);
  for (let k = 0; k < g; k++) offsets[k + 1] = offsets[k] + counts[k];
  // Values of non-float series first (their JSON is part of the row's layout), in the order
  // the pass below places the points.
  const others: (PointValue[] | null)[] = targets.map((t) =>
    t.info.valueType === 'float' ? null : [],
  );
  waiters.forEach((waiter, w) => {
    const { batch, dropped } = waiter;
    if (!batch.others) return;
    const groups = groupsOf[w];
    for (let i = 0; i < batch.length; i++) {
      const k = groups[batch.slotOf[i]];
      const list = k < 0 || (dropped && dropped[i]) ? null : others[k];
      if (list) list.push(batch.others[i]);
    }
  });
  const columns = { ...columnsOf(targets), offsets, others };
  // The points go straight into the row's data: staged as it is, or stored from its views.
  const { data, times, floats } = draftStageRow(columns);
  const words = new Int32Array(times.buffer, times.byteOffset, times.length * 2);
  const cursor = offsets.slice(0, g);
  waiters.forEach((waiter, w) => {
    const { batch, dropped } = waiter;
    const groups = groupsOf[w];
    const { slotOf, timeWords } = batch;
    const values = batch.floats;
    for (let i = 0; i < batch.length; i++) {
      const k = groups[slotOf[i]];
      if (k < 0 || (dropped && dropped[i])) continue;
      const at = cursor[k]++;
      words[2 * at] = timeWords[2 * i];
      words[2 * at + 1] = timeWords[2 * i + 1];
      floats[at] = values[i];
    }
  });
  return { targets, ...columns, times, floats, data };
}

/** The series part of staged columns for targets. */
function columnsOf(
  targets: readonly Target[],
): Pick<StagedColumns, 'ids' | 'seriesIds' | 'paths' | 'resources' | 'types'> {
  const ids: string[] = [];
  const idIndex = new Map<string, number>();
  const index = (id: string) => {
    let i = idIndex.get(id);
    if (i === undefined) idIndex.set(id, (i = ids.push(id) - 1));
    return i;
  };
  const g = targets.length;
  const columns = {
    ids,
    seriesIds: new BigInt64Array(g),
    paths: new Uint32Array(g),
    resources: new Uint32Array(g),
    types: new Uint8Array(g),
  };
  targets.forEach((target, k) => {
    columns.seriesIds[k] = target.info.id;
    columns.paths[k] = index(target.pathId);
    columns.resources[k] = index(target.resourceId);
    columns.types[k] = stagedTypes.indexOf(target.info.valueType);
  });
  return columns;
}

/** One target's share of gathered points. */
function part(gathered: Gathered, g: number): Gathered {
  const from = gathered.offsets[g];
  const to = gathered.offsets[g + 1];
  const targets = [gathered.targets[g]];
  const columns: StagedColumns = {
    ...columnsOf(targets),
    offsets: Int32Array.of(0, to - from),
    times: gathered.times.slice(from, to),
    floats: gathered.floats.slice(from, to),
    others: [gathered.others[g]],
  };
  return { targets, ...columns, data: encodeStage(columns) };
}

/**
 * Checks each value against its series' type (floats: finite). Returns per point whether it
 * was rejected, or null when none was.
 */
function checkValues(
  batch: PointBatch,
  targets: (Target | null)[],
  rejected: IngestRejection[],
): Uint8Array | null {
  let dropped: Uint8Array | null = null;
  const { slotOf, floats } = batch;
  for (let i = 0; i < batch.length; i++) {
    const target = targets[slotOf[i]];
    if (!target) continue;
    let problem: string | null;
    if (target.info.valueType === 'float') {
      const v = floats[i];
      if (v - v === 0) continue;
      problem = `value is ${v}; NaN and ±Infinity cannot be stored`;
    } else {
      problem = valueProblem(batch.others![i], target.info.valueType);
      if (problem === null) continue;
    }
    dropped ??= new Uint8Array(batch.length);
    dropped[i] = 1;
    rejected.push({ line: batch.lines[i], message: `${target.info.key}: ${problem}` });
  }
  return dropped;
}

/** Rejects every point of a slot (not yet dropped) with one reason. */
function rejectSlot(
  batch: PointBatch,
  slot: number,
  message: string,
  rejected: IngestRejection[],
  dropped: Uint8Array | null = null,
): void {
  for (let i = 0; i < batch.length; i++)
    if (batch.slotOf[i] === slot && !(dropped && dropped[i]))
      rejected.push({ line: batch.lines[i], message });
}

/**
 * The lines of a batch that billing quotas refuse: a line with a point of a refused resource
 * (as the path maps its measurement and field) is refused whole.
 */
async function billingRefusals(
  quotas: WriteQuotas,
  path: IngestPath,
  batch: PointBatch,
): Promise<{
  refused: IngestRejection[];
  message: string;
  retryAfterSeconds: number;
  /** Lines of the batch. */
  lines: number;
}> {
  const resourceOfSlot = batch.slots.map((slot) =>
    PathDirectory.resourceOf(path, batch.series[slot.series].measurement, slot.field),
  );
  const refusals = await quotas.refused(path, [...new Set(resourceOfSlot)]);
  const refused = new Map<number, string>();
  let first: { retryAfterSeconds: number; message: string } | null = null;
  if (!refusals.size) return { refused: [], message: '', retryAfterSeconds: 0, lines: 0 };
  const lines = new Set<number>();
  for (let i = 0; i < batch.length; i++) {
    lines.add(batch.lines[i]);
    const refusal = refusals.get(resourceOfSlot[batch.slotOf[i]]);
    if (!refusal || refused.has(batch.lines[i])) continue;
    refused.set(batch.lines[i], refusal.message);
    first ??= refusal;
  }
  return {
    refused: [...refused].map(([line, message]) => ({ line, message })),
    message: first?.message ?? '',
    retryAfterSeconds: first?.retryAfterSeconds ?? 0,
    lines: lines.size,
  };
}

/** The batch without the points of these lines. */
function withoutLines(batch: PointBatch, lines: readonly IngestRejection[]): PointBatch {
  const refused = new Set(lines.map((l) => l.line));
  const kept = new PointBatch(batch.length);
  for (const s of batch.series) kept.addSeries(s.prefix, s.measurement, s.tags, s.nodeId);
  for (let i = 0; i < batch.length; i++) {
    if (refused.has(batch.lines[i])) continue;
    const slot = batch.slots[batch.slotOf[i]];
    kept.push(
      kept.slot(slot.series, slot.field, slot.type),
      batch.times[i],
      batch.value(i),
      batch.lines[i],
    );
  }
  return kept;
}

/**
 * A flat copy of a string that will be remembered: a slice of a request body would keep the
 * whole body alive.
 */
function detached(text: string): string {
  return (' ' + text).slice(1);
}

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
  /** Per path, series known to exist, as scopedSeriesKey (bounded). */
  private readonly known = new Map<string, Set<string>>();

  constructor(private readonly store: TimeSeriesStore) {}

  async check(
    path: IngestPath,
    batch: PointBatch,
  ): Promise<{ refused: IngestRejection[]; message: string }> {
    const max = path.limits.maxSeries!;
    let known = this.known.get(path.id);
    if (!known) this.known.set(path.id, (known = new Set()));
    // Existing on the node the series would go on: another node's series of the same key is
    // no reason to let a new one through.
    const wanted = batch.slots.map((slot) => {
      const series = batch.series[slot.series];
      const nodeId = series.nodeId ?? path.sourceId;
      const key = seriesKey(series.measurement, Object.fromEntries(series.tags), slot.field);
      return { nodeId, key, scoped: scopedSeriesKey(nodeId, key) };
    });
    const keys = wanted.map((w) => w.scoped);
    const unknown = new Map<string, { nodeId: string; key: string }>();
    batch.slots.forEach((slot, k) => {
      if (slot.count > 0 && !known.has(keys[k])) unknown.set(keys[k], wanted[k]);
    });
    if (unknown.size === 0) return { refused: [], message: '' };
    const existing = await this.store.chunks.existingSeries([...unknown.values()]);
    if (known.size + existing.size > 100_000) known.clear();
    for (const key of existing) known.add(key);
    const fresh = [...unknown.keys()].filter((key) => !existing.has(key));
    if (fresh.length === 0) return { refused: [], message: '' };
    const count = await this.store.chunks.seriesCountOfPath(path.id);
    const room = Math.max(0, max - count);
    const allowed = new Set(fresh.slice(0, room));
    const message = `path "${path.name}" may hold ${max} series and holds ${count}; ${fresh.length - allowed.size} new series refused`;
    const refusedLines = new Set<number>();
    for (let i = 0; i < batch.length; i++) {
      const key = keys[batch.slotOf[i]];
      if (!known.has(key) && !allowed.has(key)) refusedLines.add(batch.lines[i]);
    }
    return { refused: [...refusedLines].map((line) => ({ line, message })), message };
  }
}

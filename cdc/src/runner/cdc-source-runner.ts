import type { Client, Pool } from 'pg';
import { ChangeApplier, ChangeApplierOptions } from '../appliers/change-applier';
import { CdcSchemaChangeError, describeStep } from '../appliers/mirror-schema';
import { dropSlotAndPublication } from '../managed/source-admin';
import { formatLsn, parseLsn, slotPosition } from '../position';
import { PublishableChange } from '../sinks/kafka-publisher';
import { CdcSourceError } from '../sources/pgoutput/pgoutput.errors';
import { PgoutputReader } from '../sources/pgoutput/pgoutput-reader';
import { SlotChange } from '../sources/pgoutput/pgoutput-translator';
import { readTableSnapshot } from '../sources/pgoutput/table-snapshot';
import { SourceConnector, trustedConnector } from '../sources/pgoutput/source-connection';
import { qualifiedTableName } from '../appliers/identifiers';

/** Where applied changes are published (KafkaPublisher, or anything shaped like it). */
export interface ChangePublisher {
  publish(changes: readonly PublishableChange[]): Promise<void>;
  disconnect?(): Promise<void>;
}

export interface CdcSourceRunnerOptions {
  sourceUrl: string;
  slot: string;
  publication: string;
  tables: readonly string[];
  applier: ChangeApplierOptions;
  maxBatchChanges?: number;
  statusIntervalMs?: number;
  /** A heartbeat (a WAL message) on the source, and a sample of its WAL position (default 10 s). */
  heartbeatIntervalMs?: number;
  /** Lag in bytes listed as a problem above this (default 64 MiB). */
  lagProblemBytes?: number;
  /** Lag in seconds listed as a problem above this (default 60). */
  lagProblemSeconds?: number;
  /** Retry delay after a failure, doubling from initialMs up to maxMs (default 1 s → 60 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Publishes applied changes (after the applier's commit) when given. */
  publisher?: ChangePublisher | null;
  /** Opens the connections to the source (default: as the URL says; managed sources: a SourceGuard). */
  connect?: SourceConnector;
  log?: (line: string) => void;
}

export type CdcRunnerState =
  'starting' | 'snapshotting' | 'streaming' | 'paused' | 'retrying' | 'stopped';

export interface CdcSourceStatus {
  state: CdcRunnerState;
  /** Everything before it has been applied and confirmed to the source ('X/Y'). */
  confirmedLsn: string | null;
  receivedLsn: string | null;
  /** pg_current_wal_lsn() on the source, sampled every heartbeat. */
  sourceLsn: string | null;
  /** sourceLsn - confirmed (the slot's confirmed_flush_lsn when not streaming). */
  lagBytes: number | null;
  /** Age of the oldest received-but-unapplied commit, 0 when caught up; null when not streaming. */
  lagSeconds: number | null;
  /** Applied, over the last 10 s. */
  changesPerSecond: number;
  /** Applied since this runner started (snapshot rows included). */
  changesApplied: number;
  lastError: { message: string; at: string } | null;
  nextRetryAt: string | null;
  /** Set by pause(reason), or by a schema change the mirror cannot follow on its own. */
  pausedReason: string | null;
  problems: string[];
  updatedAt: string;
}

const defaults = {
  heartbeatIntervalMs: 10_000,
  lagProblemBytes: 64 * 1024 * 1024,
  lagProblemSeconds: 60,
  backoff: { initialMs: 1_000, maxMs: 60_000 },
};
const rateWindowMs = 10_000;
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
  // admin_shutdown, crash_shutdown, cannot_connect_now
  '57P01',
  '57P02',
  '57P03',
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The delay before retry number `failures` (1 for the first): doubling, capped. */
export function retryDelay(failures: number, backoff: { initialMs: number; maxMs: number }) {
  return Math.min(backoff.maxMs, backoff.initialMs * 2 ** Math.max(0, failures - 1));
}

/** An error's message; pg's connection failures may come as an AggregateError without one. */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return errorMessage(error.errors[0]);
  }
  if (error instanceof Error) {
    return error.message || (error as { code?: string }).code || error.name;
  }
  return String(error);
}

/** True for errors that mean the source cannot be reached (refused, reset, shut down). */
export function isUnreachable(error: unknown): boolean {
  if (error instanceof AggregateError) return error.errors.some(isUnreachable);
  if (error instanceof CdcSourceError) return error.code === 'SourceUnreachable';
  const code = (error as { code?: string } | null)?.code;
  if (code && unreachableCodes.has(code)) return true;
  return /Connection terminated|connection timeout|timeout expired|ended the replication/i.test(
    errorMessage(error),
  );
}

const megabytes = (bytes: number) => {
  const mb = bytes / 2 ** 20;
  return `${mb >= 10 ? Math.round(mb) : Math.round(mb * 10) / 10} MB`;
};

/** The problem lines of a status: why it retries, lag above the limits, a schema change. */
export function runnerProblems(
  status: Pick<CdcSourceStatus, 'state' | 'lastError' | 'lagBytes' | 'lagSeconds'> & {
    unreachable: boolean;
    schemaPause: string | null;
    publishError: string | null;
    heartbeatError: string | null;
  },
  limits: { lagProblemBytes: number; lagProblemSeconds: number },
): string[] {
  const problems: string[] = [];
  if (status.state === 'retrying' && status.lastError) {
    problems.push(
      `${status.unreachable ? 'source unreachable' : 'failing'}: ${status.lastError.message}`,
    );
  }
  if (status.schemaPause) problems.push(`schema change: ${status.schemaPause}`);
  if (status.lagBytes !== null && status.lagBytes > limits.lagProblemBytes) {
    problems.push(`lag ${megabytes(status.lagBytes)} above ${megabytes(limits.lagProblemBytes)}`);
  }
  if (status.lagSeconds !== null && status.lagSeconds > limits.lagProblemSeconds) {
    problems.push(`lag ${Math.round(status.lagSeconds)} s above ${limits.lagProblemSeconds} s`);
  }
  if (status.publishError) problems.push(`publishing failed: ${status.publishError}`);
  if (status.heartbeatError && status.state === 'streaming') {
    problems.push(`heartbeat failed: ${status.heartbeatError}`);
  }
  return problems;
}

const maxLsn = (...values: (bigint | null)[]) =>
  values.reduce<bigint | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);

/**
 * Runs one pgoutput source for as long as it is wanted, healing itself: a source that cannot be
 * reached (or goes away) is retried with a doubling backoff, resuming from the applier's stored
 * position; a heartbeat on the source keeps an idle slot's confirmed position moving; a schema
 * change the mirror cannot follow unambiguously pauses it with the reason. Applied changes are
 * published after they commit when a publisher is given. `status()` reports state and lag.
 */
export class CdcSourceRunner {
  private readonly tableNames: ReadonlySet<string>;
  private readonly applierOptions: ChangeApplierOptions;
  private state: CdcRunnerState = 'starting';
  // What the caller asked for; the state follows it (or retries towards it).
  private desired: 'running' | 'paused' | 'stopped' = 'paused';
  private started = false;
  private reader: PgoutputReader | null = null;
  private attempt: Promise<void> | null = null;
  private ops: Promise<unknown> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private sampling: Promise<void> | null = null;
  private source: Client | null = null;
  private failures = 0;
  private lastError: { message: string; at: string } | null = null;
  private lastErrorUnreachable = false;
  private nextRetryAt: Date | null = null;
  private pausedReason: string | null = null;
  private schemaPause: { table: string; reason: string } | null = null;
  // Ambiguous schema changes to follow as planned (resume after a schema pause), once each.
  private readonly accepted = new Set<string>();
  private confirmed: bigint | null = null;
  private received: bigint | null = null;
  private slotConfirmed: bigint | null = null;
  private sourceLsn: bigint | null = null;
  private heartbeatError: string | null = null;
  private publishError: string | null = null;
  private changesApplied = 0;
  private readonly applied: { at: number; count: number }[] = [];
  private updatedAt = new Date();

  constructor(
    private readonly pool: Pool,
    private readonly options: CdcSourceRunnerOptions,
  ) {
    this.tableNames = new Set(options.tables.map(qualifiedTableName));
    this.applierOptions = {
      ...options.applier,
      schemaChanges: {
        accept: (table) => this.accepted.delete(table),
        followed: (table, steps) =>
          this.log(`table ${table}: mirror ${steps.map(describeStep).join(', ')}`),
      },
    };
  }

  /** Starts reading; trouble with the source is retried, never thrown. */
  start(): void {
    if (this.started || this.desired === 'stopped') return;
    this.started = true;
    this.desired = 'running';
    this.heartbeatTimer = setInterval(() => void this.sample(), this.heartbeatIntervalMs);
    this.heartbeatTimer.unref();
    this.launch();
  }

  /** Applies what was received, confirms it, closes replication; state 'paused'. */
  pause(reason = 'paused'): Promise<void> {
    return this.serial(async () => {
      if (this.desired === 'stopped') return;
      this.desired = 'paused';
      await this.halt();
      this.pausedReason = reason;
      this.schemaPause = null;
      this.setState('paused');
      this.log(`paused: ${reason}`);
    });
  }

  /**
   * Reads again after pause(); after a schema-change pause, follows that change as drop + add
   * (and the new primary key). While retrying, retries now.
   */
  resume(): void {
    void this.serial(async () => {
      if (this.desired === 'stopped' || !this.started) return;
      if (this.schemaPause) this.accepted.add(this.schemaPause.table);
      this.schemaPause = null;
      this.pausedReason = null;
      this.desired = 'running';
      if (this.retryTimer) this.clearRetry();
      this.launch();
    });
  }

  /** As pause(), then 'stopped' for good. */
  stop(): Promise<void> {
    return this.serial(async () => {
      if (this.state === 'stopped') return;
      this.desired = 'stopped';
      await this.halt();
      if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
      this.heartbeatTimer = null;
      await this.sampling;
      await this.source?.end().catch(() => undefined);
      this.source = null;
      await this.options.publisher?.disconnect?.().catch(() => undefined);
      this.pausedReason = null;
      this.schemaPause = null;
      this.setState('stopped');
      this.log('stopped');
    });
  }

  /**
   * Re-reads one table consistently while streaming: holds the apply loop (applied position
   * Cx), exports a snapshot at a new point C2 >= Cx with a temporary slot, replaces the mirror
   * table's rows with it (op `r`, with movements) in one transaction, and leaves out the table's
   * changes in (Cx, C2] that were streamed, as the snapshot holds them. That skip is stored in
   * the same transaction (`cdc_resnapshot_skip`), so a reader started after a crash leaves them
   * out too. While paused, or retrying, the table is re-read the same way; a schema-change pause
   * of that table then ends.
   */
  resnapshot(table: string): Promise<void> {
    const name = qualifiedTableName(table);
    if (!this.tableNames.has(name)) {
      return Promise.reject(
        new CdcSourceError(
          'TableNotFound',
          `table ${name} is not captured by this source (${[...this.tableNames].join(', ')})`,
          name,
        ),
      );
    }
    return this.serial(async () => {
      if (this.desired === 'stopped') {
        throw new CdcSourceError('ReplicationFailed', 'the runner is stopped');
      }
      await this.attempt;
      const reader = this.reader;
      if (reader && this.state === 'streaming') {
        this.setState('snapshotting');
        try {
          await reader.hold(() => this.replaceTable(name, reader));
        } finally {
          // Unless the reader failed meanwhile (then it is retrying).
          if (this.reader === reader) this.setState('streaming');
        }
        return;
      }
      // No reader may start from the stored position before the skip is stored.
      const retrying = this.retryTimer !== null;
      this.clearRetry();
      try {
        await this.replaceTable(name, null);
      } finally {
        if (retrying) this.launch();
      }
      if (this.schemaPause?.table === name) {
        this.log(`table ${name} re-read: resuming after the schema change`);
        this.schemaPause = null;
        this.pausedReason = null;
        this.desired = 'running';
        this.launch();
      }
    });
  }

  /** Stops, then drops the slot and the publication on the source (which must be reachable). */
  async drop(): Promise<void> {
    await this.stop();
    const { sourceUrl, slot, publication } = this.options;
    try {
      await dropSlotAndPublication(sourceUrl, slot, publication, this.connector);
    } catch (error) {
      if (error instanceof CdcSourceError && error.code === 'SourceUnreachable') {
        throw new CdcSourceError(
          'SourceUnreachable',
          `cannot drop slot ${slot} and publication ${publication}: ${error.reason}; they still hold WAL on the source, drop them there when it is back`,
        );
      }
      throw error;
    }
    this.log(`dropped slot ${slot} and publication ${publication}`);
  }

  status(): CdcSourceStatus {
    const reader = this.reader;
    const now = Date.now();
    const confirmed = maxLsn(
      reader && reader.confirmedLsn > 0n ? reader.confirmedLsn : null,
      this.confirmed,
      this.slotConfirmed,
    );
    const received = maxLsn(
      reader && reader.receivedLsn > 0n ? reader.receivedLsn : null,
      this.received,
      confirmed,
    );
    // Sampled every heartbeat; the source is at least as far as what was received since.
    const sourceLsn = this.sourceLsn === null ? null : maxLsn(this.sourceLsn, received);
    const lagBytes =
      sourceLsn !== null && confirmed !== null ? Number(sourceLsn - confirmed) : null;
    let lagSeconds: number | null = null;
    if (reader && (this.state === 'streaming' || this.state === 'snapshotting')) {
      const oldest = reader.oldestUnappliedCommitTime;
      lagSeconds = oldest === null ? 0 : Math.max(0, (now - oldest) / 1000);
    }
    while (this.applied.length > 0 && this.applied[0].at < now - rateWindowMs) {
      this.applied.shift();
    }
    const recent = this.applied.reduce((n, a) => n + a.count, 0);
    const base = {
      state: this.state,
      lastError: this.lastError,
      lagBytes,
      lagSeconds,
    };
    return {
      ...base,
      confirmedLsn: confirmed === null ? null : formatLsn(confirmed),
      receivedLsn: received === null ? null : formatLsn(received),
      sourceLsn: sourceLsn === null ? null : formatLsn(sourceLsn),
      changesPerSecond: recent / (rateWindowMs / 1000),
      changesApplied: this.changesApplied,
      nextRetryAt: this.nextRetryAt?.toISOString() ?? null,
      pausedReason: this.pausedReason,
      problems: runnerProblems(
        {
          ...base,
          unreachable: this.lastErrorUnreachable,
          schemaPause: this.schemaPause?.reason ?? null,
          publishError: this.publishError,
          heartbeatError: this.heartbeatError,
        },
        {
          lagProblemBytes: this.options.lagProblemBytes ?? defaults.lagProblemBytes,
          lagProblemSeconds: this.options.lagProblemSeconds ?? defaults.lagProblemSeconds,
        },
      ),
      updatedAt: this.updatedAt.toISOString(),
    };
  }

  private get connector(): SourceConnector {
    return this.options.connect ?? trustedConnector;
  }

  private get heartbeatIntervalMs() {
    return this.options.heartbeatIntervalMs ?? defaults.heartbeatIntervalMs;
  }

  private log(line: string) {
    this.options.log?.(line);
  }

  private setState(state: CdcRunnerState) {
    this.state = state;
    this.updatedAt = new Date();
  }

  /** Runs pause, resume, stop and resnapshot one after the other. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.ops.then(work, work);
    this.ops = run.catch(() => undefined);
    return run;
  }

  /** Starts a connection attempt unless one is under way or a reader runs. */
  private launch() {
    if (this.desired !== 'running' || this.attempt || this.reader) return;
    this.attempt = this.connect().finally(() => (this.attempt = null));
  }

  private async connect(): Promise<void> {
    this.setState('starting');
    const reader: PgoutputReader = new PgoutputReader(this.pool, {
      sourceUrl: this.options.sourceUrl,
      slot: this.options.slot,
      publication: this.options.publication,
      tables: this.options.tables,
      applier: this.applierOptions,
      maxBatchChanges: this.options.maxBatchChanges,
      statusIntervalMs: this.options.statusIntervalMs,
      connect: this.options.connect,
      onSnapshot: () => this.setState('snapshotting'),
      onApplied: (changes, result) => this.onApplied(changes, result.skipped),
      onError: (error) => this.onReaderError(reader, error),
    });
    try {
      await reader.start();
      if (reader.error) throw reader.error;
    } catch (error) {
      this.remember(reader);
      this.retry(error);
      return;
    }
    this.reader = reader;
    this.failures = 0;
    this.nextRetryAt = null;
    this.lastErrorUnreachable = false;
    // pause() or stop() came during the start: they stop this reader next.
    if (this.desired !== 'running') return;
    this.setState('streaming');
    this.log(`streaming from slot ${this.options.slot} at ${formatLsn(reader.confirmedLsn)}`);
    void this.sample();
  }

  /** Reading failed after start: retry, or pause for a schema change. */
  private onReaderError(reader: PgoutputReader, error: Error) {
    if (reader !== this.reader) return;
    this.reader = null;
    this.remember(reader);
    if (error instanceof CdcSchemaChangeError) {
      this.desired = 'paused';
      this.schemaPause = { table: error.table, reason: error.reason };
      this.pausedReason = error.reason;
      this.setState('paused');
      this.log(`paused: ${error.reason}`);
      return;
    }
    this.retry(error);
  }

  private retry(error: unknown) {
    if (this.desired !== 'running') return;
    this.failures += 1;
    const delay = retryDelay(this.failures, this.options.backoff ?? defaults.backoff);
    const message = errorMessage(error);
    this.lastError = { message, at: new Date().toISOString() };
    this.lastErrorUnreachable = isUnreachable(error);
    this.nextRetryAt = new Date(Date.now() + delay);
    this.setState('retrying');
    this.log(`retrying in ${delay} ms: ${message}`);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.nextRetryAt = null;
      this.launch();
    }, delay);
    this.retryTimer.unref();
  }

  private clearRetry() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.nextRetryAt = null;
  }

  /** Ends the connection attempt or the reader (applying and confirming what was received). */
  private async halt() {
    this.clearRetry();
    await this.attempt;
    const reader = this.reader;
    this.reader = null;
    if (reader) {
      await reader.stop();
      this.remember(reader);
    }
  }

  private remember(reader: PgoutputReader) {
    if (reader.confirmedLsn > 0n) this.confirmed = maxLsn(this.confirmed, reader.confirmedLsn);
    if (reader.receivedLsn > 0n) this.received = maxLsn(this.received, reader.receivedLsn);
  }

  /** After a batch committed: counts it and publishes it (the changes not skipped as applied before). */
  private async onApplied(changes: readonly SlotChange[], skipped: number) {
    const fresh = skipped > 0 ? changes.slice(skipped) : changes;
    this.changesApplied += fresh.length;
    this.applied.push({ at: Date.now(), count: fresh.length });
    if (this.applied.length > 10_000) this.applied.splice(0, this.applied.length - 10_000);
    await this.publish(fresh);
  }

  /** Publishes, retrying with the backoff until it succeeds or the runner is paused or stopped. */
  private async publish(changes: readonly SlotChange[]) {
    const publisher = this.options.publisher;
    if (!publisher || changes.length === 0) return;
    const items = changes.map((c) => ({ envelope: c.message.envelope, key: c.message.key }));
    for (let failures = 1; ; failures++) {
      try {
        await publisher.publish(items);
        this.publishError = null;
        return;
      } catch (error) {
        this.publishError = errorMessage(error);
        if (this.desired !== 'running') {
          this.log(`${items.length} applied changes were not published: ${this.publishError}`);
          return;
        }
        await sleep(retryDelay(failures, this.options.backoff ?? defaults.backoff));
      }
    }
  }

  private async replaceTable(name: string, reader: PgoutputReader | null) {
    const snapshot = await readTableSnapshot({
      sourceUrl: this.options.sourceUrl,
      slot: this.options.slot,
      table: name,
      keys: this.options.applier.keys,
      connect: this.options.connect,
    });
    const applier = reader?.applier ?? new ChangeApplier(this.pool, this.applierOptions);
    // The skip is stored with the rows: a reader started after a crash leaves out the changes
    // the snapshot holds, whether or not the stream had passed them.
    await applier.replaceTable(
      snapshot.relation,
      snapshot.changes,
      slotPosition(this.options.slot, snapshot.lsn),
    );
    // Only once the mirror holds the snapshot may the streamed changes it covers be left out.
    reader?.skipTableThrough(name, snapshot.lsn);
    this.log(
      `table ${name} re-read at ${formatLsn(snapshot.lsn)}: ${snapshot.changes.length} rows`,
    );
    await this.onApplied(snapshot.changes, 0);
  }

  /** Samples the source's WAL position and the slot's, then (while streaming) writes a heartbeat. */
  private sample(): Promise<void> {
    this.sampling ??= (async () => {
      try {
        if (!this.source) {
          const client = await this.connector(this.options.sourceUrl, {
            timeoutMs: Math.max(1000, this.heartbeatIntervalMs),
          });
          client.on('error', () => {
            if (this.source === client) this.source = null;
            void client.end().catch(() => undefined);
          });
          this.source = client;
        }
        const { rows } = await this.source.query<{ current: string; confirmed: string | null }>(
          `SELECT pg_current_wal_lsn()::text AS current,
                  (SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = $1) AS confirmed`,
          [this.options.slot],
        );
        this.sourceLsn = parseLsn(rows[0].current);
        this.slotConfirmed = rows[0].confirmed ? parseLsn(rows[0].confirmed) : null;
        if (this.reader && this.desired === 'running') {
          // WAL the walsender reads past: its keepalives then carry a position we may confirm.
          await this.source.query(`SELECT pg_logical_emit_message(false, 'sextant_heartbeat', '')`);
        }
        this.heartbeatError = null;
      } catch (error) {
        this.heartbeatError = errorMessage(error);
        const client = this.source;
        this.source = null;
        await client?.end().catch(() => undefined);
      }
    })().finally(() => (this.sampling = null));
    return this.sampling;
  }
}

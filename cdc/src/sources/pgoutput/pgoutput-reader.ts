import type { Client, Pool } from 'pg';
import { ApplyResult, ChangeApplier, ChangeApplierOptions } from '../../appliers/change-applier';
import { ResnapshotSkipsRepository } from '../../appliers/resnapshot-skips.repository';
import { formatLsn, parseLsn, slotPosition, streamOf } from '../../position';
import {
  decodePgoutputMessage,
  decodeReplicationMessage,
  encodeStandbyStatus,
} from './pgoutput-decoder';
import { CdcSourceError } from './pgoutput.errors';
import { PgoutputTranslator, SlotChange, SlotTransaction } from './pgoutput-translator';
import { ReplicationStream } from './replication-stream';
import { SlotPositionsRepository } from './slot-positions.repository';
import { SourceConnector, trustedConnector } from './source-connection';
import { SourceRepository, SourceTable } from './source.repository';
import { sessionOptions, snapshotChanges, snapshotSchema } from './table-snapshot';
import { cdcNamePattern } from '../../appliers/identifiers';
import type { SourceRelation } from '../../appliers/mirror-schema';

export interface PgoutputReaderOptions {
  /** Connection string of the source database (its user needs the REPLICATION attribute). */
  sourceUrl: string;
  /** Replication slot, created when missing (`[a-z0-9_]`, at most 63 characters). */
  slot: string;
  /** Publication of the tables, created when missing (same rule as slot names). */
  publication: string;
  /** Tables to capture, `schema.table` (or `table` in `public`). */
  tables: readonly string[];
  /** Where and how the changes are applied (source name, nodes, key columns per table). */
  applier: ChangeApplierOptions;
  /** pgoutput protocol version; 1 unless told (2 only adds streaming of large transactions, not used). */
  protoVersion?: 1 | 2;
  /** Committed transactions are applied together up to this many changes (default 1000; 4 times as many while behind). */
  maxBatchChanges?: number;
  /** Interval of unsolicited status updates, below the server's wal_sender_timeout (default 10 s). */
  statusIntervalMs?: number;
  /** Called once when reading fails after start; the reader has then stopped. */
  onError?: (error: Error) => void;
  /** Called after each batch (and the snapshot) is committed, before it is confirmed. */
  onApplied?: (changes: readonly SlotChange[], result: ApplyResult) => Promise<void> | void;
  /** Called when start() begins the initial snapshot. */
  onSnapshot?: () => void;
  /** Opens the connections to the source (default: as the URL says; managed sources: a SourceGuard). */
  connect?: SourceConnector;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads a Postgres source through a logical replication slot with the built-in pgoutput plugin:
 * an initial consistent snapshot from the slot's exported snapshot (op `r`), then the stream of
 * committed transactions, applied by a ChangeApplier. The slot's confirmed position advances only
 * after the applier committed, and the applier skips what it already holds, so a restart neither
 * loses nor doubles a change.
 */
export class PgoutputReader {
  readonly applier: ChangeApplier;
  private replication: Client | null = null;
  private stream: ReplicationStream | null = null;
  private translator: PgoutputTranslator | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pending: SlotTransaction[] = [];
  private pendingChanges = 0;
  private paused = false;
  private applying: Promise<void> | null = null;
  private received = 0n;
  private confirmed = 0n;
  private stopped = false;
  private failure: Error | null = null;
  private held: Promise<unknown> | null = null;
  private inFlightCommitTime: number | null = null;
  // Tables re-read at an LSN: their changes in transactions ending at or before it are left out.
  private readonly skips = new Map<string, bigint>();

  constructor(
    private readonly pool: Pool,
    private readonly options: PgoutputReaderOptions,
  ) {
    this.applier = new ChangeApplier(pool, options.applier);
  }

  /** The WAL end of the last message received. */
  get receivedLsn(): bigint {
    return this.received;
  }

  /** Commit time (ms, source clock) of the oldest transaction received and not yet applied. */
  get oldestUnappliedCommitTime(): number | null {
    return this.inFlightCommitTime ?? this.pending[0]?.commitTime ?? null;
  }

  /**
   * Runs `work` while no batch is applied: waits for the batch under way, holds the next ones
   * (the stream is still read, with the usual backpressure) until `work` settles.
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    while (this.held) await this.held.catch(() => undefined);
    const run = (async () => {
      await this.applying;
      return work();
    })();
    this.held = run;
    try {
      return await run;
    } finally {
      this.held = null;
      this.kick();
    }
  }

  /**
   * Leaves out the changes of `table` in transactions ending at or before `lsn`, pending ones
   * too. Call it inside hold(), while no batch is under way. Readers started later find it in
   * `cdc_resnapshot_skip`, where ChangeApplier.replaceTable recorded it.
   */
  skipTableThrough(table: string, lsn: bigint): void {
    if ((this.skips.get(table) ?? -1n) < lsn) this.skips.set(table, lsn);
    this.pending = this.pending.map((tx) => this.withoutSkipped(tx));
    this.pendingChanges = this.pending.reduce((n, tx) => n + tx.changes.length, 0);
  }

  private withoutSkipped(tx: SlotTransaction): SlotTransaction {
    const changes = tx.changes.filter((c) => {
      const { schema, table } = c.message.envelope.source;
      const through = this.skips.get(`${schema}.${table}`);
      return through === undefined || tx.endLsn > through;
    });
    return changes.length === tx.changes.length ? tx : { ...tx, changes };
  }

  /** The error that stopped the reader, if any. */
  get error(): Error | null {
    return this.failure;
  }

  /** The last LSN confirmed to the server (everything before it has been applied). */
  get confirmedLsn(): bigint {
    return this.confirmed;
  }

  /**
   * Checks the tables, creates the publication and the slot when missing (taking and applying
   * the snapshot), and starts streaming. Resolves once the server streams.
   */
  async start(): Promise<void> {
    const { slot, publication } = this.options;
    for (const [what, name] of [
      ['slot', slot],
      ['publication', publication],
    ]) {
      if (!cdcNamePattern.test(name)) {
        throw new CdcSourceError(
          'InvalidName',
          `${what} name "${name}" must match [a-z0-9_]{1,63}`,
        );
      }
    }
    const connect = this.options.connect ?? trustedConnector;
    const source = await connect(this.options.sourceUrl, { sessionOptions });
    try {
      const repository = new SourceRepository(source);
      const tables = await repository.tables(this.options.tables, this.options.applier.keys);
      const db = await repository.database();
      await repository.ensurePublication(publication, tables);
      const stored = await new SlotPositionsRepository(this.pool).find(
        this.options.applier.source,
        slot,
      );
      const existing = await this.idleSlot(repository);

      this.replication = await connect(this.options.sourceUrl, {
        sessionOptions,
        replication: true,
      });
      this.replication.on('error', (error) => this.fail(error));

      let startLsn: bigint;
      if (existing && stored) {
        startLsn = stored.lsn;
      } else {
        // A slot without applied changes may have died during its snapshot: take it again.
        if (existing) await this.replication.query(`DROP_REPLICATION_SLOT ${slot} WAIT`);
        this.options.onSnapshot?.();
        // Changes applied before, but no slot: it was dropped (WAL retention, by hand), so the
        // mirror holds an older snapshot that the new one replaces.
        startLsn = await this.snapshot(repository, tables, db, !existing && stored !== null);
      }
      // Resnapshots recorded with their rows, by this process or by one that died before
      // the stream passed them: what they hold must not come again.
      const skips = await new ResnapshotSkipsRepository(this.pool).find(
        this.options.applier.source,
        streamOf(slotPosition(slot, startLsn)),
      );
      for (const [table, lsn] of skips) this.skipTableThrough(table, lsn);
      this.received = startLsn;
      this.confirmed = startLsn;
      this.translator = new PgoutputTranslator({
        slot,
        db,
        keys: new Map(tables.map((t) => [t.name, t.key])),
      });
      await this.startStreaming(startLsn);
    } catch (error) {
      await this.close();
      throw error;
    } finally {
      await source.end();
    }
  }

  /** Applies what has been committed so far, confirms it, and ends the replication connection. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.applying;
    if (!this.failure) this.sendStatus();
    await this.close();
  }

  /** The existing slot (null when there is none), once no other walsender holds it. */
  private async idleSlot(repository: SourceRepository) {
    const { slot } = this.options;
    for (let attempt = 0; ; attempt++) {
      const found = await repository.slot(slot);
      if (found && found.plugin !== 'pgoutput') {
        throw new CdcSourceError(
          'SlotOfOtherPlugin',
          `slot ${slot} uses plugin ${found.plugin}, not pgoutput`,
        );
      }
      if (!found || found.activePid === null) return found;
      // A reader that just stopped: its walsender exits shortly after the connection closes.
      if (attempt >= 50) {
        throw new CdcSourceError(
          'SlotInUse',
          `slot ${slot} is in use by process ${found.activePid}`,
        );
      }
      await sleep(200);
    }
  }

  /** Creates the slot, reads its exported snapshot and applies it in one transaction. */
  private async snapshot(
    repository: SourceRepository,
    tables: SourceTable[],
    db: string,
    replace: boolean,
  ): Promise<bigint> {
    const { slot } = this.options;
    const created = await this.replication!.query<{
      consistent_point: string;
      snapshot_name: string;
    }>(`CREATE_REPLICATION_SLOT ${slot} LOGICAL pgoutput EXPORT_SNAPSHOT`);
    const lsn = parseLsn(created.rows[0].consistent_point);
    const changes: SlotChange[] = [];
    const relations: SourceRelation[] = [];
    const now = Date.now();
    await repository.beginSnapshot(created.rows[0].snapshot_name);
    try {
      for (const table of tables) {
        const read = await repository.readTable(table);
        relations.push({
          schema: table.schema,
          table: table.table,
          columns: snapshotSchema(read.columns),
          primaryKey: table.key,
        });
        changes.push(
          ...snapshotChanges(table, read, { slot, lsn, db, now, first: changes.length }),
        );
      }
    } finally {
      await repository.endSnapshot();
    }
    // One applier transaction: a crash leaves either the whole snapshot or none of it.
    const result = replace
      ? await this.applier.applySnapshot(relations, changes)
      : await this.applier.apply(changes);
    await this.options.onApplied?.(changes, result);
    return lsn;
  }

  private async startStreaming(lsn: bigint) {
    const { slot, publication } = this.options;
    const version = this.options.protoVersion ?? 1;
    this.stream = new ReplicationStream(
      `START_REPLICATION SLOT ${slot} LOGICAL ${formatLsn(lsn)} (proto_version '${version}', publication_names '"${publication}"')`,
      (payload) => this.onData(payload),
    );
    this.replication!.query(this.stream);
    this.stream.done.then(
      () => {
        if (!this.stopped) {
          this.fail(new CdcSourceError('ReplicationFailed', 'the server ended the replication'));
        }
      },
      (error: Error) => this.fail(error),
    );
    await this.stream.started;
    this.timer = setInterval(() => this.sendStatus(), this.options.statusIntervalMs ?? 10_000);
    this.timer.unref();
  }

  private onData(payload: Buffer) {
    if (this.failure || this.stopped) return;
    try {
      const message = decodeReplicationMessage(payload, this.received);
      if (message.walEnd > this.received) this.received = message.walEnd;
      if (message.tag === 'keepalive') {
        // Nothing read is left to apply: the WAL up to here holds nothing more for these tables.
        if (this.idle() && message.walEnd > this.confirmed) this.confirmed = message.walEnd;
        if (message.replyRequested) this.sendStatus();
        return;
      }
      const decoded = decodePgoutputMessage(message.data, message.walStart);
      const tx = this.translator!.push(decoded, message.walStart);
      if (!tx) return;
      const kept = this.skips.size > 0 ? this.withoutSkipped(tx) : tx;
      this.pending.push(kept);
      this.pendingChanges += kept.changes.length;
      if (!this.paused && this.pendingChanges > 4 * this.maxBatch) {
        this.paused = true;
        this.stream?.pause();
      }
      this.kick();
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private get maxBatch() {
    return this.options.maxBatchChanges ?? 1000;
  }

  private idle(): boolean {
    return this.pending.length === 0 && !this.applying && !this.translator?.inTransaction;
  }

  /** Applies the committed transactions one batch at a time, then confirms the last one. */
  private kick() {
    if (this.applying || this.failure || this.held) return;
    this.applying = (async () => {
      while (this.pending.length > 0 && !this.failure && !this.held) {
        const batch: SlotTransaction[] = [];
        let count = 0;
        // Behind by more than a batch: up to 4 at once (all that is held before the stream
        // pauses), so a backlog costs fewer statements and commits per change.
        const limit = this.pendingChanges > this.maxBatch ? 4 * this.maxBatch : this.maxBatch;
        while (this.pending.length > 0 && (batch.length === 0 || count < limit)) {
          const tx = this.pending.shift()!;
          batch.push(tx);
          count += tx.changes.length;
        }
        const changes = batch.flatMap((tx) => tx.changes);
        this.inFlightCommitTime = batch[0].commitTime;
        if (changes.length > 0) {
          const result = await this.applier.apply(changes);
          await this.options.onApplied?.(changes, result);
        }
        this.inFlightCommitTime = null;
        this.pendingChanges -= changes.length;
        this.confirmed = batch[batch.length - 1].endLsn;
        this.sendStatus();
        if (this.paused && this.pendingChanges <= this.maxBatch) {
          this.paused = false;
          this.stream?.resume();
        }
      }
    })()
      .catch((error: Error) => this.fail(error))
      .finally(() => {
        this.applying = null;
        if (this.pending.length > 0) this.kick();
      });
  }

  /** Standby Status Update: received, and flushed = applied = confirmed. */
  private sendStatus() {
    this.stream?.send(
      encodeStandbyStatus(
        { written: this.received, flushed: this.confirmed, applied: this.confirmed },
        Date.now(),
      ),
    );
  }

  private fail(error: Error) {
    if (this.failure || this.stopped) return;
    this.failure = error;
    this.options.onError?.(error);
    void this.close();
  }

  private async close() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const stream = this.stream;
    const replication = this.replication;
    this.stream = null;
    this.replication = null;
    if (stream && !this.failure) {
      stream.end();
      await Promise.race([stream.done.catch(() => undefined), sleep(2000)]);
    }
    await replication?.end().catch(() => undefined);
  }
}

import { hostname } from 'node:os';
import { Client, Pool } from 'pg';
import { CdcSourceRunner, CdcSourceRunnerOptions } from '../runner/cdc-source-runner';
import { kafkaPublisherFromEnv } from '../sinks/kafka-publisher';
import { CdcSourcesRepository, ManagedSource } from './cdc-sources.repository';
import { openSecret } from './connection-secret';
import { dropSlot, retainedWal } from './source-admin';
import { SourceGuard } from './source-guard';

export interface CdcSupervisorOptions {
  /** SEXTANT_SECRET_KEY: opens the sources' connection strings. */
  secretKey: string | null;
  /** Sextant's database, for the connection that holds the sources' locks. */
  databaseUrl: string;
  /** Every connection to a source goes through it (allowed hosts, never the own database). */
  guard: SourceGuard;
  /**
   * A paused source whose slot holds back more WAL than this gets an alert, then loses its slot
   * (CDC_MAX_RETAINED_WAL_MB; default 4 GiB).
   */
  maxRetainedWalBytes?: number;
  /** How often the slots of paused sources are measured (default 60 s). */
  retentionCheckMs?: number;
  /** How often sources, commands and states are read and status is written (default 1 s). */
  pollMs?: number;
  /** How often a lag sample is kept for the chart (default 5 s), and for how long (24 h). */
  sampleMs?: number;
  sampleHours?: number;
  /** Passed to every runner (heartbeats, lag thresholds, backoff). */
  runner?: Partial<
    Omit<
      CdcSourceRunnerOptions,
      'sourceUrl' | 'slot' | 'publication' | 'tables' | 'applier' | 'connect'
    >
  >;
  /** Environment for KAFKA_BROKERS (publishing the envelopes); default process.env. */
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

interface Running {
  source: ManagedSource;
  runner: CdcSourceRunner;
  /** Paused because the path's state is paused (not by the runner itself). */
  pausedByPath: boolean;
  /** Commands of this source run one after the other. */
  queue: Promise<void>;
}

const pausedByPath = 'the path is paused';

/**
 * Runs the managed CDC sources (paths of protocol cdc with a cdc_source row): one runner per
 * active source, held by a session advisory lock so that any number of worker processes share
 * the sources without running one twice. Follows the paths' state (pause, resume), settings
 * changes (restart), removals (stop), and commands (re-snapshot a table, resume after a schema
 * change paused it), and reports each runner's status and lag samples to the database.
 */
export class CdcSupervisor {
  private readonly repository: CdcSourcesRepository;
  private readonly running = new Map<string, Running>();
  private readonly runnerName = `${hostname()}:${process.pid}`;
  private locks: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private pass: Promise<void> | null = null;
  private lastSample = 0;
  private lastPrune = 0;
  private lastRetentionCheck = 0;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    private readonly options: CdcSupervisorOptions,
  ) {
    this.repository = new CdcSourcesRepository(pool);
  }

  private log(line: string) {
    (this.options.log ?? ((l: string) => console.log(l)))(line);
  }

  /** The runners of this process, by path id. */
  get runners(): ReadonlyMap<string, CdcSourceRunner> {
    return new Map([...this.running].map(([id, r]) => [id, r.runner]));
  }

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.options.pollMs ?? 1000);
    this.timer.unref();
    void this.tick();
  }

  /** One pass now (also what the timer runs); passes never overlap. */
  tick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.pass ??= this.runOnce()
      .catch((error: Error) => this.log(`cdc supervisor: ${error.message}`))
      .finally(() => (this.pass = null));
    return this.pass;
  }

  /** Stops every runner (each applies and confirms what it received) and releases the sources. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.pass;
    await Promise.all([...this.running.keys()].map((id) => this.release(id, 'stopped')));
    await this.locks?.end().catch(() => undefined);
    this.locks = null;
  }

  private async runOnce() {
    const sources = await this.repository.list();
    const byId = new Map(sources.map((s) => [s.pathId, s]));
    for (const [id, running] of this.running) {
      const source = byId.get(id);
      if (!source || source.state === 'revoked') await this.release(id, 'removed');
      else if (source.updatedAt.getTime() !== running.source.updatedAt.getTime()) {
        await this.release(id, 'settings changed');
      }
    }
    for (const source of sources) {
      let running = this.running.get(source.pathId);
      if (!running && source.state === 'active') running = (await this.take(source)) ?? undefined;
      if (!running) continue;
      if (source.state === 'paused' && !running.pausedByPath) {
        running.pausedByPath = true;
        await running.runner.pause(pausedByPath);
      } else if (source.state === 'active' && running.pausedByPath) {
        running.pausedByPath = false;
        running.runner.resume();
      }
    }
    await this.runCommands();
    await this.report();
    const now = Date.now();
    if (now - this.lastRetentionCheck >= (this.options.retentionCheckMs ?? 60_000)) {
      this.lastRetentionCheck = now;
      // Side by side: an unreachable source waits out its connect timeout, not the others.
      await Promise.all(sources.map((source) => this.checkRetention(source)));
    }
  }

  /**
   * A paused source's slot keeps every WAL segment since the source was paused: past the limit,
   * an alert on the source's node, then the slot is dropped and the source stays paused (its
   * path too); resuming it takes a new snapshot. Sources run by another process are theirs to
   * check.
   */
  private async checkRetention(source: ManagedSource) {
    const running = this.running.get(source.pathId);
    const paused = running ? running.runner.status().state === 'paused' : source.state === 'paused';
    if (!paused) return;
    // A source this process runs is locked already, and stays so unless its slot goes.
    let unlock = running === undefined;
    if (unlock && !(await this.tryLock(source.pathId))) return;
    try {
      const limit = this.options.maxRetainedWalBytes ?? 4096 * 2 ** 20;
      let url: string;
      try {
        url = openSecret(this.options.secretKey, source.connectionSecret);
      } catch {
        return;
      }
      const retained = await retainedWal(url, source.slot, this.options.guard.connector);
      if (retained === null || retained <= limit) return;
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
      const reason = `slot ${source.slot} was dropped: it held back ${mb(retained)} MB of WAL on the source while paused, above CDC_MAX_RETAINED_WAL_MB (${mb(limit)} MB); resuming the source takes a new snapshot`;
      await this.repository.raiseAlert({
        nodeId: source.sourceNodeId,
        title: `CDC source ${source.name}: replication slot dropped (WAL held back)`,
        description: `${reason}. Resume it with POST /api/cdc/sources/${source.pathId}/resume (or the portal's CDC page).`,
        priority: 'high',
        dedupeKey: `cdc.retained-wal.${source.pathId}`,
        metadata: {
          pathId: source.pathId,
          source: source.name,
          slot: source.slot,
          retainedBytes: retained,
        },
      });
      // Paused for good (a runner's own pause, after a schema change, leaves the path active),
      // before the runner lets the source go, so that no process takes it up again.
      await this.repository.pausePath(source.pathId);
      if (running) await this.release(source.pathId, 'its slot is dropped', false);
      unlock = true;
      await dropSlot(url, source.slot, this.options.guard.connector);
      await this.repository.saveStatus({
        ...idleStatus(source.pathId, 'paused', this.runnerName),
        pausedReason: reason,
        problems: [reason],
      });
      this.log(`cdc ${source.name}: ${reason}`);
    } catch (error) {
      this.log(`cdc ${source.name}: checking the slot's WAL: ${(error as Error).message}`);
    } finally {
      if (unlock) await this.unlock(source.pathId);
    }
  }

  private async tryLock(pathId: string): Promise<boolean> {
    const locks = await this.lockConnection();
    const { rows } = await locks.query<{ taken: boolean }>(
      `SELECT pg_try_advisory_lock(hashtextextended('sextant.cdc.' || $1, 0)) AS taken`,
      [pathId],
    );
    return rows[0].taken;
  }

  /** Takes a source when no other process holds it and starts its runner. */
  private async take(source: ManagedSource): Promise<Running | null> {
    if (!(await this.tryLock(source.pathId))) return null;
    let sourceUrl: string;
    try {
      sourceUrl = openSecret(this.options.secretKey, source.connectionSecret);
    } catch (error) {
      await this.unlock(source.pathId);
      await this.repository.saveStatus({
        ...idleStatus(source.pathId, 'stopped', this.runnerName),
        lastError: (error as Error).message,
        lastErrorAt: new Date().toISOString(),
        problems: [(error as Error).message],
      });
      return null;
    }
    const publisher = kafkaPublisherFromEnv(this.options.env ?? process.env, {
      server: source.name,
      withSchema: false,
    });
    const runner = new CdcSourceRunner(this.pool, {
      ...this.options.runner,
      sourceUrl,
      slot: source.slot,
      publication: source.publication,
      tables: source.tables,
      applier: {
        source: source.name,
        sourceNodeId: source.sourceNodeId,
        destinationNodeId: source.destinationNodeId,
        pathId: source.pathId,
        keys: source.keys,
      },
      publisher,
      connect: this.options.guard.connector,
      log: (line) => this.log(`cdc ${source.name}: ${line}`),
    });
    const running: Running = { source, runner, pausedByPath: false, queue: Promise.resolve() };
    this.running.set(source.pathId, running);
    runner.start();
    this.log(`cdc ${source.name}: started (slot ${source.slot})`);
    return running;
  }

  private async release(pathId: string, why: string, unlock = true) {
    const running = this.running.get(pathId);
    if (!running) return;
    this.running.delete(pathId);
    await running.queue;
    await running.runner
      .stop()
      .catch((error: Error) => this.log(`cdc: stopping: ${error.message}`));
    await this.writeStatus(running).catch(() => undefined);
    if (unlock) await this.unlock(pathId);
    this.log(`cdc ${running.source.name}: stopped (${why})`);
  }

  private async runCommands() {
    for (const command of await this.repository.pendingCommands()) {
      const running = this.running.get(command.pathId);
      if (!running || !(await this.repository.startCommand(command.id))) continue;
      running.queue = running.queue.then(async () => {
        let error: string | null = null;
        try {
          if (command.kind === 'resnapshot') await running.runner.resnapshot(command.tableName!);
          else if (!running.pausedByPath) running.runner.resume();
          else error = 'the path is paused: resume the path itself';
        } catch (failure) {
          error = (failure as Error).message;
        }
        await this.repository.finishCommand(command.id, error);
        this.log(
          `cdc ${running.source.name}: ${command.kind}${command.tableName ? ` ${command.tableName}` : ''} ${error ? `failed: ${error}` : 'done'}`,
        );
      });
    }
  }

  private async report() {
    const now = Date.now();
    const sample = now - this.lastSample >= (this.options.sampleMs ?? 5000);
    if (sample) this.lastSample = now;
    for (const running of this.running.values()) {
      const status = await this.writeStatus(running);
      if (sample) await this.repository.addSample(running.source.pathId, status);
    }
    if (now - this.lastPrune >= 600_000) {
      this.lastPrune = now;
      await this.repository.pruneSamples(this.options.sampleHours ?? 24);
    }
  }

  private async writeStatus(running: Running) {
    const status = running.runner.status();
    await this.repository.saveStatus({
      pathId: running.source.pathId,
      state: status.state,
      confirmedLsn: status.confirmedLsn,
      sourceLsn: status.sourceLsn,
      lagBytes: status.lagBytes,
      lagSeconds: status.lagSeconds,
      changesPerSecond: status.changesPerSecond,
      changesApplied: status.changesApplied,
      lastError: status.lastError?.message ?? null,
      lastErrorAt: status.lastError?.at ?? null,
      nextRetryAt: status.nextRetryAt,
      pausedReason: status.pausedReason,
      problems: status.problems,
      runner: this.runnerName,
    });
    return status;
  }

  /** The connection holding the sources' locks; losing it stops every runner (locks are gone). */
  private async lockConnection(): Promise<Client> {
    if (this.locks) return this.locks;
    const client = new Client({ connectionString: this.options.databaseUrl });
    client.on('error', (error) => {
      this.log(`cdc supervisor: lock connection lost (${error.message}); stopping the sources`);
      if (this.locks === client) this.locks = null;
      for (const id of [...this.running.keys()]) void this.release(id, 'lock connection lost');
    });
    await client.connect();
    this.locks = client;
    return client;
  }

  private async unlock(pathId: string) {
    await this.locks
      ?.query(`SELECT pg_advisory_unlock(hashtextextended('sextant.cdc.' || $1, 0))`, [pathId])
      .catch(() => undefined);
  }
}

function idleStatus(pathId: string, state: string, runner: string) {
  return {
    pathId,
    state,
    confirmedLsn: null,
    sourceLsn: null,
    lagBytes: null,
    lagSeconds: null,
    changesPerSecond: 0,
    changesApplied: 0,
    lastError: null,
    lastErrorAt: null,
    nextRetryAt: null,
    pausedReason: null,
    problems: [] as string[],
    runner,
  };
}

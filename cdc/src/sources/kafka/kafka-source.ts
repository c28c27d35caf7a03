import { Kafka, logLevel } from 'kafkajs';
import type { ApplyResult, PositionedMessage } from '../../appliers/change-applier';
import { KafkaBatchLike, KafkaDeadLetter, planKafkaBatch } from './kafka-batch';

/** What the source needs of `ChangeApplier`. */
export interface MessageApplier {
  applyMessages(messages: readonly PositionedMessage[]): Promise<ApplyResult>;
}

type CommitOffsets = {
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
};

/** kafkajs' `EachBatchPayload`, as far as the source uses it (a fake in tests). */
export interface KafkaBatchPayload {
  batch: KafkaBatchLike;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  commitOffsetsIfNecessary(offsets?: CommitOffsets): Promise<void>;
  /** Pauses fetching this topic partition; returns the function that resumes it. */
  pause(): () => void;
  isRunning(): boolean;
  isStale(): boolean;
}

/** A kafkajs consumer in a consumer group, as far as the source uses it (a fake in tests). */
export interface KafkaConsumerLike {
  connect(): Promise<void>;
  subscribe(subscription: { topics: (string | RegExp)[]; fromBeginning?: boolean }): Promise<void>;
  run(config: {
    autoCommit: false;
    eachBatchAutoResolve: false;
    eachBatch: (payload: KafkaBatchPayload) => Promise<void>;
  }): Promise<void>;
  stop(): Promise<void>;
  disconnect(): Promise<void>;
  /** Called when the consumer gives up; `restart` says whether kafkajs restarts it itself. */
  onCrash?(listener: (error: Error, restart: boolean) => void): void;
}

export type KafkaSourceState = 'idle' | 'connecting' | 'running' | 'paused' | 'stopped';

export interface KafkaSourceStatus {
  state: KafkaSourceState;
  lastError: { message: string; at: Date } | null;
  /** Messages behind the high watermark per `topic/partition`, after the last batch. */
  lag: Record<string, string>;
  /** Offset committed last per `topic/partition` (the next one to read). */
  committed: Record<string, string>;
  deadLetters: number;
}

export interface KafkaSourceOptions {
  applier: MessageApplier;
  topics: (string | RegExp)[];
  /** Read a topic from its start when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  /** Messages per applier transaction (default 1000). */
  maxBatchMessages?: number;
  /** Heartbeat while a long apply runs (default every 3 s; kafkajs throttles it further). */
  heartbeatIntervalMs?: number;
  /** Backoff after a failed apply or connection: doubles from `initialMs` up to `maxMs`. */
  backoff?: { initialMs?: number; maxMs?: number };
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads Debezium topics with a kafkajs consumer group and applies them with the change
 * applier. Offsets are committed only after the applier's transaction has committed; a failed
 * apply pauses the partition and retries it with backoff, from its last applied offset.
 */
export class KafkaSource {
  private readonly current: KafkaSourceStatus = {
    state: 'idle',
    lastError: null,
    lag: {},
    committed: {},
    deadLetters: 0,
  };
  private stopping = false;
  private applyFailures = 0;
  private readonly resumeTimers = new Set<NodeJS.Timeout>();
  private loop: Promise<void> | null = null;

  constructor(
    private readonly consumer: KafkaConsumerLike,
    private readonly options: KafkaSourceOptions,
  ) {
    consumer.onCrash?.((error, restart) => {
      this.fail(error);
      this.current.state = 'connecting';
      // kafkajs restarts on retriable errors itself; otherwise connect again with backoff.
      if (!restart && !this.stopping) this.loop = this.connectLoop();
    });
  }

  /** Connects, subscribes and runs; retries with backoff while the broker is unreachable. */
  start(): Promise<void> {
    this.stopping = false;
    this.loop = this.connectLoop();
    return this.loop;
  }

  /** Stops after the batch being applied (its offsets committed) and disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const timer of this.resumeTimers) clearTimeout(timer);
    this.resumeTimers.clear();
    await this.consumer.stop().catch(() => undefined);
    await this.consumer.disconnect().catch(() => undefined);
    this.current.state = 'stopped';
  }

  status(): KafkaSourceStatus {
    return {
      ...this.current,
      lag: { ...this.current.lag },
      committed: { ...this.current.committed },
    };
  }

  /** The `eachBatch` handler: apply chunk by chunk, then resolve and commit its offsets. */
  readonly eachBatch = async (payload: KafkaBatchPayload): Promise<void> => {
    const { batch } = payload;
    const stream = `${batch.topic}/${batch.partition}`;
    const chunks = planKafkaBatch(batch, { maxMessages: this.options.maxBatchMessages ?? 1000 });
    for (const chunk of chunks) {
      if (!payload.isRunning() || payload.isStale()) return;
      for (const letter of chunk.deadLetters) this.logDeadLetter(letter);
      try {
        await this.withHeartbeat(payload, () => this.options.applier.applyMessages(chunk.messages));
      } catch (error) {
        // Nothing of this chunk is resolved: after the backoff it is fetched again.
        this.pauseAfter(error, payload);
        return;
      }
      this.applyFailures = 0;
      this.current.state = 'running';
      this.current.deadLetters += chunk.deadLetters.length;
      payload.resolveOffset(chunk.lastOffset);
      // A re-delivered older range (the applier skipped it) must not move the group back.
      const committed = this.current.committed[stream];
      if (committed === undefined || BigInt(chunk.commitOffset) > BigInt(committed)) {
        await payload.commitOffsetsIfNecessary({
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: chunk.commitOffset }],
            },
          ],
        });
        this.current.committed[stream] = chunk.commitOffset;
      }
      if (chunk.lag !== null) this.current.lag[stream] = chunk.lag;
      await payload.heartbeat();
    }
  };

  private async connectLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      this.current.state = 'connecting';
      try {
        await this.consumer.connect();
        await this.consumer.subscribe({
          topics: this.options.topics,
          fromBeginning: this.options.fromBeginning ?? true,
        });
        await this.consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: this.eachBatch,
        });
        if (this.current.state === 'connecting') this.current.state = 'running';
        return;
      } catch (error) {
        failures += 1;
        this.fail(error);
        await this.consumer.disconnect().catch(() => undefined);
        if (this.stopping) return;
        await sleep(this.backoffMs(failures));
      }
    }
  }

  private async withHeartbeat<T>(payload: KafkaBatchPayload, work: () => Promise<T>): Promise<T> {
    // A long apply must not cost the group membership: heartbeat while it runs.
    const timer = setInterval(
      () => void payload.heartbeat().catch(() => undefined),
      this.options.heartbeatIntervalMs ?? 3000,
    );
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private pauseAfter(error: unknown, payload: KafkaBatchPayload) {
    this.applyFailures += 1;
    this.fail(error);
    this.current.state = 'paused';
    const resume = payload.pause();
    const delay = this.backoffMs(this.applyFailures);
    this.options.log?.(
      `cdc kafka: ${payload.batch.topic}/${payload.batch.partition} paused for ${delay} ms: ${this.current.lastError?.message}`,
    );
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      if (!this.stopping) resume();
    }, delay);
    this.resumeTimers.add(timer);
  }

  private backoffMs(failures: number): number {
    const initial = this.options.backoff?.initialMs ?? 1000;
    const max = this.options.backoff?.maxMs ?? 60_000;
    return Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
  }

  private fail(error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    this.current.lastError = { message, at: new Date() };
  }

  private logDeadLetter(letter: KafkaDeadLetter) {
    this.options.log?.(
      `cdc kafka: dead letter at ${letter.topic}/${letter.partition}@${letter.offset}: ${letter.reason}`,
    );
  }
}

export interface KafkaClientConfig {
  brokers: string[];
  clientId?: string;
}

/** A kafkajs client with Sextant's defaults (kafkajs' own log lines above warnings only). */
export function createKafka(config: KafkaClientConfig): Kafka {
  return new Kafka({
    clientId: config.clientId ?? 'sextant-cdc',
    brokers: config.brokers,
    logLevel: logLevel.WARN,
  });
}

/** A kafkajs consumer in group `groupId`, adapted to the source's consumer interface. */
export function createKafkaConsumer(kafka: Kafka, groupId: string): KafkaConsumerLike {
  const consumer = kafka.consumer({ groupId });
  return {
    connect: () => consumer.connect(),
    subscribe: (subscription) => consumer.subscribe(subscription),
    run: (config) => consumer.run(config),
    stop: () => consumer.stop(),
    disconnect: () => consumer.disconnect(),
    onCrash: (listener) => {
      consumer.on(consumer.events.CRASH, (event) =>
        listener(event.payload.error, event.payload.restart),
      );
    },
  };
}

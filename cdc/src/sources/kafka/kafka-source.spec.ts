import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { ApplyResult, PositionedMessage } from '../../appliers/change-applier';
import { formatPosition } from '../../position';
import { KafkaBatchLike, planKafkaBatch } from './kafka-batch';
import { KafkaBatchPayload, KafkaSource, MessageApplier } from './kafka-source';
import {
  debeziumBatch,
  debeziumDataDir,
  DebeziumFile,
  haveDebeziumData,
} from './kafka-test-events';

if (!haveDebeziumData)
  console.log(`skipping the Kafka source contract: ${debeziumDataDir} is absent`);

const topic = 'fullfillment.inventory.products';
const files: DebeziumFile[] = [
  'debezium-postgres-data-schema-exclude.txt',
  'debezium-postgres-data-schema-include.txt',
];

(!haveDebeziumData ? describe.skip : describe)(planKafkaBatch.name, () => {
  it.each(files)('turns the captured events of %s into applier input and offsets', (file) => {
    const batch = debeziumBatch(file, topic, 3, 100);
    const [chunk, ...rest] = planKafkaBatch(batch);
    expect(rest).toEqual([]);
    // every message goes to the applier, in offset order, bytes untouched
    expect(chunk.messages.map((m) => formatPosition(m.position))).toEqual(
      batch.messages.map((m) => `${topic}/3@${m.offset}`),
    );
    expect(chunk.messages.map((m) => m.value)).toEqual(batch.messages.map((m) => m.value));
    expect(chunk.messages.map((m) => m.key)).toEqual(batch.messages.map((m) => m.key));
    expect(chunk).toMatchObject({ changes: 16, tombstones: 1 });
    expect(chunk.deadLetters).toEqual([
      {
        topic,
        partition: 3,
        offset: '109',
        reason: expect.stringMatching(/^value is not JSON \(/),
      },
      {
        topic,
        partition: 3,
        offset: '112',
        reason: 'unknown op "x" (expected one of c, u, d, r, t)',
      },
    ]);
    // 19 messages at 100..118: commit the next one to read
    expect(chunk).toMatchObject({ lastOffset: '118', commitOffset: '119', lag: '0' });
  });

  it('cuts a batch into applier chunks, each with its own offset to commit', () => {
    const batch = debeziumBatch('debezium-postgres-data-schema-exclude.txt', topic, 0, 100);
    const chunks = planKafkaBatch(batch, { maxMessages: 8 });
    // 19 messages: 8 + 8 + 3; high watermark 119
    expect(
      chunks.map((c) => [
        c.messages.length,
        c.lastOffset,
        c.commitOffset,
        c.lag,
        c.deadLetters.length,
      ]),
    ).toEqual([
      [8, '107', '108', '11', 0],
      [8, '115', '116', '3', 2],
      [3, '118', '119', '0', 0],
    ]);
  });

  it('leaves the lag unknown without a high watermark, and plans nothing for an empty batch', () => {
    const batch = debeziumBatch('debezium-postgres-data-schema-exclude.txt', topic, 0, 0);
    expect(planKafkaBatch({ ...batch, highWatermark: undefined })[0].lag).toBeNull();
    expect(planKafkaBatch({ ...batch, messages: [] })).toEqual([]);
  });
});

type Call = [string, ...unknown[]];

/** A kafkajs eachBatch payload that records what the source does with it. */
function fakePayload(batch: KafkaBatchLike, calls: Call[], running = true): KafkaBatchPayload {
  return {
    batch,
    resolveOffset: (offset) => void calls.push(['resolve', offset]),
    heartbeat: () => Promise.resolve(),
    commitOffsetsIfNecessary: (offsets) => {
      const [{ partitions }] = offsets!.topics;
      calls.push(['commit', partitions[0].offset]);
      return Promise.resolve();
    },
    pause: () => {
      calls.push(['pause']);
      return () => void calls.push(['resume']);
    },
    isRunning: () => running,
    isStale: () => false,
  };
}

const applied = (n: number): ApplyResult => ({
  applied: n,
  skipped: 0,
  tombstones: 0,
  deadLetters: 0,
  movements: 0,
});

/** An applier that records its batches and fails the calls listed in `failing`. */
function fakeApplier(calls: Call[], failing: number[] = []): MessageApplier {
  let call = 0;
  return {
    applyMessages: (messages: readonly PositionedMessage[]) => {
      call += 1;
      const offsets = messages.map((m) => (m.position.kind === 'kafka' ? m.position.offset : -1n));
      calls.push(['apply', `${offsets[0]}..${offsets[offsets.length - 1]}`]);
      if (failing.includes(call)) {
        return Promise.reject(new Error('connection to the database lost'));
      }
      return Promise.resolve(applied(messages.length));
    },
  };
}

const noConsumer = {
  connect: () => Promise.resolve(),
  subscribe: () => Promise.resolve(),
  run: () => Promise.resolve(),
  stop: () => Promise.resolve(),
  disconnect: () => Promise.resolve(),
};

(!haveDebeziumData ? describe.skip : describe)(KafkaSource.name, () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('commits a chunk’s offsets only after the applier has applied it', async () => {
    const calls: Call[] = [];
    const source = new KafkaSource(noConsumer, {
      applier: fakeApplier(calls),
      topics: [topic],
      maxBatchMessages: 8,
    });
    const batch = debeziumBatch('debezium-postgres-data-schema-exclude.txt', topic, 0, 100);
    await source.eachBatch(fakePayload(batch, calls));
    expect(calls).toEqual([
      ['apply', '100..107'],
      ['resolve', '107'],
      ['commit', '108'],
      ['apply', '108..115'],
      ['resolve', '115'],
      ['commit', '116'],
      ['apply', '116..118'],
      ['resolve', '118'],
      ['commit', '119'],
    ]);
    expect(source.status()).toMatchObject({
      state: 'running',
      lastError: null,
      lag: { [`${topic}/0`]: '0' },
      committed: { [`${topic}/0`]: '119' },
      deadLetters: 2,
    });
  });

  it('pauses the partition on a database error, commits nothing more and resumes after a backoff', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    const calls: Call[] = [];
    const source = new KafkaSource(noConsumer, {
      applier: fakeApplier(calls, [2, 3]),
      topics: [topic],
      maxBatchMessages: 8,
      backoff: { initialMs: 1000, maxMs: 60_000 },
    });
    const batch = debeziumBatch('debezium-postgres-data-schema-exclude.txt', topic, 0, 100);
    await source.eachBatch(fakePayload(batch, calls));
    expect(calls).toEqual([
      ['apply', '100..107'],
      ['resolve', '107'],
      ['commit', '108'],
      ['apply', '108..115'],
      ['pause'],
    ]);
    expect(source.status()).toMatchObject({
      state: 'paused',
      lastError: { message: 'connection to the database lost' },
      committed: { [`${topic}/0`]: '108' },
    });
    await jest.advanceTimersByTimeAsync(999);
    expect(calls.at(-1)).toEqual(['pause']);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)).toEqual(['resume']);

    // kafkajs fetches again from the last resolved offset; the second failure waits twice as long
    calls.length = 0;
    const rest = { ...batch, messages: batch.messages.slice(8) };
    await source.eachBatch(fakePayload(rest, calls));
    expect(calls).toEqual([['apply', '108..115'], ['pause']]);
    await jest.advanceTimersByTimeAsync(1999);
    expect(calls.at(-1)).toEqual(['pause']);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.at(-1)).toEqual(['resume']);

    calls.length = 0;
    await source.eachBatch(fakePayload(rest, calls));
    expect(calls.map((c) => c[0])).toEqual([
      'apply',
      'resolve',
      'commit',
      'apply',
      'resolve',
      'commit',
    ]);
    expect(source.status()).toMatchObject({
      state: 'running',
      committed: { [`${topic}/0`]: '119' },
    });
  });

  it('applies nothing once the consumer is stopping', async () => {
    const calls: Call[] = [];
    const source = new KafkaSource(noConsumer, { applier: fakeApplier(calls), topics: [topic] });
    const batch = debeziumBatch('debezium-postgres-data-schema-exclude.txt', topic, 0, 100);
    await source.eachBatch(fakePayload(batch, calls, false));
    expect(calls).toEqual([]);
  });

  it('retries connecting with backoff while the broker is unreachable', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    let attempts = 0;
    const source = new KafkaSource(
      {
        ...noConsumer,
        connect: () => {
          attempts += 1;
          return attempts < 3
            ? Promise.reject(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'))
            : Promise.resolve();
        },
      },
      { applier: fakeApplier([]), topics: [topic], backoff: { initialMs: 100, maxMs: 1000 } },
    );
    const started = source.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(source.status()).toMatchObject({
      state: 'connecting',
      lastError: { message: expect.stringContaining('ECONNREFUSED') },
    });
    // backoff 100 ms, then 200 ms
    await jest.advanceTimersByTimeAsync(300);
    await started;
    expect(attempts).toBe(3);
    expect(source.status().state).toBe('running');
    await source.stop();
    expect(source.status().state).toBe('stopped');
  });
});

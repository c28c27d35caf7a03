import { randomBytes } from 'node:crypto';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangeApplier } from '../../appliers/change-applier';
import { decodeChangeMessage } from '../../envelope/debezium-codec';
import { kafkaPosition } from '../../position';
import { kafkaBrokers } from '@sextant/config';
import { KafkaPublisher, PublishableChange } from '../../sinks/kafka-publisher';
import { KafkaBatchLike } from './kafka-batch';
import {
  createKafka,
  createKafkaConsumer,
  KafkaBatchPayload,
  KafkaConsumerLike,
  KafkaSource,
} from './kafka-source';
import {
  debeziumBatch,
  debeziumDataDir,
  debeziumEvents,
  haveDebeziumData,
} from './kafka-test-events';

if (!haveDebeziumData) console.log(`skipping the Kafka source tests: ${debeziumDataDir} is absent`);
const brokers = kafkaBrokers(process.env);
if (!brokers) {
  console.log(
    'skipping the Kafka broker tests: KAFKA_BROKERS is not set (no broker on this machine)',
  );
}

const topic = 'fullfillment.inventory.products';

/** A consumer without a broker: the test delivers batches to the handler the source gave `run`. */
class FakeConsumer implements KafkaConsumerLike {
  eachBatch: ((payload: KafkaBatchPayload) => Promise<void>) | null = null;
  /** Committed offsets per `topic/partition`, as the group coordinator would hold them. */
  readonly committed = new Map<string, string>();

  connect = () => Promise.resolve();
  subscribe = () => Promise.resolve();
  run: KafkaConsumerLike['run'] = (config) => {
    this.eachBatch = config.eachBatch;
    return Promise.resolve();
  };
  stop = () => Promise.resolve();
  disconnect = () => Promise.resolve();

  /** Delivers a batch as kafkajs would, recording the offsets the source commits. */
  async deliver(batch: KafkaBatchLike): Promise<void> {
    await this.eachBatch!({
      batch,
      resolveOffset: () => undefined,
      heartbeat: () => Promise.resolve(),
      commitOffsetsIfNecessary: (offsets) => {
        for (const { topic: name, partitions } of offsets?.topics ?? []) {
          for (const { partition, offset } of partitions) {
            this.committed.set(`${name}/${partition}`, offset);
          }
        }
        return Promise.resolve();
      },
      pause: () => () => undefined,
      isRunning: () => true,
      isStale: () => false,
    });
  }
}

async function withNodes(pool: Pool) {
  const ids = { database: uuidv7(), lake: uuidv7() };
  await pool.query(
    `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
       ($1, 'database', $3, 'Shop database', '{}', now()), ($2, 'database', $4, 'Lake', '{}', now())`,
    [ids.database, ids.lake, `cdc.shop.${ids.database}`, `cdc.lake.${ids.lake}`],
  );
  return ids;
}

const products = async (pool: Pool, source: string) =>
  (
    await pool.query<{ id: number; name: string; description: string; weight: number }>(
      `SELECT id::int AS id, name, description, weight::float8 AS weight
         FROM "lake_${source}"."inventory.products" ORDER BY id`,
    )
  ).rows;

/** The state /work/shared/data/README.md documents after replaying the 16 events. */
function expectFinalState(rows: Awaited<ReturnType<typeof products>>) {
  expect(rows.map((r) => r.id)).toEqual([101, 102, 103, 104, 105, 106, 107, 108, 109, 110]);
  expect(rows.find((r) => r.id === 106)?.description).toBe('18oz carpenter hammer');
  expect(rows.find((r) => r.id === 107)?.weight).toBe(5.1);
  expect(rows.find((r) => r.id === 110)).toMatchObject({
    description: 'new water resistent white wind breaker',
    weight: 0.5,
  });
  expect(rows.find((r) => r.id === 111)).toBeUndefined();
}

(!haveDebeziumData ? describe.skip : describe)(KafkaSource.name, () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('cdc_kafka_source');
    pool = new Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  describe('through a fake consumer', () => {
    const consumer = new FakeConsumer();
    let source: KafkaSource;
    const snapshot = async () => ({
      products: await products(pool, 'fullfillment'),
      movements: (await pool.query(`SELECT external_id, quantity::text FROM movement ORDER BY 1`))
        .rows,
      deadLetters: (
        await pool.query(
          `SELECT topic, partition, "offset"::text AS "offset", reason FROM cdc_dead_letter ORDER BY "offset"`,
        )
      ).rows,
      positions: (await pool.query(`SELECT stream, position::text AS position FROM cdc_position`))
        .rows,
    });

    beforeAll(async () => {
      const ids = await withNodes(pool);
      const applier = new ChangeApplier(pool, {
        source: 'fullfillment',
        sourceNodeId: ids.database,
        destinationNodeId: ids.lake,
      });
      source = new KafkaSource(consumer, { applier, topics: [topic], maxBatchMessages: 8 });
      await source.start();
    });

    it('applies the captured events, dead-letters what does not decode and commits after apply', async () => {
      await consumer.deliver(debeziumBatch('debezium-postgres-data-schema-include.txt', topic));
      const state = await snapshot();
      expectFinalState(state.products);
      expect(state.deadLetters).toEqual([
        {
          topic,
          partition: 0,
          offset: '109',
          reason: expect.stringMatching(/^value is not JSON/),
        },
        {
          topic,
          partition: 0,
          offset: '112',
          reason: 'unknown op "x" (expected one of c, u, d, r, t)',
        },
      ]);
      // 19 messages at offsets 100..118
      expect(state.positions).toEqual([{ stream: `kafka:${topic}/0`, position: '118' }]);
      expect(consumer.committed.get(`${topic}/0`)).toBe('119');
      expect(source.status()).toMatchObject({ state: 'running', deadLetters: 2, lastError: null });
    });

    it('changes nothing when the same offsets are delivered again, bare or wrapped', async () => {
      const before = await snapshot();
      // as after a crash between the applier's commit and the offset commit
      await consumer.deliver(debeziumBatch('debezium-postgres-data-schema-exclude.txt', topic));
      const batch = debeziumBatch('debezium-postgres-data-schema-include.txt', topic);
      await consumer.deliver({ ...batch, messages: batch.messages.slice(5, 14) });
      expect(await snapshot()).toEqual(before);
      expect(consumer.committed.get(`${topic}/0`)).toBe('119');
    });
  });

  (!brokers ? describe.skip : describe)('through a Kafka broker', () => {
    const server = `sextant_cdc_${randomBytes(4).toString('hex')}`;
    const kafka = brokers ? createKafka({ brokers, clientId: 'sextant-cdc-test' }) : null;
    let source: KafkaSource | null = null;
    let publisher: KafkaPublisher | null = null;

    afterAll(async () => {
      await source?.stop();
      await publisher?.disconnect();
    });

    it('publishes the events to a fresh topic and consumes them into the mirror', async () => {
      const brokerTopic = `${server}.inventory.products`;
      const admin = kafka!.admin();
      await admin.connect();
      await admin.createTopics({
        topics: [{ topic: brokerTopic, numPartitions: 1 }],
        waitForLeaders: true,
      });
      await admin.disconnect();

      publisher = new KafkaPublisher(kafka!, { server, withSchema: true });
      const changes: PublishableChange[] = debeziumEvents(
        'debezium-postgres-data-schema-exclude.txt',
      ).map((value, offset) => {
        const decoded = decodeChangeMessage(value, kafkaPosition('file', 0, offset));
        if (decoded.kind !== 'change') throw new Error('the captured events have no tombstone');
        return { envelope: decoded.envelope };
      });
      await publisher.publish(changes);

      const ids = await withNodes(pool);
      const applier = new ChangeApplier(pool, {
        source: server,
        sourceNodeId: ids.database,
        destinationNodeId: ids.lake,
      });
      source = new KafkaSource(createKafkaConsumer(kafka!, `${server}_group`), {
        applier,
        topics: [brokerTopic],
      });
      await source.start();
      // 16 events and the tombstone after the delete: offsets 0..16, next to read 17
      const deadline = Date.now() + 45_000;
      while (source.status().committed[`${brokerTopic}/0`] !== '17') {
        if (Date.now() > deadline) {
          throw new Error(`not consumed in time: ${JSON.stringify(source.status())}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expectFinalState(await products(pool, server));
      expect(source.status()).toMatchObject({ state: 'running', deadLetters: 0 });
    });
  });
});

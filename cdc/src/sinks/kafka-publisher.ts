import { kafkaBrokers } from '@sextant/config';
import type { Kafka, Producer } from 'kafkajs';
import {
  ChangeEnvelope,
  ChangeRow,
  debeziumTopic,
  encodeChangeEnvelope,
  schemaOfValue,
} from '../envelope';
import { createKafka } from '../sources/kafka/kafka-source';

/** A change to publish: its envelope and, when known, the row key (else taken from the row). */
export interface PublishableChange {
  envelope: ChangeEnvelope;
  key?: ChangeRow | null;
}

export interface KafkaPublisherOptions {
  /** Debezium's logical server name, the topic prefix (`<server>.<schema>.<table>`). */
  server: string;
  /** Write `{schema, payload}` (Connect's `schemas.enable=true`) rather than bare JSON. */
  withSchema: boolean;
  /** Key columns per `schema.table`, for changes without a key; default `id`. */
  keys?: Readonly<Record<string, readonly string[]>>;
  /** Follow a delete with a tombstone (null value) as Debezium does (default true). */
  tombstonesOnDelete?: boolean;
}

export interface KafkaRecord {
  key: string | null;
  value: string | null;
}

/** Records per topic, in the order of the changes. */
export type KafkaTopicRecords = { topic: string; messages: KafkaRecord[] }[];

// BigInt has no JSON form; Debezium writes int64 as a JSON number.
const jsonReplacer = (_key: string, value: unknown) =>
  typeof value === 'bigint'
    ? Number.isSafeInteger(Number(value))
      ? Number(value)
      : value.toString()
    : value;

function rowKey(change: PublishableChange, options: KafkaPublisherOptions): ChangeRow | null {
  if (change.key) return change.key;
  const { envelope } = change;
  const row = envelope.after ?? envelope.before;
  // A truncate has no row, and Debezium sends it without a key.
  if (!row) return null;
  const columns = options.keys?.[`${envelope.source.schema}.${envelope.source.table}`] ?? ['id'];
  const key: ChangeRow = {};
  for (const column of columns) {
    if (!(column in row)) return null;
    key[column] = row[column];
  }
  return key;
}

function encodeKey(key: ChangeRow, topic: string, withSchema: boolean): string {
  if (!withSchema) return JSON.stringify(key, jsonReplacer);
  const schema = {
    ...schemaOfValue(key),
    optional: false,
    name: `${topic}.Key`,
  };
  return JSON.stringify({ schema, payload: key }, jsonReplacer);
}

/**
 * Turns changes into Kafka records under Debezium's topic names: key = the row key as JSON,
 * value = the envelope (bare or with its Connect schema), a delete followed by a tombstone.
 */
export function toKafkaRecords(
  changes: readonly PublishableChange[],
  options: KafkaPublisherOptions,
): KafkaTopicRecords {
  const byTopic = new Map<string, KafkaRecord[]>();
  for (const change of changes) {
    const { source } = change.envelope;
    const topic = debeziumTopic(options.server, source.schema, source.table);
    const key = rowKey(change, options);
    const encodedKey = key ? encodeKey(key, topic, options.withSchema) : null;
    const records = byTopic.get(topic) ?? [];
    byTopic.set(topic, records);
    records.push({
      key: encodedKey,
      value: encodeChangeEnvelope(change.envelope, {
        withSchema: options.withSchema,
        server: options.server,
      }),
    });
    if (change.envelope.op === 'd' && encodedKey && options.tombstonesOnDelete !== false) {
      records.push({ key: encodedKey, value: null });
    }
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/**
 * Publishes change envelopes to Kafka with an idempotent producer (acks from all in-sync
 * replicas, one request in flight so that retries keep the order of a row's changes).
 */
export class KafkaPublisher {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly options: KafkaPublisherOptions,
  ) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  /** Publishes the changes; resolves once the brokers have acknowledged all of them. */
  async publish(changes: readonly PublishableChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.connect();
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: toKafkaRecords(changes, this.options),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    await this.producer.disconnect();
    this.connected = false;
  }
}

/** The publisher when `KAFKA_BROKERS` is set, else null (the embedded path then publishes nothing). */
export function kafkaPublisherFromEnv(
  env: NodeJS.ProcessEnv,
  options: KafkaPublisherOptions,
): KafkaPublisher | null {
  const brokers = kafkaBrokers(env);
  if (!brokers) return null;
  return new KafkaPublisher(createKafka({ brokers, clientId: env.KAFKA_CLIENT_ID }), options);
}

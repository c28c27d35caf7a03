import { ConfigError } from '@sextant/config';
import { describe, expect, it } from '@jest/globals';
import { loadKafkaRunnerConfig } from './kafka-config';

const env = {
  KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092',
  CDC_KAFKA_TOPICS: 'dbserver1.inventory.customers, /^dbserver1\\.inventory\\..*/',
  CDC_SOURCE_NAME: 'inventory',
  DATABASE_URL: 'postgresql://sextant:sextant@127.0.0.1:5432/sextant',
  CDC_SOURCE_NODE_ID: '0190a1b2-0000-7000-8000-000000000001',
  CDC_DESTINATION_NODE_ID: '0190a1b2-0000-7000-8000-000000000002',
};

describe(loadKafkaRunnerConfig.name, () => {
  it('reads brokers, topic names and patterns, with the documented defaults', () => {
    const config = loadKafkaRunnerConfig(env);
    expect(config).toMatchObject({
      brokers: ['kafka-1:9092', 'kafka-2:9092'],
      groupId: 'sextant-cdc-inventory',
      fromBeginning: true,
      source: 'inventory',
      maxBatchMessages: 1000,
      pathId: null,
    });
    expect(config.topics[0]).toBe('dbserver1.inventory.customers');
    expect((config.topics[1] as RegExp).test('dbserver1.inventory.orders')).toBe(true);
  });

  it.each([
    [{ KAFKA_BROKERS: undefined }, 'invalid KAFKA_BROKERS: missing'],
    [{ KAFKA_BROKERS: 'kafka-1' }, 'invalid KAFKA_BROKERS: "kafka-1" is not host:port'],
    [{ CDC_KAFKA_TOPICS: '' }, 'invalid CDC_KAFKA_TOPICS: missing'],
    [
      { CDC_KAFKA_TOPICS: 'a topic' },
      'invalid CDC_KAFKA_TOPICS: "a topic" is not a Kafka topic name',
    ],
    [{ CDC_KAFKA_TOPICS: '/(/' }, 'invalid CDC_KAFKA_TOPICS: /(/'],
    [{ CDC_SOURCE_NAME: undefined }, 'invalid CDC_SOURCE_NAME: missing'],
    [{ CDC_SOURCE_NAME: 'Inventory' }, 'invalid CDC_SOURCE_NAME: "Inventory" must match'],
    [
      { CDC_KAFKA_FROM_BEGINNING: 'maybe' },
      'invalid CDC_KAFKA_FROM_BEGINNING: expected true or false',
    ],
    [{ CDC_SOURCE_NODE_ID: 'x' }, 'invalid CDC_SOURCE_NODE_ID: expected a UUID'],
  ])('refuses %o naming the variable', (change, message) => {
    const bad = { ...env, ...change };
    expect(() => loadKafkaRunnerConfig(bad)).toThrow(ConfigError);
    expect(() => loadKafkaRunnerConfig(bad)).toThrow(message);
  });
});

import { ConfigError, loadConfig, type SextantConfig } from '@sextant/config';
import { applierSettings, cdcName, required, type ApplierSettings } from './runner-config';

/** What one Kafka runner consumes and where it applies. */
export interface KafkaRunnerConfig extends ApplierSettings {
  /** KAFKA_BROKERS: `host:port,…` (required). */
  brokers: string[];
  /** CDC_KAFKA_TOPICS: topic names, or `/regular expressions/`, comma-separated (required). */
  topics: (string | RegExp)[];
  /** CDC_KAFKA_GROUP: the consumer group; default `sextant-cdc-<source>`. */
  groupId: string;
  /** CDC_KAFKA_FROM_BEGINNING: a new group reads topics from their start (default true). */
  fromBeginning: boolean;
  /** CDC_SOURCE_NAME (required): mirror schema `lake_<name>`. */
  source: string;
  /** CDC_MAX_BATCH_CHANGES: messages per applier transaction (default 1000). */
  maxBatchMessages: number;
}

function topics(list: (string | RegExp)[]): (string | RegExp)[] {
  if (list.length === 0) {
    throw new ConfigError(
      'CDC_KAFKA_TOPICS',
      'missing (topic names or /patterns/, comma-separated, e.g. dbserver1.inventory.customers)',
    );
  }
  for (const topic of list) {
    if (typeof topic === 'string' && !/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
      throw new ConfigError('CDC_KAFKA_TOPICS', `"${topic}" is not a Kafka topic name`);
    }
  }
  return list;
}

/** The Kafka runner's part of the configuration; a missing or bad setting is a ConfigError. */
export function kafkaRunnerConfig(config: SextantConfig): KafkaRunnerConfig {
  const runner = config.cdcRunner;
  const brokers = required(config.kafkaBrokers, 'KAFKA_BROKERS', 'host:port, comma-separated');
  const source = cdcName(
    'CDC_SOURCE_NAME',
    runner.sourceName ?? '',
    'names the mirror schema lake_<name>',
  );
  return {
    ...applierSettings(config),
    brokers,
    topics: topics(runner.kafkaTopics),
    groupId: runner.kafkaGroup ?? `sextant-cdc-${source}`,
    fromBeginning: runner.kafkaFromBeginning,
    source,
    maxBatchMessages: runner.maxBatchChanges,
  };
}

/** Reads the configuration (libs/config) and the Kafka runner's part of it. */
export function loadKafkaRunnerConfig(env: NodeJS.ProcessEnv = process.env): KafkaRunnerConfig {
  return kafkaRunnerConfig(loadConfig(env));
}

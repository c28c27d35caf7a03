import { ConfigError, kafkaBrokers } from '@sextant/config';
import { Env, integer, keys, postgresUrl, uuid } from './env-values';
import { cdcNamePattern } from '../appliers/identifiers';

/** What one Kafka runner consumes and where it applies, from the environment. */
export interface KafkaRunnerConfig {
  /** KAFKA_BROKERS: `host:port,…` (required). */
  brokers: string[];
  /** CDC_KAFKA_TOPICS: topic names, or `/regular expressions/`, comma-separated (required). */
  topics: (string | RegExp)[];
  /** CDC_KAFKA_GROUP: the consumer group; default `sextant-cdc-<source>`. */
  groupId: string;
  /** CDC_KAFKA_FROM_BEGINNING: a new group reads topics from their start (default true). */
  fromBeginning: boolean;
  /** DATABASE_URL: Sextant's database. */
  databaseUrl: string;
  /** CDC_SOURCE_NAME (required): mirror schema `lake_<name>`. */
  source: string;
  sourceNodeId: string;
  destinationNodeId: string;
  pathId: string | null;
  keys: Record<string, string[]>;
  /** CDC_MAX_BATCH_CHANGES: messages per applier transaction (default 1000). */
  maxBatchMessages: number;
  poolSize: number;
}

function topics(env: Env): (string | RegExp)[] {
  const list = (env.CDC_KAFKA_TOPICS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new ConfigError(
      'CDC_KAFKA_TOPICS',
      'missing (topic names or /patterns/, comma-separated, e.g. dbserver1.inventory.customers)',
    );
  }
  return list.map((topic) => {
    const pattern = /^\/(.+)\/$/.exec(topic);
    if (!pattern) {
      if (!/^[A-Za-z0-9._-]{1,249}$/.test(topic)) {
        throw new ConfigError('CDC_KAFKA_TOPICS', `"${topic}" is not a Kafka topic name`);
      }
      return topic;
    }
    try {
      return new RegExp(pattern[1]);
    } catch (error) {
      throw new ConfigError('CDC_KAFKA_TOPICS', `${topic}: ${(error as Error).message}`);
    }
  });
}

/** Reads and validates the Kafka runner's configuration; a bad variable is a ConfigError. */
export function loadKafkaRunnerConfig(env: Env = process.env): KafkaRunnerConfig {
  const brokers = kafkaBrokers(env);
  if (!brokers) throw new ConfigError('KAFKA_BROKERS', 'missing (host:port, comma-separated)');
  const source = env.CDC_SOURCE_NAME ?? '';
  if (!cdcNamePattern.test(source)) {
    throw new ConfigError(
      'CDC_SOURCE_NAME',
      source === ''
        ? 'missing (names the mirror schema lake_<name>)'
        : `"${source}" must match [a-z0-9_]{1,63}`,
    );
  }
  const sourceNodeId = uuid(env, 'CDC_SOURCE_NODE_ID', true);
  const destinationNodeId = uuid(env, 'CDC_DESTINATION_NODE_ID', true);
  if (sourceNodeId === destinationNodeId) {
    throw new ConfigError('CDC_DESTINATION_NODE_ID', 'is the same node as CDC_SOURCE_NODE_ID');
  }
  const fromBeginning = (env.CDC_KAFKA_FROM_BEGINNING ?? 'true').toLowerCase();
  if (!['true', 'false'].includes(fromBeginning)) {
    throw new ConfigError(
      'CDC_KAFKA_FROM_BEGINNING',
      `expected true or false, got "${env.CDC_KAFKA_FROM_BEGINNING}"`,
    );
  }
  return {
    brokers,
    topics: topics(env),
    groupId: env.CDC_KAFKA_GROUP || `sextant-cdc-${source}`,
    fromBeginning: fromBeginning === 'true',
    databaseUrl: postgresUrl(env, 'DATABASE_URL'),
    source,
    sourceNodeId,
    destinationNodeId,
    pathId: uuid(env, 'CDC_PATH_ID', false),
    keys: keys(env),
    maxBatchMessages: integer(env, 'CDC_MAX_BATCH_CHANGES', 1000, 1, 100_000),
    poolSize: integer(env, 'CDC_POOL_SIZE', 2, 1, 100),
  };
}

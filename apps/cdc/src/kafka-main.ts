// Runs one Kafka source as configured (libs/config; see kafka-config.ts and cdc/README.md): a
// consumer group reading Debezium topics into the mirror and movements. Prints
// `cdc kafka ready` once started, a status line every 30 s; SIGTERM/SIGINT let the batch being
// applied commit its offsets, then exit 0; bad configuration exits 1 with the reason.
import {
  ChangeApplier,
  createKafka,
  createKafkaConsumer,
  KafkaSource,
  lakeSchemaName,
} from '@sextant/cdc';
import { ConfigError } from '@sextant/config';
import { KafkaRunnerConfig, loadKafkaRunnerConfig } from './kafka-config';
import { openRunnerPool } from './nodes.repository';

const fail = (message: string): never => {
  console.error(`cdc kafka: ${message}`);
  process.exit(1);
};

async function main(): Promise<void> {
  let config: KafkaRunnerConfig;
  try {
    config = loadKafkaRunnerConfig();
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  const pool = await openRunnerPool(config, 'cdc kafka');
  const applier = new ChangeApplier(pool, {
    source: config.source,
    sourceNodeId: config.sourceNodeId,
    destinationNodeId: config.destinationNodeId,
    pathId: config.pathId,
    keys: config.keys,
  });
  const consumer = createKafkaConsumer(createKafka({ brokers: config.brokers }), config.groupId);
  const source = new KafkaSource(consumer, {
    applier,
    topics: config.topics,
    fromBeginning: config.fromBeginning,
    maxBatchMessages: config.maxBatchMessages,
    log: (line) => console.log(`cdc kafka: ${line}`),
  });
  const report = setInterval(() => {
    const status = source.status();
    console.log(
      `cdc kafka: ${status.state}, lag ${JSON.stringify(status.lag)}, dead letters ${status.deadLetters}${status.lastError ? `, last error: ${status.lastError.message}` : ''}`,
    );
  }, 30_000);
  report.unref();

  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      console.log(`cdc kafka stopping (${signal})`);
      clearInterval(report);
      await source.stop();
      await pool.end();
      console.log('cdc kafka stopped');
      process.exit(0);
    })();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // Retries with backoff while the brokers cannot be reached; resolves once consuming.
  void source.start();
  console.log(
    `cdc kafka ready: group ${config.groupId}, topics ${config.topics.map(String).join(', ')} into ${lakeSchemaName(config.source)}`,
  );
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});

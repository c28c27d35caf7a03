// Runs one pgoutput reader as configured (libs/config; see cdc-config.ts and cdc/README.md):
// prints `cdc ready` once streaming; SIGTERM/SIGINT let the applier finish, confirm and exit 0;
// bad configuration or a source that cannot be read exits 1 with the reason on stderr.
import { CdcSourceError, formatLsn, lakeSchemaName, PgoutputReader } from '@sextant/cdc';
import { ConfigError } from '@sextant/config';
import { CdcRunnerConfig, loadCdcConfig } from './cdc-config';
import { openRunnerPool } from './nodes.repository';

const fail = (message: string): never => {
  console.error(`cdc: ${message}`);
  process.exit(1);
};

async function main(): Promise<void> {
  let config: CdcRunnerConfig;
  try {
    config = loadCdcConfig();
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }

  const pool = await openRunnerPool(config, 'cdc');

  const reader = new PgoutputReader(pool, {
    sourceUrl: config.sourceUrl,
    slot: config.slot,
    publication: config.publication,
    tables: config.tables,
    applier: {
      source: config.source,
      sourceNodeId: config.sourceNodeId,
      destinationNodeId: config.destinationNodeId,
      pathId: config.pathId,
      keys: config.keys,
    },
    maxBatchChanges: config.maxBatchChanges,
    statusIntervalMs: config.statusIntervalMs,
    // Nothing past the last applied batch was confirmed: a supervisor's restart resumes there.
    onError: (error) => {
      console.error(`cdc: reading stopped: ${error.message}`);
      void pool.end().finally(() => process.exit(1));
    },
  });

  let started = false;
  let pendingSignal: NodeJS.Signals | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      console.log(`cdc stopping (${signal}): applying what was received`);
      await reader.stop();
      await pool.end();
      console.log(`cdc stopped, confirmed ${formatLsn(reader.confirmedLsn)}`);
      process.exit(reader.error ? 1 : 0);
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // During start-up the snapshot is one transaction; stop once it is in (or rolled back).
    if (started) void stop(signal);
    else console.log(`cdc: ${signal} received, stopping after start-up`);
    pendingSignal ??= signal;
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  try {
    await reader.start();
  } catch (error) {
    await pool.end().catch(() => undefined);
    if (error instanceof CdcSourceError) return fail(error.message);
    throw error;
  }
  started = true;
  if (pendingSignal) {
    await stop(pendingSignal);
    return;
  }
  // The launcher and the tests wait for this line.
  console.log(
    `cdc ready: slot ${config.slot}, publication ${config.publication}, tables ${config.tables.join(', ')} into ${lakeSchemaName(config.source)}`,
  );
}

main().catch((error: unknown) => {
  fail(error instanceof Error ? error.message : String(error));
});

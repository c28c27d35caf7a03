import { loadConfig } from '@sextant/config';
import { IngestWriter, PathDirectory } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';
import { createHttpServer } from './http/server';
import { PathStats } from './stats';

const version = '0.1.0';

/**
 * The ingest gateway: InfluxDB-compatible HTTP writes (and, as they land, the other
 * protocols), authenticated per path, stored in the time-series store, accounted as movements.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = process.env.DATABASE_URL || config.databaseUrl;
  if (!databaseUrl) throw new Error('DATABASE_URL is not set (npm start sets it)');
  const pool = new Pool({ connectionString: databaseUrl, max: config.ingest.poolSize });
  pool.on('error', (error) => console.error(`ingest: database connection error: ${error.message}`));
  const store = new TimeSeriesStore(pool);
  const stats = new PathStats();
  const writer = new IngestWriter(store);
  const http = createHttpServer({
    directory: new PathDirectory(pool),
    writer,
    stats,
    maxBodyBytes: config.ingest.maxBodyBytes,
    maxLineBytes: config.ingest.maxLineBytes,
    maxInFlight: config.ingest.maxInFlight,
    requestTimeoutSeconds: config.ingest.requestTimeoutSeconds,
    version,
    health: async () => (await pool.query('SELECT 1')).rowCount === 1,
    log: (line) => console.error(line),
  });
  http.get('/stats', async () => ({ paths: stats.snapshot() }));
  await http.listen({ port: config.ingest.httpPort, host: config.ingest.host });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`ingest: ${signal}, finishing writes in progress`);
    await http.close();
    await writer.drain();
    await pool.end();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // The launcher waits for this line.
  console.log(
    `ingest ready: line protocol on http://${config.ingest.host}:${config.ingest.httpPort}/write`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

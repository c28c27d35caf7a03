import { IngestStage, Settler } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';
import { parentPort, workerData } from 'node:worker_threads';

/** What the gateway hands its settling thread. */
export interface SettleThreadData {
  databaseUrl: string;
  intervalMs: number;
}

// Settling staged commits decodes and re-encodes every point: in a thread of its own it uses
// the second core instead of holding up the protocol servers. 'stop' settles what is left,
// then answers 'stopped'.
const { databaseUrl, intervalMs } = workerData as SettleThreadData;
const pool = new Pool({ connectionString: databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`ingest settler: database error: ${error.message}`));
const settler = new Settler(new IngestStage(pool, new TimeSeriesStore(pool)), intervalMs, (line) =>
  console.error(line),
);
settler.start();
parentPort!.on('message', (message: unknown) => {
  if (message !== 'stop') return;
  void settler
    .stop()
    .then(() => pool.end())
    .finally(() => parentPort!.postMessage('stopped'));
});

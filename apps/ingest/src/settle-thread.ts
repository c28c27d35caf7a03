import { IngestStage, Settler } from '@sextant/ingest';
import { TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';
import { parentPort, workerData } from 'node:worker_threads';

/** A row the gateway's writer staged, handed over (its bytes transferred, not copied). */
export interface StagedMessage {
  seq: string;
  data: Uint8Array;
}

function isStaged(message: unknown): message is StagedMessage {
  return typeof message === 'object' && message !== null && 'seq' in message && 'data' in message;
}

/** What the settling thread tells the gateway: rows it settled. */
export interface SettledMessage {
  settled: string[];
}

/** What the gateway hands its settling thread. */
export interface SettleThreadData {
  databaseUrl: string;
  intervalMs: number;
}

// Settling staged commits decodes and re-encodes every point: in a thread of its own it uses
// the second core instead of holding up the protocol servers. The gateway hands over the data
// of each row it stages, so that settling reads back only rows staged elsewhere. 'stop'
// settles what is left, then answers 'stopped'.
const { databaseUrl, intervalMs } = workerData as SettleThreadData;
const pool = new Pool({ connectionString: databaseUrl, max: 2 });
pool.on('error', (error) => console.error(`ingest settler: database error: ${error.message}`));
// The gateway counts what it staged and not yet settled (its writer slows down past a limit).
const stage = new IngestStage(pool, new TimeSeriesStore(pool), {
  onSettled: (seqs) => parentPort!.postMessage({ settled: seqs } satisfies SettledMessage),
});
const settler = new Settler(stage, intervalMs, (line) => console.error(line));
settler.start();
parentPort!.on('message', (message: unknown) => {
  if (isStaged(message)) {
    const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.length);
    settler.nudge(stage.hold(message.seq, data));
    return;
  }
  if (message !== 'stop') return;
  void settler
    .stop()
    .then(() => pool.end())
    .finally(() => parentPort!.postMessage('stopped'));
});

// A writer process for the crash-safety test: writes numbered batches through the store one
// after another and prints `ack <n>` once each write has resolved (committed). The test kills
// it with SIGKILL part-way. Usage: node crash-writer.js <databaseUrl> <firstBatch> <lastBatch>
import { Pool } from 'pg';
import { TimeSeriesStore } from '../store';
import type { ColumnBatch } from '../store';

export const crashSeries = 20;
export const crashPointsPerSeries = 500;
const second = 1_000_000_000n;
const t0 = 1_795_219_200n * second;

/** Batch n: every series gets the points of its own time window, values derived from n. */
export function crashBatch(n: number): ColumnBatch[] {
  return Array.from({ length: crashSeries }, (_, s) => {
    const times = new BigInt64Array(crashPointsPerSeries);
    const values = new Float64Array(crashPointsPerSeries);
    for (let i = 0; i < crashPointsPerSeries; i++) {
      times[i] = crashWindow(n).from + BigInt(i) * second;
      values[i] = Math.round((n * 1000 + s * 10 + (i % 10)) * 10) / 10 + 0.5;
    }
    return {
      measurement: 'crash',
      tags: { unit: `u${s}` },
      field: 'v',
      type: 'float',
      times,
      values,
    };
  });
}

/** The time window of batch n, [from, to). */
export function crashWindow(n: number): { from: bigint; to: bigint } {
  const from = t0 + BigInt(n * crashPointsPerSeries) * second;
  return { from, to: from + BigInt(crashPointsPerSeries) * second };
}

async function main(): Promise<void> {
  const [url, first, last] = process.argv.slice(2);
  const pool = new Pool({ connectionString: url, max: 2 });
  const store = new TimeSeriesStore(pool);
  for (let n = Number(first); n <= Number(last); n++) {
    await store.writeColumns(crashBatch(n));
    process.stdout.write(`ack ${n}\n`);
  }
  await pool.end();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compact } from './upkeep';
import { TimeSeriesQueries } from './queries';
import { TimeSeriesStore } from './store';
import { crashBatch, crashPointsPerSeries, crashSeries, crashWindow } from './testing/crash-writer';

const root = path.resolve(__dirname, '../../..');
const writer = path.join(root, 'dist/libs/timeseries/src/testing/crash-writer.js');
const perBatch = crashSeries * crashPointsPerSeries;

/** Runs the writer until `acks` batches are acknowledged, then SIGKILLs it mid-stream. */
function writeAndKill(url: string, acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, url, '0', '100000'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last = -1;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /^ack (\d+)$/.exec(line);
      if (!match) return;
      last = Number(match[1]);
      // Kill a little after an acknowledgement, while the next batch is on its way.
      if (last === acks - 1) setTimeout(() => child.kill('SIGKILL'), 3);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`writer exited with ${code ?? signal} before it was killed`));
    });
  });
}

describe('crash safety of writes', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    // The writer runs from the server build, as the apps do.
    execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { cwd: root });
    db = await createTestDatabase('crash');
    pool = new Pool({ connectionString: db.url, max: 4 });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** Points stored for batch n, over all its series, as queries see them. */
  async function pointsOf(queries: TimeSeriesQueries, n: number): Promise<number> {
    const { from, to } = crashWindow(n);
    const result = await queries.aggregate({
      measurement: 'crash',
      from,
      to,
      every: to - from,
      aggregates: ['count'],
    });
    return result.groups.reduce((sum, g) => sum + (g.buckets[0]?.values.count ?? 0), 0);
  }

  it('keeps every acknowledged batch whole, shows no half batch, and retries without duplicates', async () => {
    const lastAck = await writeAndKill(db.url, 25);
    expect(lastAck).toBeGreaterThanOrEqual(24);
    const store = new TimeSeriesStore(pool);
    const queries = new TimeSeriesQueries(store);

    for (let n = 0; n <= lastAck; n++) expect(await pointsOf(queries, n)).toBe(perBatch);
    // The batch in flight at the kill either committed whole or left nothing.
    const inFlight = await pointsOf(queries, lastAck + 1);
    expect([0, perBatch]).toContain(inFlight);
    for (let n = lastAck + 2; n <= lastAck + 4; n++) expect(await pointsOf(queries, n)).toBe(0);

    // The client retries what it did not see acknowledged.
    for (let n = lastAck + 1; n <= lastAck + 4; n++) await store.writeColumns(crashBatch(n));
    for (let n = 0; n <= lastAck + 4; n++) expect(await pointsOf(queries, n)).toBe(perBatch);
    // Values are those written, and compaction leaves one point per timestamp.
    await compact(store, pool);
    const { rows } = await pool.query<{ points: string }>(
      `SELECT sum(count)::text AS points FROM chunk c JOIN series s ON s.id = c.series_id WHERE s.measurement = 'crash'`,
    );
    expect(Number(rows[0].points)).toBe((lastAck + 5) * perBatch);
    const [series] = await queries.findSeries({ measurement: 'crash', tags: { unit: 'u3' } });
    const { from, to } = crashWindow(lastAck + 1);
    const raw = await queries.raw(series.id, { from, to, limit: 10, order: 'asc' });
    expect(raw.points.values).toEqual(Array.from(crashBatch(lastAck + 1)[3].values).slice(0, 10));
  });
});

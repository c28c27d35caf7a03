import { InfluxDB, setLogger } from '@influxdata/influxdb-client';
import { freePort } from '@sextant/db';
import { flushTallies } from '@sextant/ingest';
import type { ManagedProcess } from '@sextant/stack';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage, inject } from '@sextant/testing';
import { api } from '../support/http';
import { pathWithToken, startGateway } from '../support/ingest';

const s = 1_000_000_000n;
const clients = 3;
const batches = 40;
const linesPerBatch = 500;

describe('ingest gateway killed under load', () => {
  let pool: Pool;
  let gateway: ManagedProcess | null = null;
  beforeAll(() => {
    pool = new Pool({ connectionString: inject('databaseUrl'), max: 2 });
  });
  afterAll(async () => {
    gateway?.child.kill('SIGKILL');
    await pool.end();
  });

  it.each([
    ['storing commits as chunks', { INGEST_STAGE_MIN_POINTS: '0' }],
    ['staging every commit', { INGEST_STAGE_MIN_POINTS: '1', INGEST_SETTLE_INTERVAL_MS: '100' }],
  ])(
    '%s, stores every acknowledged point exactly once after kill -9 and restart, and accounts each once',
    async (_, settings) => {
      const port = await freePort();
      const env = { ...settings, INGEST_HTTP_PORT: String(port) };
      gateway = (await startGateway(env)).process;
      const { token, pathId, measurement } = await pathWithToken();
      let acknowledged = 0;
      let failures = 0;
      // The client logs every failed attempt; the count below is what matters.
      setLogger({ error: () => undefined, warn: () => undefined });
      const total = clients * batches * linesPerBatch;

      // Real InfluxDB 2 clients, retrying on refused and reset connections.
      const writers = Array.from({ length: clients }, () =>
        new InfluxDB({ url: `http://127.0.0.1:${port}`, token: token.token }).getWriteApi(
          'acme',
          'lake',
          'ns',
          {
            batchSize: linesPerBatch + 1,
            flushInterval: 0,
            maxRetries: 30,
            minRetryDelay: 100,
            maxRetryDelay: 500,
            retryJitter: 50,
            maxRetryTime: 60_000,
            gzipThreshold: 1 << 30,
            writeFailed: () => {
              failures++;
            },
            writeSuccess: (lines) => {
              acknowledged += lines.length;
            },
          },
        ),
      );
      const send = writers.map(async (writer, c) => {
        for (let b = 0; b < batches; b++) {
          const lines = Array.from({ length: linesPerBatch }, (_, i) => {
            const k = b * linesPerBatch + i;
            return `${measurement},client=c${c} v=${k}.5 ${BigInt(k) * s}`;
          });
          writer.writeRecords(lines);
          // A failed flush leaves the batch in the client's retry buffer, sent again later.
          await writer.flush().catch(() => undefined);
        }
      });

      // Kill -9 twice in the middle of the stream, restarting after a pause.
      const crashes = (async () => {
        for (const at of [0.3, 0.6]) {
          while (acknowledged < total * at) await new Promise((r) => setTimeout(r, 5));
          gateway!.child.kill('SIGKILL');
          await gateway!.exited;
          await new Promise((r) => setTimeout(r, 300));
          gateway = (await startGateway(env)).process;
        }
      })();
      // How many staged commits were ever seen waiting to be settled.
      let staged = 0;
      let sending = true;
      const sampler = (async () => {
        while (sending) {
          const { rows } = await pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM ingest_stage',
          );
          staged = Math.max(staged, rows[0].n);
          await new Promise((r) => setTimeout(r, 10));
        }
      })();
      await Promise.all([...send, crashes]);
      sending = false;
      await sampler;
      if (settings.INGEST_STAGE_MIN_POINTS === '1') expect(staged).toBeGreaterThan(0);
      else expect(staged).toBe(0);
      // Let the clients' retries finish.
      for (let waited = 0; acknowledged < total && waited < 60_000; waited += 50)
        await new Promise((r) => setTimeout(r, 50));
      await Promise.all(writers.map((w) => w.close()));

      expect(acknowledged).toBe(total);
      // Staged commits are durable when answered and visible once settled.
      let unsettled = -1;
      for (let waited = 0; waited < 30_000 && unsettled !== 0; waited += 50) {
        const { rows } = await pool.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM ingest_stage',
        );
        unsettled = rows[0].n;
        if (unsettled) await new Promise((r) => setTimeout(r, 50));
      }
      expectWithMessage(unsettled, 'staged commits still waiting after 30 s').toBe(0);
      // The kills landed while clients were writing: some writes failed and were retried.
      expect(failures).toBeGreaterThan(0);

      const series = await api<{ items: { id: string; tags: { client: string } }[] }>(
        'GET',
        `/api/series?measurement=${measurement}`,
      );
      expect(series.body.items).toHaveLength(clients);
      for (const item of series.body.items) {
        const points = await api<{ points: { time: string; value: number }[] }>(
          'GET',
          `/api/series/${item.id}/points?from=1970-01-01T00:00:00Z&to=1970-02-01T00:00:00Z&limit=100000`,
        );
        // Each point once, with the value sent for its timestamp.
        expect(points.body.points).toHaveLength(batches * linesPerBatch);
        points.body.points.forEach((p, k) => {
          expect(Date.parse(p.time)).toBe(k * 1000);
          expect(p.value).toBe(k + 0.5);
        });
      }

      await flushTallies(pool, { all: true });
      const movements = await api<{ items: { quantity: string }[] }>(
        'GET',
        `/api/movements?pathId=${pathId}&limit=500`,
      );
      expect(movements.body.items.reduce((n, m) => n + Number(m.quantity), 0)).toBe(total);
    },
  );
});

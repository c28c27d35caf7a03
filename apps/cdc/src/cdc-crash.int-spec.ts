import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { RunningPostgres, startEmbeddedPostgres } from '@sextant/db';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool, PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

const root = path.resolve(__dirname, '../../..');
const entry = path.join(root, 'dist/apps/cdc/src/cdc-main.js');

// Changes streamed after the snapshot: 3 writers' transactions plus the final marker update.
const streamedChanges = 100_000;
const seedRows = 2_000;
const writers = 3;
// Transaction sizes, drawn uniformly: single changes up to a few thousand.
const transactionSizes = [1, 1, 2, 5, 10, 25, 100, 250, 1000, 3000];

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A small seeded PRNG, so a failing run can be repeated. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Runner {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startRunner(env: Record<string, string>): Runner {
  const child = spawn(process.execPath, [entry], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => output.push(line));
  createInterface({ input: child.stderr! }).on('line', (line) => output.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

async function waitForReady(runner: Runner, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!runner.output.some((l) => l.startsWith('cdc ready'))) {
    if (runner.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`the runner is not ready:\n${runner.output.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const insertRows = `
  INSERT INTO orders (id, customer_id, sku, status, quantity, amount, discount, paid, attrs, note,
                      created_at, updated_at)
  SELECT id, (id % 9973)::int, 'SKU-' || (id % 5000), 'new', 1 + (id % 7)::int,
         round((id % 100000) / 7.0, 2), (id % 13) / 100.0, false,
         jsonb_build_object('channel', 'web', 'lines', id % 5, 'tags', jsonb_build_array('a', id % 3)),
         CASE WHEN id % 4 = 0 THEN NULL ELSE 'gift wrap' END, clock_timestamp(), NULL
    FROM unnest($1::bigint[]) AS id`;
const updateRows = `
  UPDATE orders SET status = (ARRAY['paid', 'packed', 'shipped', 'returned'])[1 + (quantity + $2) % 4],
         quantity = quantity + 1, amount = amount + 1.25, paid = NOT paid,
         attrs = attrs || jsonb_build_object('rev', $2::int), updated_at = clock_timestamp()
   WHERE id = ANY($1::bigint[])`;
const deleteRows = `DELETE FROM orders WHERE id = ANY($1::bigint[])`;

describe('cdc runner', () => {
  let tempDir: string;
  let server: RunningPostgres;
  let source: Pool;
  let db: TestDatabase;
  let pool: Pool;
  let runner: Runner | null = null;
  const ids = { database: uuidv7(), lake: uuidv7() };
  let env: Record<string, string>;

  beforeAll(async () => {
    // The runner runs from the server build, as it would in production.
    execFileSync(process.execPath, [path.join(root, 'scripts/build-server.mjs')], { cwd: root });
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-cdc-crash-'));
    server = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port: 0,
      database: 'shop',
    });
    source = new Pool({
      connectionString: server.url,
      max: writers + 2,
      options: '-c TimeZone=UTC',
    });
    await source.query(`
      CREATE TABLE orders (
        id bigint PRIMARY KEY, customer_id int NOT NULL, sku text NOT NULL, status text NOT NULL,
        quantity int NOT NULL, amount numeric(12, 2), discount double precision, paid boolean NOT NULL,
        attrs jsonb, note text, created_at timestamptz NOT NULL, updated_at timestamptz)`);
    await source.query(insertRows, [Array.from({ length: seedRows }, (_, i) => i + 1)]);

    db = await createTestDatabase('cdc_crash');
    pool = new Pool({ connectionString: db.url, max: 4, options: '-c TimeZone=UTC' });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'cdc.shop', 'Shop', '{}', now()), ($2, 'database', 'cdc.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
    env = {
      CDC_SOURCE_URL: server.url,
      DATABASE_URL: db.url,
      CDC_SOURCE_NAME: 'shop',
      CDC_TABLES: 'public.orders',
      CDC_SOURCE_NODE_ID: ids.database,
      CDC_DESTINATION_NODE_ID: ids.lake,
      CDC_STATUS_INTERVAL_MS: '1000',
    };
  });

  afterAll(async () => {
    if (runner && runner.child.exitCode === null && runner.child.signalCode === null) {
      runner.child.kill('SIGKILL');
      await runner.exited;
    }
    await source?.end();
    await pool?.end();
    await db?.drop();
    await server?.stop();
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });

  it.each([
    ['CDC_TABLES', { CDC_TABLES: '' }, /invalid CDC_TABLES: missing/],
    ['CDC_SOURCE_URL', { CDC_SOURCE_URL: 'mysql://x/y' }, /invalid CDC_SOURCE_URL: expected/],
    ['CDC_SLOT', { CDC_SLOT: 'Bad-Slot' }, /invalid CDC_SLOT: "Bad-Slot" must match/],
    [
      'an unknown node',
      { CDC_SOURCE_NODE_ID: uuidv7() },
      /no node [0-9a-f-]+ in Sextant's database/,
    ],
  ])('exits 1 naming the problem with bad %s', async (_what, override, message) => {
    const bad = startRunner({ ...env, ...override });
    const { code } = await bad.exited;
    expect(code).toBe(1);
    expect(bad.output.join('\n')).toMatch(message);
  });

  const quantity = async () => {
    const { rows } = await pool.query<{ sum: string | null }>(
      `SELECT sum(quantity)::text AS sum FROM movement WHERE origin = 'cdc'`,
    );
    return Number(rows[0].sum ?? 0);
  };

  it('neither loses nor doubles a change when killed mid-stream and restarted', async () => {
    runner = startRunner(env);
    await waitForReady(runner);
    const state = { reserved: 0, made: 0 };
    const budget = streamedChanges - 1;

    // Each writer inserts, updates and deletes its own rows, in transactions of random sizes.
    const write = async (w: number) => {
      const next = random(w + 1);
      const live: number[] = [];
      let nextId = (w + 1) * 1_000_000_000;
      const client: PoolClient = await source.connect();
      try {
        while (state.reserved < budget) {
          const size = Math.min(
            transactionSizes[Math.floor(next() * transactionSizes.length)],
            budget - state.reserved,
          );
          state.reserved += size;
          await client.query('BEGIN');
          for (let left = size; left > 0;) {
            const n = Math.min(left, 1 + Math.floor(next() * 200));
            const r = next();
            const pick = () => {
              const start = Math.floor(next() * (live.length - n + 1));
              return { start, ids: live.slice(start, start + n) };
            };
            let changed: number;
            if (r < 0.5 || live.length < n) {
              const fresh = Array.from({ length: n }, () => nextId++);
              changed = (await client.query(insertRows, [fresh])).rowCount!;
              live.push(...fresh);
            } else if (r < 0.85) {
              changed = (await client.query(updateRows, [pick().ids, Math.floor(next() * 1000)]))
                .rowCount!;
            } else {
              const { start, ids: gone } = pick();
              changed = (await client.query(deleteRows, [gone])).rowCount!;
              live.splice(start, n);
            }
            expect(changed).toBe(n);
            left -= n;
          }
          await client.query('COMMIT');
          state.made += size;
        }
      } finally {
        client.release();
      }
    };
    const writing = Promise.all(Array.from({ length: writers }, (_, w) => write(w)));

    // Kill while the writers write and the runner applies.
    await until('a third of the changes are made and some applied', async () => {
      return state.made >= streamedChanges / 3 && (await quantity()) > seedRows;
    });
    runner.child.kill('SIGKILL');
    expect((await runner.exited).signal).toBe('SIGKILL');
    const appliedAtKill = await quantity();
    await until('more changes are made while it is down', async () => state.made >= 0.6 * budget);

    runner = startRunner(env);
    await waitForReady(runner);
    await writing;

    // The last change, made when the writers are done: once it is applied, all are.
    const marker = await source.connect();
    let xid: string;
    try {
      await marker.query('BEGIN');
      const { rowCount } = await marker.query(
        `UPDATE orders SET note = 'last' WHERE id = (SELECT min(id) FROM orders)`,
      );
      expect(rowCount).toBe(1);
      xid = (
        await marker.query<{ xid: string }>(`SELECT (txid_current() % 4294967296)::text AS xid`)
      ).rows[0].xid;
      await marker.query('COMMIT');
    } finally {
      marker.release();
    }
    await until('the last change is applied', async () => {
      const { rowCount } = await pool.query(`SELECT 1 FROM movement WHERE external_id = $1`, [
        `cdc:shop:${xid}:public.orders`,
      ]);
      return rowCount === 1;
    });

    const [sourceRows, mirrorRows] = await Promise.all([
      source.query(
        `SELECT id::text AS id, customer_id, sku, status, quantity, amount::text AS amount, discount,
                paid, attrs, note, created_at::text AS created_at, updated_at::text AS updated_at
           FROM orders ORDER BY id`,
      ),
      pool.query(
        `SELECT id::text AS id, customer_id, sku, status, quantity, amount, discount, paid, attrs,
                note, created_at::timestamptz::text AS created_at,
                updated_at::timestamptz::text AS updated_at
           FROM lake_shop."public.orders" ORDER BY id`,
      ),
    ]);
    expect(mirrorRows.rowCount).toBe(sourceRows.rowCount);
    const differences: string[] = [];
    sourceRows.rows.forEach((row, i) => {
      const [expected, actual] = [JSON.stringify(row), JSON.stringify(mirrorRows.rows[i])];
      if (expected !== actual && differences.length < 5) {
        differences.push(`source ${expected}\nmirror ${actual}`);
      }
    });
    expect(differences).toEqual([]);

    // Every change counted once: the snapshot's rows (op r) and the streamed changes.
    expect(appliedAtKill).toBeGreaterThan(seedRows);
    expect(appliedAtKill).toBeLessThan(seedRows + streamedChanges);
    expect(await quantity()).toBe(seedRows + streamedChanges);
    const { rows: letters } = await pool.query(`SELECT count(*)::int AS n FROM cdc_dead_letter`);
    expect(letters[0].n).toBe(0);

    // SIGTERM: the applier finishes, the runner confirms and exits 0.
    runner.child.kill('SIGTERM');
    expect((await runner.exited).code).toBe(0);
    expect(runner.output.some((l) => l.startsWith('cdc stopped'))).toBe(true);
  }, 90_000);
});

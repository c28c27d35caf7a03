import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  embeddedPasswordFile,
  freePort,
  RunningPostgres,
  startEmbeddedPostgres,
} from '@sextant/db';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseLsn } from '../position';
import { PublishableChange, toKafkaRecords } from '../sinks/kafka-publisher';
import { CdcSourceRunner, CdcSourceRunnerOptions } from './cdc-source-runner';

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Rows with their columns in name order, so mirror and source compare whatever their column order.
const sorted = (rows: Record<string, unknown>[]) =>
  JSON.stringify(rows.map((r) => Object.fromEntries(Object.entries(r).sort())));

describe(CdcSourceRunner.name, () => {
  let tempDir: string;
  let port: number;
  let server: RunningPostgres | null = null;
  let source: Client;
  let db: TestDatabase;
  let pool: Pool;
  let runner: CdcSourceRunner;
  const ids = { database: uuidv7(), lake: uuidv7() };
  const logs: string[] = [];
  const published: PublishableChange[] = [];
  // Row changes made on orders, snapshot rows included.
  let made = 0;

  const options = (sourceUrl: string): CdcSourceRunnerOptions => ({
    sourceUrl,
    slot: 'sextant_shop',
    publication: 'sextant_shop',
    tables: ['orders'],
    applier: { source: 'shop', sourceNodeId: ids.database, destinationNodeId: ids.lake },
    statusIntervalMs: 200,
    heartbeatIntervalMs: 300,
    lagProblemBytes: 1024 * 1024,
    backoff: { initialMs: 200, maxMs: 800 },
    publisher: {
      publish: async (changes) => {
        published.push(...changes);
      },
    },
    log: (line) => logs.push(line),
  });

  const startSource = async () => {
    server = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port,
      database: 'shop',
    });
    // The runner knows the source by this port.
    expect(server.port).toBe(port);
    source = new Client({ connectionString: server.url });
    source.on('error', () => undefined);
    await source.connect();
  };

  const sourceRows = async () =>
    sorted((await source.query('SELECT * FROM orders ORDER BY id')).rows);
  const mirrorRows = async () =>
    sorted((await pool.query('SELECT * FROM lake_shop."public.orders" ORDER BY id')).rows);
  const inSync = async () =>
    (await sourceRows()) === (await mirrorRows().catch(() => 'no mirror table yet'));
  const mirrorColumns = async () =>
    (
      await pool.query<{ name: string; type: string }>(
        `SELECT column_name AS name, data_type AS type FROM information_schema.columns
          WHERE table_schema = 'lake_shop' AND table_name = 'public.orders' ORDER BY ordinal_position`,
      )
    ).rows.map((r) => `${r.name}:${r.type}`);
  const movedRows = async () =>
    Number(
      (
        await pool.query<{ quantity: string }>(
          `SELECT coalesce(sum(m.quantity), 0)::text AS quantity
             FROM movement m JOIN resource r ON r.id = m.resource_id
            WHERE r.reference = 'db.row:public.orders'`,
        )
      ).rows[0].quantity,
    );
  const slotLsn = async () =>
    parseLsn(
      (
        await source.query<{ lsn: string }>(
          `SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = 'sextant_shop'`,
        )
      ).rows[0].lsn,
    );

  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-cdc-runner-'));
    port = await freePort();
    db = await createTestDatabase('cdc_runner');
    pool = new Pool({ connectionString: db.url, max: 6 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'runner.shop', 'Shop', '{}', now()), ($2, 'database', 'runner.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
  });

  afterAll(async () => {
    await runner?.stop();
    await source?.end().catch(() => undefined);
    await pool?.end();
    await db?.drop();
    await server?.stop();
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });

  it('retries an unreachable source with a doubling backoff and streams once it is up', async () => {
    // The URL the embedded server will have on this port, before anything listens there: its
    // password is kept beside the data directory before the first start, so initdb takes it.
    const password = randomBytes(18).toString('base64url');
    await fs.writeFile(embeddedPasswordFile(path.join(tempDir, 'data')), `${password}\n`, {
      mode: 0o600,
    });
    runner = new CdcSourceRunner(
      pool,
      options(`postgresql://sextant:${password}@127.0.0.1:${port}/shop`),
    );
    runner.start();
    await until('it retries', () => runner.status().state === 'retrying');
    const failing = runner.status();
    expect(failing.lastError?.message).toMatch(/ECONNREFUSED/);
    expect(Date.parse(failing.nextRetryAt!)).toBeGreaterThanOrEqual(
      Date.parse(failing.lastError!.at),
    );
    expect(failing.problems).toEqual([
      expect.stringMatching(/^source unreachable: .*ECONNREFUSED/),
    ]);
    // 200 ms, then 400 ms
    await until('it backs off', () => logs.some((l) => l.startsWith('retrying in 400 ms')));

    await startSource();
    await source.query(`CREATE TABLE orders (id int PRIMARY KEY, status text, qty int);
                        INSERT INTO orders SELECT i, 'new', i FROM generate_series(1, 20) i`);
    made += 20;
    await until('it streams', () => runner.status().state === 'streaming');
    await until('the snapshot is mirrored', inSync);
    const status = runner.status();
    expect(status.nextRetryAt).toBeNull();
    expect(status.problems).toEqual([]);
    expect(status.changesApplied).toBe(made);
  });

  it('applies and publishes changes after commit and reports plausible figures', async () => {
    const before = runner.status();
    await source.query(`INSERT INTO orders SELECT i, 'new', i FROM generate_series(21, 30) i`);
    await source.query(`UPDATE orders SET status = 'paid' WHERE id <= 5`);
    await source.query(`DELETE FROM orders WHERE id > 27`);
    made += 10 + 5 + 3;
    await until('the changes are mirrored', inSync);
    // sourceLsn is sampled before each heartbeat, whose WAL the next keepalive lets us confirm
    await until('it is caught up', () => (runner.status().lagBytes ?? Infinity) < 1024);

    const status = runner.status();
    expect(status.state).toBe('streaming');
    expect(status.changesApplied).toBe(made);
    expect(status.changesPerSecond).toBeGreaterThan(0);
    expect(status.lagSeconds).toBe(0);
    expect(parseLsn(status.confirmedLsn!)).toBeGreaterThan(parseLsn(before.confirmedLsn!));
    expect(parseLsn(status.receivedLsn!)).toBeGreaterThanOrEqual(parseLsn(status.confirmedLsn!));
    expect(parseLsn(status.sourceLsn!)).toBeGreaterThanOrEqual(parseLsn(status.confirmedLsn!));

    expect(published.map((c) => c.envelope.op).join('')).toBe(
      'r'.repeat(20) + 'c'.repeat(10) + 'u'.repeat(5) + 'd'.repeat(3),
    );
    const topics = toKafkaRecords(published, { server: 'shop', withSchema: false }).map(
      (t) => t.topic,
    );
    expect(topics).toEqual(['shop.public.orders']);
    expect(await movedRows()).toBe(made);
  });

  it('retries while the source is away mid-stream, then neither loses nor doubles a change', async () => {
    let writing = true;
    let next = 1000;
    const writer = (async () => {
      while (writing) {
        await source.query(`INSERT INTO orders VALUES ($1, 'new', 1), ($2, 'new', 2)`, [
          next,
          next + 1,
        ]);
        next += 2;
      }
    })().catch(() => undefined);
    await until('some rows are streamed', async () => next > 1040);
    await server!.stop();
    writing = false;
    await writer;
    await until('it retries', () => runner.status().state === 'retrying');
    expect(runner.status().problems[0]).toMatch(/^source unreachable: /);

    await startSource();
    await until('it streams again', () => runner.status().state === 'streaming');
    await until('the mirror catches up', inSync);
    // What committed before the server went away (the last insert may or may not have).
    made += Number(
      (await source.query<{ n: string }>(`SELECT count(*) AS n FROM orders WHERE id >= 1000`))
        .rows[0].n,
    );
    expect(runner.status().changesApplied).toBe(made);
    expect(await movedRows()).toBe(made);
  });

  it('keeps an idle slot moving with heartbeats and lists lag above the limit', async () => {
    await source.query(`CREATE TABLE unpublished (id int, pad text);
                        INSERT INTO unpublished SELECT i, repeat('x', 100) FROM generate_series(1, 2000) i`);
    const { rows } = await source.query<{ lsn: string }>(
      `SELECT pg_current_wal_lsn()::text AS lsn`,
    );
    const written = parseLsn(rows[0].lsn);
    await until(
      'the slot confirms past the unrelated WAL',
      async () => (await slotLsn()) >= written,
    );

    await runner.pause('maintenance');
    expect(runner.status()).toMatchObject({ state: 'paused', pausedReason: 'maintenance' });
    // about 3 MB of WAL while nothing confirms it
    await source.query(
      `INSERT INTO unpublished SELECT i, repeat(md5(i::text), 30) FROM generate_series(1, 3000) i`,
    );
    await until('the lag is listed', () =>
      runner.status().problems.some((p) => /^lag [\d.]+ MB above 1 MB$/.test(p)),
    );
    runner.resume();
    await until('it streams again', () => runner.status().state === 'streaming');
    await until('the lag is gone', () => runner.status().problems.length === 0);
    expect(runner.status().pausedReason).toBeNull();
  });

  it('follows added, dropped, retyped and renamed columns; pauses on renames it cannot tell', async () => {
    await source.query(`ALTER TABLE orders ADD COLUMN note text`);
    await source.query(`UPDATE orders SET note = 'n' || id WHERE id <= 2`);
    await source.query(`ALTER TABLE orders DROP COLUMN qty`);
    await source.query(`UPDATE orders SET status = 'packed' WHERE id = 3`);
    await source.query(`ALTER TABLE orders ALTER COLUMN id TYPE bigint`);
    await source.query(`UPDATE orders SET status = 'sent' WHERE id = 4`);
    await source.query(`ALTER TABLE orders RENAME COLUMN status TO state`);
    await source.query(`UPDATE orders SET state = 'shipped' WHERE id = 5`);
    await until('the mirror follows', inSync);
    expect(await mirrorColumns()).toEqual(['id:bigint', 'state:text', 'note:text']);

    await source.query(`ALTER TABLE orders RENAME COLUMN state TO phase;
                        ALTER TABLE orders RENAME COLUMN note TO remark`);
    await source.query(`UPDATE orders SET phase = 'x' WHERE id = 6`);
    await until('it pauses', () => runner.status().state === 'paused');
    const reason =
      'table public.orders: columns state, note replaced by phase, remark; cannot tell renames from drop+add — resnapshot or resume to treat as drop+add';
    expect(runner.status().pausedReason).toBe(reason);
    expect(runner.status().problems).toEqual([`schema change: ${reason}`]);

    // resume: drop + add, so only the row changed since has values in the new columns
    runner.resume();
    await until('it streams again', () => runner.status().state === 'streaming');
    await until(
      'the new columns are there',
      async () => (await mirrorColumns()).join() === 'id:bigint,phase:text,remark:text',
    );
    const { rows } = await pool.query(
      `SELECT count(phase) AS phases FROM lake_shop."public.orders"`,
    );
    expect(Number(rows[0].phases)).toBe(1);

    // again, and a resnapshot ends the pause
    await source.query(`ALTER TABLE orders RENAME COLUMN phase TO stage;
                        ALTER TABLE orders RENAME COLUMN remark TO comment`);
    await source.query(`UPDATE orders SET stage = 'y' WHERE id = 7`);
    await until('it pauses', () => runner.status().state === 'paused');
    await runner.resnapshot('orders');
    await until('it streams again', () => runner.status().state === 'streaming');
    await until('the mirror equals the source', inSync);
    expect(await mirrorColumns()).toEqual(['id:bigint', 'stage:text', 'comment:text']);
  });

  it('re-reads a table consistently while a writer keeps changing it', async () => {
    await pool.query(`UPDATE lake_shop."public.orders" SET stage = 'corrupt';
                      DELETE FROM lake_shop."public.orders" WHERE id % 3 = 0;
                      INSERT INTO lake_shop."public.orders" (id, stage) VALUES (999999, 'ghost')`);
    let writing = true;
    let n = 0;
    const writer = (async () => {
      while (writing) {
        n += 1;
        await source.query(`UPDATE orders SET stage = $1 WHERE id = $2`, [`w${n}`, (n % 27) + 1]);
        await source.query(`INSERT INTO orders (id, stage) VALUES ($1, 'new')`, [5000 + n]);
        if (n % 2 === 0) await source.query(`DELETE FROM orders WHERE id = $1`, [4999 + n]);
      }
    })();
    await sleep(200);
    await runner.resnapshot('orders');
    expect(runner.status().state).toBe('streaming');
    await sleep(300);
    writing = false;
    await writer;
    await until('the mirror equals the source', inSync);
    expect(logs.some((l) => /^table public\.orders re-read at \d/.test(l))).toBe(true);
  });

  it('drops the slot and the publication, and says so when the source is unreachable', async () => {
    await runner.drop();
    expect(runner.status().state).toBe('stopped');
    const { rows } = await source.query(
      `SELECT (SELECT count(*) FROM pg_replication_slots) AS slots,
              (SELECT count(*) FROM pg_publication) AS publications`,
    );
    expect(rows[0]).toEqual({ slots: '0', publications: '0' });

    const nowhere = new CdcSourceRunner(
      pool,
      options(`postgresql://sextant:unused@127.0.0.1:${await freePort()}/shop`),
    );
    await expect(nowhere.drop()).rejects.toThrow(
      /cannot drop slot sextant_shop and publication sextant_shop: cannot connect to the source/,
    );
  });
});

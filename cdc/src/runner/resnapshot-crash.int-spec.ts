import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningPostgres, startEmbeddedPostgres } from '@sextant/db';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parseLsn } from '../position';
import { CdcSourceRunner, CdcSourceRunnerOptions } from './cdc-source-runner';

const until = async (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

// A resnapshot replaces the mirror table's rows at LSN C2 and leaves out the table's streamed
// changes in (Cx, C2]. Here the process "dies" right after that snapshot committed, with those
// changes received but not applied, and a new runner takes the slot over.
describe(`${CdcSourceRunner.name} after a crash inside a resnapshot`, () => {
  let tempDir: string;
  let server: RunningPostgres;
  let source: Client;
  let db: TestDatabase;
  let pool: Pool;
  let locker: Client;
  const ids = { database: uuidv7(), lake: uuidv7() };
  const slot = 'sextant_crash';
  // The applier's lock on the stream (PositionsRepository.lock): held, it stops the apply loop.
  const streamLock = `hashtextextended('cdc:meter:slot:${slot}', 0)`;

  const options = (more: Partial<CdcSourceRunnerOptions> = {}): CdcSourceRunnerOptions => ({
    sourceUrl: server.url,
    slot,
    publication: slot,
    tables: ['usage', 'audit'],
    applier: { source: 'meter', sourceNodeId: ids.database, destinationNodeId: ids.lake },
    // One transaction per batch: the one blocked on the lock is the only one under way.
    maxBatchChanges: 1,
    statusIntervalMs: 200,
    backoff: { initialMs: 200, maxMs: 800 },
    ...more,
  });

  /** One source transaction: a row in usage and one in audit; returns its xid. */
  const write = async (id: number) => {
    await source.query('BEGIN');
    await source.query('INSERT INTO usage VALUES ($1, $2)', [id, id * 10]);
    await source.query('INSERT INTO audit VALUES ($1, $2)', [id, `usage ${id}`]);
    // A fresh cluster is in xid epoch 0: the 64-bit id is pgoutput's 32-bit one.
    const { rows } = await source.query<{ xid: string }>('SELECT txid_current()::text AS xid');
    await source.query('COMMIT');
    return Number(rows[0].xid);
  };
  const count = async (client: Client | Pool, table: string) =>
    Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
  const movements = async (table: string) =>
    (
      await pool.query<{ external_id: string; quantity: string }>(
        `SELECT m.external_id, m.quantity::text AS quantity
           FROM movement m JOIN resource r ON r.id = m.resource_id
          WHERE r.reference = $1`,
        [`db.row:public.${table}`],
      )
    ).rows.map((r) => ({ id: r.external_id, quantity: Number(r.quantity) }));
  const skips = async () =>
    (
      await pool.query<{ table_name: string; position: string }>(
        `SELECT table_name, position::text AS position FROM cdc_resnapshot_skip WHERE source = 'meter'`,
      )
    ).rows.map((r) => ({ table: r.table_name, lsn: BigInt(r.position) }));
  const storedLsn = async () =>
    BigInt(
      (
        await pool.query<{ position: string }>(
          `SELECT position::text AS position FROM cdc_position WHERE source = 'meter' AND stream = $1`,
          [`slot:${slot}`],
        )
      ).rows[0].position,
    );
  const slotLsn = async () =>
    parseLsn(
      (
        await source.query<{ lsn: string }>(
          `SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1`,
          [slot],
        )
      ).rows[0].lsn,
    );

  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-cdc-crash-'));
    server = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port: 0,
      database: 'meter',
    });
    source = new Client({ connectionString: server.url });
    await source.connect();
    await source.query(`CREATE TABLE usage (id int PRIMARY KEY, units int);
                        CREATE TABLE audit (id int PRIMARY KEY, note text);
                        INSERT INTO usage SELECT i, i * 10 FROM generate_series(1, 3) i`);
    db = await createTestDatabase('cdc_resnapshot_crash');
    pool = new Pool({ connectionString: db.url, max: 6 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'crash.meter', 'Meter', '{}', now()), ($2, 'database', 'crash.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
    locker = new Client({ connectionString: db.url });
    await locker.connect();
  });

  afterAll(async () => {
    await locker?.end().catch(() => undefined);
    await source?.end().catch(() => undefined);
    await pool?.end();
    await db?.drop();
    await server?.stop();
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });

  it('records each change once when a new runner takes over a slot whose runner died mid-resnapshot', async () => {
    // The first runner's own pool to Sextant's database: ending it is its death, as seen from
    // there. The seam is the log line written right after the snapshot's transaction committed.
    const doomed = new Pool({ connectionString: db.url, max: 4 });
    let snapshotLsn: bigint | null = null;
    const first = new CdcSourceRunner(
      doomed,
      options({
        // Dead, it must not come back before it is stopped.
        backoff: { initialMs: 60_000, maxMs: 60_000 },
        log: (line) => {
          const reread = /^table public\.usage re-read at (\S+):/.exec(line);
          if (!reread) return;
          snapshotLsn = parseLsn(reread[1]);
          void doomed.end();
        },
      }),
    );
    first.start();
    await until('the first runner streams', () => first.status().state === 'streaming');
    await until('the initial snapshot is mirrored', async () => {
      return (await count(pool, 'lake_meter."public.usage"').catch(() => 0)) === 3;
    });

    // Transaction 1 is under way, waiting for the lock; 2 to 4 come behind it.
    await locker.query(`SELECT pg_advisory_lock(${streamLock})`);
    const xids = [await write(4)];
    await until('the apply of transaction 1 waits', async () => {
      const { rows } = await pool.query(
        `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
          WHERE d.datname = current_database() AND l.locktype = 'advisory' AND NOT l.granted`,
      );
      return rows.length > 0;
    });
    for (const id of [5, 6, 7]) xids.push(await write(id));
    const resnapshot = first.resnapshot('usage');
    await until('the apply loop is held', () => first.status().state === 'snapshotting');
    await locker.query(`SELECT pg_advisory_unlock(${streamLock})`);
    await resnapshot;
    await until('the first runner has died', () => first.status().state === 'retrying');
    expect(first.status().lastError?.message).toMatch(/Cannot use a pool after calling end/);
    await first.stop();

    // It died inside the window: neither the stored position nor the slot reached C2.
    const c2 = snapshotLsn!;
    expect(c2).not.toBeNull();
    expect(await storedLsn()).toBeLessThan(c2);
    expect(await slotLsn()).toBeLessThan(c2);
    expect(await skips()).toEqual([{ table: 'public.usage', lsn: c2 }]);
    // 3 initial rows and 4 to 7, read at C2; only transaction 1 of audit was applied.
    expect(await count(pool, 'lake_meter."public.usage"')).toBe(7);
    expect(await count(pool, 'lake_meter."public.audit"')).toBe(1);

    const second = new CdcSourceRunner(pool, options());
    try {
      second.start();
      await until('the second runner streams', () => second.status().state === 'streaming');
      xids.push(await write(8));
      await until('transactions 2 to 5 are mirrored', async () => {
        return (await count(pool, 'lake_meter."public.audit"')) === 5;
      });
      // Transaction 5 ends past C2: the skip is not needed any more.
      await until('the skip is deleted', async () => (await skips()).length === 0);
    } finally {
      await second.stop();
    }

    expect(await count(pool, 'lake_meter."public.usage"')).toBe(await count(source, 'usage'));
    expect(await count(pool, 'lake_meter."public.usage"')).toBe(8);
    expect(await count(pool, 'lake_meter."public.audit"')).toBe(5);
    // usage: the initial snapshot (3 rows), transaction 1, the resnapshot (7 rows, with those
    // of transactions 2 to 4) and transaction 5; nothing of transactions 2 to 4 on their own.
    const usage = await movements('usage');
    const ofTransaction = (xid: number) =>
      usage.filter((m) => m.id === `cdc:meter:${xid}:public.usage`).map((m) => m.quantity);
    expect(xids.map(ofTransaction)).toEqual([[1], [], [], [], [1]]);
    const snapshots = usage.filter((m) => m.id.startsWith('cdc:meter:batch:'));
    expect(snapshots.map((m) => m.quantity).sort((a, b) => a - b)).toEqual([3, 7]);
    // 3 + 1 + 7 + 1: every row change counted once
    expect(usage.reduce((n, m) => n + m.quantity, 0)).toBe(12);
    // audit: one movement of one row per transaction, 1 to 5.
    const audit = await movements('audit');
    expect(audit.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
      xids
        .map((xid) => ({ id: `cdc:meter:${xid}:public.audit`, quantity: 1 }))
        .sort((a, b) => (a.id < b.id ? -1 : 1)),
    );
  });
});

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningPostgres, startEmbeddedPostgres } from '@sextant/db';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sealSecret } from './connection-secret';
import { CdcSupervisor } from './cdc-supervisor';
import { SourceGuard } from './source-guard';

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe(CdcSupervisor.name, () => {
  const key = randomBytes(32).toString('base64');
  const ids = {
    database: uuidv7(),
    lake: uuidv7(),
    path: uuidv7(),
    broken: uuidv7(),
    own: uuidv7(),
  };
  let tempDir: string;
  let server: RunningPostgres;
  let source: Client;
  let db: TestDatabase;
  let pool: Pool;
  const supervisors: CdcSupervisor[] = [];
  const logs: string[] = [];

  const supervisor = (secretKey = key) => {
    const made = new CdcSupervisor(pool, {
      secretKey,
      databaseUrl: db.url,
      // The source's server is on this machine: allowed here, as an administrator would.
      guard: new SourceGuard({
        allowedHosts: ['127.0.0.1'],
        ownDatabaseUrl: db.url,
        log: (line) => logs.push(line),
      }),
      pollMs: 200,
      sampleMs: 500,
      runner: { statusIntervalMs: 500, heartbeatIntervalMs: 1000 },
      env: {},
      log: (line) => logs.push(line),
    });
    supervisors.push(made);
    made.start();
    return made;
  };
  const status = async (pathId = ids.path) =>
    (
      await pool.query<{ state: string; last_error: string | null; runner: string }>(
        'SELECT state, last_error, runner FROM cdc_status WHERE path_id = $1',
        [pathId],
      )
    ).rows[0];
  const mirrored = async () =>
    Number(
      (await pool.query<{ n: string }>(`SELECT count(*) AS n FROM lake_shop."public.orders"`))
        .rows[0].n,
    );

  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-cdc-supervisor-'));
    server = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port: 0,
      database: 'shop',
    });
    source = new Client({ connectionString: server.url });
    await source.connect();
    await source.query(`CREATE TABLE orders (id int PRIMARY KEY, status text);
                        INSERT INTO orders SELECT i, 'new' FROM generate_series(1, 50) i`);
    db = await createTestDatabase('cdc_supervisor');
    pool = new Pool({ connectionString: db.url, max: 8 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'sup.shop', 'Shop', '{}', now()), ($2, 'database', 'sup.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
    for (const [pathId, name, secret, table] of [
      [ids.path, 'shop', sealSecret(key, server.url), 'public.orders'],
      [
        ids.broken,
        'other',
        sealSecret(randomBytes(32).toString('hex'), server.url),
        'public.orders',
      ],
      // Sextant's own database, whose accounts and tokens a mirror would copy.
      [
        ids.own,
        `own_${randomBytes(3).toString('hex')}`,
        sealSecret(key, db.url),
        'public.app_user',
      ],
    ] as const) {
      await pool.query(
        `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at)
         VALUES ($1, $2, $3, $4, 'cdc', now())`,
        [pathId, `CDC ${name}`, ids.database, ids.lake],
      );
      await pool.query(
        `INSERT INTO cdc_source (path_id, name, connection_secret, connection_hint, tables, slot, publication)
         VALUES ($1, $2, $3, 'hint', $5, $4, $4)`,
        [pathId, name, secret, `sextant_${name}`, [table]],
      );
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(supervisors.map((s) => s.stop()));
    await source?.end();
    await pool?.end();
    await db?.drop();
    await server?.stop();
    await fs.rm(tempDir, { recursive: true, force: true });
  });

  it('runs each source in one process only, follows pause and resume, and fails over', async () => {
    const a = supervisor();
    const b = supervisor();
    await until(
      'a supervisor streams the source',
      async () => (await status())?.state === 'streaming',
    );
    expect([a, b].filter((s) => s.runners.has(ids.path))).toHaveLength(1);
    await until('the snapshot is mirrored', async () => (await mirrored()) === 50);

    await pool.query(`UPDATE path SET state = 'paused' WHERE id = $1`, [ids.path]);
    await until('the source is paused', async () => (await status()).state === 'paused');
    await source.query(`INSERT INTO orders SELECT i, 'new' FROM generate_series(51, 60) i`);
    await new Promise((r) => setTimeout(r, 800));
    expect(await mirrored()).toBe(50);
    await pool.query(`UPDATE path SET state = 'active' WHERE id = $1`, [ids.path]);
    await until('paused changes arrive after resume', async () => (await mirrored()) === 60);

    const [holder, other] = a.runners.has(ids.path) ? [a, b] : [b, a];
    await holder.stop();
    await until('the other process takes the source over', async () => other.runners.has(ids.path));
    await source.query(`INSERT INTO orders SELECT i, 'new' FROM generate_series(61, 70) i`);
    await until('changes flow through the new process', async () => (await mirrored()) === 70);
    const { rows } = await pool.query<{ quantity: string }>(
      'SELECT coalesce(sum(quantity), 0)::text AS quantity FROM movement WHERE path_id = $1',
      [ids.path],
    );
    expect(Number(rows[0].quantity)).toBe(70);
  }, 90_000);

  it('reports a connection string that does not open with the key, and runs nothing for it', async () => {
    await until(
      'the broken source is reported',
      async () => (await status(ids.broken)) !== undefined,
    );
    const broken = await status(ids.broken);
    expect(broken.state).toBe('stopped');
    expect(broken.last_error).toMatch(/does not open with SEXTANT_SECRET_KEY/);
    expect(supervisors.every((s) => !s.runners.has(ids.broken))).toBe(true);
  });

  it("refuses to capture Sextant's own database: no slot, no mirror of its accounts", async () => {
    await until(
      'the refusal is reported',
      async () => (await status(ids.own))?.last_error?.includes('OwnDatabase') ?? false,
    );
    expect((await status(ids.own)).last_error).toMatch(
      /platform's own database cannot be a source/,
    );
    const { rows } = await pool.query<{ name: string }>(
      `SELECT name FROM cdc_source WHERE path_id = $1`,
      [ids.own],
    );
    const name = rows[0].name;
    const schemas = await pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [
      `lake_${name}`,
    ]);
    expect(schemas.rows).toEqual([]);
    const slots = await pool.query(`SELECT 1 FROM pg_replication_slots WHERE slot_name = $1`, [
      `sextant_${name}`,
    ]);
    expect(slots.rows).toEqual([]);
  });
});

describe(`${CdcSupervisor.name}: WAL held back by a paused source`, () => {
  const key = randomBytes(32).toString('base64');
  const suffix = randomBytes(3).toString('hex');
  const ids = { database: uuidv7(), lake: uuidv7(), path: uuidv7() };
  const slot = `sextant_wal_${suffix}`;
  let db: TestDatabase;
  let sourceDb: TestDatabase;
  let pool: Pool;
  let source: Client;
  let supervisor: CdcSupervisor;
  const logs: string[] = [];

  const status = async () =>
    (
      await pool.query<{ state: string; paused_reason: string | null }>(
        'SELECT state, paused_reason FROM cdc_status WHERE path_id = $1',
        [ids.path],
      )
    ).rows[0];
  const slotExists = async () =>
    (await source.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot])).rows
      .length === 1;
  const idList = async (sql: Client | Pool, query: string) =>
    (await sql.query<{ id: number }>(query)).rows.map((r) => r.id).join(',');

  beforeAll(async () => {
    // The source is another database of the tier's server (wal_level=logical).
    sourceDb = await createTestDatabase('cdc_wal_source');
    source = new Client({ connectionString: sourceDb.url });
    await source.connect();
    await source.query(`CREATE TABLE orders (id int PRIMARY KEY, status text);
                        INSERT INTO orders SELECT i, 'new' FROM generate_series(1, 20) i;
                        CREATE TABLE filler (id int, body text)`);
    db = await createTestDatabase('cdc_wal');
    pool = new Pool({ connectionString: db.url, max: 6 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'wal.shop', 'Shop', '{}', now()), ($2, 'database', 'wal.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
    await pool.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at)
       VALUES ($1, 'CDC held', $2, $3, 'cdc', now())`,
      [ids.path, ids.database, ids.lake],
    );
    await pool.query(
      `INSERT INTO cdc_source (path_id, name, connection_secret, connection_hint, tables, slot, publication)
       VALUES ($1, 'held', $2, 'hint', '{public.orders}', $3, $3)`,
      [ids.path, sealSecret(key, sourceDb.url), slot],
    );
    supervisor = new CdcSupervisor(pool, {
      secretKey: key,
      databaseUrl: db.url,
      guard: new SourceGuard({ allowedHosts: ['127.0.0.1'], ownDatabaseUrl: db.url }),
      maxRetainedWalBytes: 2 ** 20,
      retentionCheckMs: 300,
      pollMs: 200,
      runner: { statusIntervalMs: 500, heartbeatIntervalMs: 1000 },
      env: {},
      log: (line) => logs.push(line),
    });
    supervisor.start();
  }, 60_000);

  afterAll(async () => {
    await supervisor?.stop();
    await source
      ?.query(
        `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
          WHERE slot_name = $1 AND NOT active`,
        [slot],
      )
      .catch(() => undefined);
    await source?.end();
    await pool?.end();
    await db?.drop();
    await sourceDb?.drop();
  });

  it('raises an alert, drops the slot past CDC_MAX_RETAINED_WAL_MB, and resumes from a new snapshot', async () => {
    await until('the source streams', async () => (await status())?.state === 'streaming');
    const mirror = () => idList(pool, 'SELECT id FROM lake_held."public.orders" ORDER BY id');
    const orders = () => idList(source, 'SELECT id FROM orders ORDER BY id');
    await until('the snapshot is mirrored', async () => (await mirror()) === (await orders()));

    await pool.query(`UPDATE path SET state = 'paused' WHERE id = $1`, [ids.path]);
    await until('the source is paused', async () => (await status()).state === 'paused');
    expect(await slotExists()).toBe(true);

    // Changes while paused (a row deleted, one added), then WAL well past 1 MiB.
    await source.query(`DELETE FROM orders WHERE id = 7; INSERT INTO orders VALUES (21, 'new')`);
    await source.query(
      `INSERT INTO filler SELECT g, repeat(md5(g::text), 16) FROM generate_series(1, 8000) g`,
    );
    await until('the slot is dropped', async () => !(await slotExists()), 30_000);

    const alerts = await pool.query<{
      name: string;
      priority: string;
      state: string;
      description: string;
    }>(
      `SELECT i.name, t.priority::text AS priority, t.state::text AS state, t.description
         FROM item i JOIN maintenance_ticket t ON t.item_id = i.id
        WHERE i.kind = 'alert' AND i.owner_id = $1`,
      [ids.database],
    );
    expect(alerts.rows).toHaveLength(1);
    expect(alerts.rows[0]).toMatchObject({ priority: 'high', state: 'open' });
    expect(alerts.rows[0].name).toMatch(/CDC source held: replication slot dropped/);
    expect(alerts.rows[0].description).toMatch(/above CDC_MAX_RETAINED_WAL_MB \(1 MB\)/);
    await until('the status says why', async () =>
      /was dropped.*resuming the source takes a new snapshot/.test(
        (await status()).paused_reason ?? '',
      ),
    );
    const path = await pool.query<{ state: string }>('SELECT state::text FROM path WHERE id = $1', [
      ids.path,
    ]);
    expect(path.rows[0].state).toBe('paused');
    // Checked again: still one alert, no slot made while paused.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await slotExists()).toBe(false);
    expect(
      (
        await pool.query(`SELECT 1 FROM item WHERE kind = 'alert' AND owner_id = $1`, [
          ids.database,
        ])
      ).rows,
    ).toHaveLength(1);

    // Resuming takes a new snapshot, which replaces the mirror (row 7 goes, 21 comes).
    await pool.query(`UPDATE path SET state = 'active' WHERE id = $1`, [ids.path]);
    await until('the source streams again', async () => (await status()).state === 'streaming');
    expect(await slotExists()).toBe(true);
    await until('the mirror equals the source', async () => (await mirror()) === (await orders()));
    expect(await mirror()).not.toContain(',7,');
    await source.query(`UPDATE orders SET status = 'paid' WHERE id = 21`);
    await until(
      'changes stream after the new snapshot',
      async () =>
        (await pool.query(`SELECT status FROM lake_held."public.orders" WHERE id = 21`)).rows[0]
          ?.status === 'paid',
    );
  }, 120_000);
});

import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunningPostgres, startEmbeddedPostgres } from '@sextant/db';
import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CdcSourceError } from './pgoutput.errors';
import { PgoutputReader } from './pgoutput-reader';

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

// Incompressible and stored out of line, so updates that leave it alone send it as 'u'.
const longNote = () => randomBytes(6000).toString('base64');

describe(PgoutputReader.name, () => {
  let tempDir: string;
  let server: RunningPostgres;
  let source: Client;
  let db: TestDatabase;
  let pool: Pool;
  let reader: PgoutputReader | null = null;
  const errors: Error[] = [];
  const ids = { database: uuidv7(), lake: uuidv7() };
  // Row changes made on the source per table, to compare with the movement quantities.
  const changes = { 'inventory.products': 0, 'public.events': 0 };

  const newReader = (tables = ['inventory.products', 'events'], slot = 'sextant_cdc') =>
    new PgoutputReader(pool, {
      sourceUrl: server.url,
      slot,
      publication: 'sextant_pub',
      tables,
      applier: {
        source: 'shop',
        sourceNodeId: ids.database,
        destinationNodeId: ids.lake,
        // events has REPLICA IDENTITY FULL and no primary key
        keys: { 'public.events': ['id'] },
      },
      statusIntervalMs: 500,
      onError: (error) => errors.push(error),
    });

  beforeAll(async () => {
    tempDir = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-cdc-source-'));
    server = await startEmbeddedPostgres({
      dataDir: path.join(tempDir, 'data'),
      port: 0,
      database: 'shop',
    });
    source = new Client({ connectionString: server.url });
    await source.connect();
    await source.query(`
      CREATE SCHEMA inventory;
      CREATE TABLE inventory.products (
        id int PRIMARY KEY, name text NOT NULL, price numeric(10, 2), in_stock boolean,
        tags jsonb, updated_at timestamptz, weight double precision, note text);
      ALTER TABLE inventory.products ALTER COLUMN note SET STORAGE EXTERNAL;
      CREATE TABLE events (id bigint NOT NULL, kind text, payload json);
      ALTER TABLE events REPLICA IDENTITY FULL;
      CREATE TABLE nokey (a int, b text);`);
    await source.query(
      `INSERT INTO inventory.products VALUES
         (1, 'hammer', 12.50, true, '{"color": "red"}', '2026-01-02T03:04:05.123Z', 0.75, $1),
         (2, 'saw', 20.00, false, '["steel"]', '2026-01-02T03:04:06Z', 1.5, null),
         (3, 'drill', 99.99, true, null, null, 2.25, $2)`,
      [longNote(), longNote()],
    );
    await source.query(
      `INSERT INTO events VALUES (1, 'open', '{"a": 1}'), (2, 'close', null), (9007199254740993, 'big', '[]')`,
    );
    changes['inventory.products'] += 3;
    changes['public.events'] += 3;

    db = await createTestDatabase('cdc_pgoutput');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'cdc.shop', 'Shop', '{}', now()), ($2, 'database', 'cdc.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
  });

  afterAll(async () => {
    await reader?.stop();
    await source?.end();
    await pool?.end();
    await db?.drop();
    await server?.stop();
    if (tempDir) await fs.rm(tempDir, { recursive: true, force: true });
  });

  const sourceProducts = async () =>
    (
      await source.query(
        `SELECT id, name, price::text AS price, in_stock, tags, updated_at, weight, note
           FROM inventory.products ORDER BY id`,
      )
    ).rows.map((r: Record<string, unknown>) => ({
      ...r,
      updated_at: r.updated_at ? (r.updated_at as Date).toISOString() : null,
    }));
  const mirrorProducts = async () =>
    (
      await pool.query(
        `SELECT id, name, price, in_stock, tags, updated_at, weight, note
           FROM lake_shop."inventory.products" ORDER BY id`,
      )
    ).rows.map((r: Record<string, unknown>) => ({
      ...r,
      updated_at: r.updated_at ? new Date(r.updated_at as string).toISOString() : null,
    }));
  const sourceEvents = async () =>
    (await source.query(`SELECT id::text AS id, kind, payload FROM events ORDER BY id`)).rows;
  const mirrorEvents = async () =>
    (
      await pool.query(
        `SELECT id::text AS id, kind, payload FROM lake_shop."public.events" ORDER BY id`,
      )
    ).rows;
  const inSync = async () => {
    const [sp, mp, se, me] = await Promise.all([
      sourceProducts(),
      mirrorProducts().catch(() => null),
      sourceEvents(),
      mirrorEvents().catch(() => null),
    ]);
    return JSON.stringify([sp, se]) === JSON.stringify([mp, me]);
  };
  const quantities = async () =>
    Object.fromEntries(
      (
        await pool.query<{ reference: string; quantity: string }>(
          `SELECT r.reference, sum(m.quantity)::text AS quantity
             FROM movement m JOIN resource r ON r.id = m.resource_id GROUP BY r.reference`,
        )
      ).rows.map((r) => [r.reference.replace(/^db\.row:/, ''), Number(r.quantity)]),
    );

  it('reports a table without a primary key or replica identity, naming it', async () => {
    const failing = newReader(['inventory.products', 'nokey'], 'sextant_nokey');
    const error = await failing.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CdcSourceError);
    expect(error).toMatchObject({ code: 'TableWithoutKey', table: 'public.nokey' });
    // checked before anything is created on the source
    const { rowCount } = await source.query(`SELECT 1 FROM pg_replication_slots`);
    expect(rowCount).toBe(0);
  });

  it('takes the initial snapshot into the mirror', async () => {
    reader = newReader();
    await reader.start();
    await until('the snapshot is mirrored', inSync);
    const { rows } = await pool.query(
      `SELECT column_name, data_type FROM information_schema.columns
        WHERE table_schema = 'lake_shop' AND table_name = 'inventory.products' ORDER BY ordinal_position`,
    );
    // types by OID: int4, text, numeric as text, bool, jsonb, timestamptz as ISO text, float8, text
    expect(rows.map((r) => `${r.column_name}:${r.data_type}`)).toEqual([
      'id:integer',
      'name:text',
      'price:text',
      'in_stock:boolean',
      'tags:jsonb',
      'updated_at:text',
      'weight:double precision',
      'note:text',
    ]);
    const { rows: stamps } = await pool.query(
      `SELECT updated_at FROM lake_shop."inventory.products" WHERE id = 1`,
    );
    expect(stamps[0].updated_at).toBe('2026-01-02T03:04:05.123Z');
  });

  it('streams inserts, updates (unchanged TOAST kept), deletes and truncates', async () => {
    await source.query('BEGIN');
    await source.query(
      `INSERT INTO inventory.products VALUES (4, 'wrench', 7.25, true, '{}', now(), 0.4, $1)`,
      [longNote()],
    );
    // leaves the TOASTed note unchanged: sent as 'u', the mirror keeps its value
    await source.query(`UPDATE inventory.products SET price = 13.00 WHERE id = 1`);
    await source.query(`DELETE FROM inventory.products WHERE id = 2`);
    await source.query('COMMIT');
    changes['inventory.products'] += 3;
    await source.query(`UPDATE events SET kind = 'reopened' WHERE id = 1`);
    await source.query(`DELETE FROM events WHERE id = 2`);
    await source.query(`INSERT INTO events VALUES (3, 'new', '{"b": [1, 2]}')`);
    changes['public.events'] += 3;
    await until('the changes are mirrored', inSync);

    await source.query(`TRUNCATE events`);
    // a truncate counts the rows it removed: 1, 3 and 9007199254740993
    changes['public.events'] += 3;
    await source.query(`INSERT INTO events VALUES (4, 'after truncate', null)`);
    changes['public.events'] += 1;
    await until('the truncate is mirrored', inSync);
    expect(errors).toEqual([]);
    expect(await quantities()).toEqual(changes);
  });

  it('neither loses nor doubles changes across a restart', async () => {
    await reader!.stop();
    const confirmed = reader!.confirmedLsn;
    reader = null;
    await source.query(`UPDATE inventory.products SET name = 'big drill' WHERE id = 3`);
    await source.query(
      `INSERT INTO inventory.products VALUES (5, 'file', 3.10, false, null, null, 0.1, 'x')`,
    );
    await source.query(`DELETE FROM events WHERE id = 4`);
    changes['inventory.products'] += 2;
    changes['public.events'] += 1;
    const { rows } = await source.query<{ lsn: string }>(
      `SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = 'sextant_cdc'`,
    );
    expect(rows[0].lsn).not.toBe('0/0');
    expect(confirmed).toBeGreaterThan(0n);

    reader = newReader();
    await reader.start();
    await until('the changes made while stopped are mirrored', inSync);
    await source.query(`INSERT INTO events VALUES (5, 'after restart', '{}')`);
    changes['public.events'] += 1;
    await until('the last insert is mirrored', inSync);
    expect(errors).toEqual([]);
    expect(await quantities()).toEqual(changes);
  });
});

import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage, inject } from '@sextant/testing';
import { api, graphql } from '../support/http';
import { lakeNodeId, newNode } from '../support/nodes';

// The stack's own embedded Postgres (wal_level=logical) holds the source: a second database.
interface Source {
  id: string;
  name: string;
  state: string;
  connection: string;
  tables: string[];
  slot: string;
  mirrorSchema: string;
  status: {
    state: string;
    confirmedLsn: string | null;
    lagBytes: number | null;
    changesApplied: number;
    problems: string[];
  };
}

async function until<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const name = `erp_${Date.now().toString(36)}`;
let admin: Client;
let source: Client;
let sextant: Client;
let sourceUrl: string;
let nodeId: string;
let lakeId: string;

const mirrorRows = async () =>
  (
    await sextant.query<{ id: number; status: string }>(
      `SELECT id::int, status FROM "lake_${name}"."public.orders" ORDER BY id`,
    )
  ).rows;
const sourceRows = async () =>
  (await source.query<{ id: number; status: string }>('SELECT id, status FROM orders ORDER BY id'))
    .rows;
const get = async (id: string) => (await api<Source>('GET', `/api/cdc/sources/${id}`)).body;

beforeAll(async () => {
  const databaseUrl = inject('databaseUrl');
  admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  sourceUrl = url.toString();
  source = new Client({ connectionString: sourceUrl });
  await source.connect();
  await source.query(`CREATE TABLE orders (id int PRIMARY KEY, status text NOT NULL, amount numeric(10,2));
                      CREATE TABLE notes (body text);
                      INSERT INTO orders SELECT i, 'new', i * 1.5 FROM generate_series(1, 100) i`);
  sextant = new Client({ connectionString: databaseUrl });
  await sextant.connect();
  lakeId = await lakeNodeId();
  nodeId = (await newNode('e2e.erp', 'database', 'ERP')).id;
});

afterAll(async () => {
  await source?.end();
  await sextant?.end();
  // A slot left by a failed test would keep the database from being dropped.
  await admin
    ?.query(
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1 AND NOT active`,
      [name],
    )
    .catch(() => undefined);
  await admin?.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  await admin?.end();
});

describe('managed CDC sources', () => {
  it('refuse a source that cannot be captured, naming the field and why', async () => {
    const base = { name, sourceId: nodeId, destinationId: lakeId, connectionString: sourceUrl };
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ ...base, tables: ['public.missing'] }, 'tables', /public\.missing does not exist/],
      [{ ...base, tables: ['notes'] }, 'tables', /public\.notes has no primary key/],
      [
        { ...base, tables: ['orders'], connectionString: 'mysql://x/y' },
        'connectionString',
        /postgres/,
      ],
      [
        { ...base, tables: ['orders'], connectionString: 'postgresql://u@127.0.0.1:1/db' },
        'connectionString',
        /^could not connect to the source$/,
      ],
      // The platform's own database, whose accounts and tokens a mirror would copy.
      [
        {
          ...base,
          tables: ['app_user'],
          connectionString: inject('databaseUrl').replace('127.0.0.1', 'localhost'),
        },
        'connectionString',
        /^the platform's own database cannot be a source$/,
      ],
      [
        { ...base, tables: ['orders'], connectionString: `${sourceUrl}?sslkey=/etc/shadow` },
        'connectionString',
        /^parameter sslkey is not allowed: it makes the platform read a file/,
      ],
      [
        {
          ...base,
          tables: ['orders'],
          connectionString: 'postgresql://u:p@169.254.169.254:5432/db',
        },
        'connectionString',
        /^host 169\.254\.169\.254 is not allowed/,
      ],
      [{ ...base, tables: ['orders'], name: 'Bad Name' }, 'name', /a-z, 0-9/],
      [{ ...base, tables: [] }, 'tables', /at least 1/],
      [{ ...base, tables: ['orders'], destinationId: nodeId }, 'destinationId', /differ/],
      [{ ...base, tables: ['orders'], keys: { orders: 'id' } }, 'keys', /key columns/],
    ];
    for (const [body, field, reason] of cases) {
      const reply = await api<{ code: string; errors: { field: string; reason: string }[] }>(
        'POST',
        '/api/cdc/sources',
        body,
      );
      expectWithMessage(reply.status, JSON.stringify(body)).toBe(400);
      const error = reply.body.errors.find((e) => e.field === field);
      expectWithMessage(error?.reason, `${field} of ${JSON.stringify(body)}`).toMatch(reason);
    }
    expect((await api<Source[]>('GET', '/api/cdc/sources')).body.some((s) => s.name === name)).toBe(
      false,
    );
  });

  it('answers malformed requests with 400 or 404 naming what was wrong, never 500', async () => {
    const unknown = '0190a1b2-0000-7000-8000-0000000000ff';
    const cases: [string, string, unknown, number, RegExp][] = [
      ['POST', '/api/cdc/sources', '{"name": ', 400, /JSON|json/],
      ['POST', '/api/cdc/sources', { name, tables: 'orders' }, 400, /tables/],
      ['POST', '/api/cdc/sources', { name, tables: ['orders'], keys: ['id'] }, 400, /keys/],
      ['POST', '/api/cdc/sources', { name, tables: ['a b'] }, 400, /tables/],
      ['GET', '/api/cdc/sources/not-a-uuid', undefined, 400, /id/],
      ['GET', `/api/cdc/sources/${unknown}`, undefined, 404, /no CDC source/],
      ['POST', `/api/cdc/sources/${unknown}/pause`, undefined, 404, /no CDC source/],
      ['POST', `/api/cdc/sources/${unknown}/resnapshot`, { table: 'orders' }, 404, /no CDC source/],
      // A source that does not exist (or that the caller may not see) is 404 before the rest of
      // the request is looked at; the same malformed requests on a real source are 400 below.
      ['POST', `/api/cdc/sources/${unknown}/resnapshot`, {}, 404, /no CDC source/],
      ['GET', `/api/cdc/sources/${unknown}/lag?minutes=abc`, undefined, 404, /no CDC source/],
      ['DELETE', `/api/cdc/sources/${unknown}`, undefined, 404, /no CDC source/],
    ];
    for (const [method, path, body, status, message] of cases) {
      const reply = await api<{ message: string; errors?: { field: string; reason: string }[] }>(
        method,
        path,
        body,
      );
      const text = JSON.stringify(reply.body);
      expectWithMessage(reply.status, `${method} ${path} ${JSON.stringify(body)}: ${text}`).toBe(
        status,
      );
      expectWithMessage(text, `${method} ${path}`).toMatch(message);
    }
    const gql = await graphql(
      'mutation($input: CreateCdcSourceInput!) { createCdcSource(input: $input) { id } }',
      {
        input: {
          name: 'Bad',
          sourceId: nodeId,
          destinationId: lakeId,
          connectionString: 'x',
          tables: [],
        },
      },
    );
    expect(gql.errors?.[0].extensions?.code).toBe('ValidationFailed');
  });

  let id: string;

  it('registers a source with its connection string encrypted, then streams it into the mirror', async () => {
    const created = await api<Source>('POST', '/api/cdc/sources', {
      name,
      sourceId: nodeId,
      destinationId: lakeId,
      connectionString: sourceUrl,
      tables: ['orders'],
    });
    expect(created.status).toBe(201);
    id = created.body.id;
    expect(created.body).toMatchObject({
      name,
      state: 'active',
      tables: ['public.orders'],
      slot: `sextant_${name}`,
      mirrorSchema: `lake_${name}`,
    });
    const password = new URL(sourceUrl).password;
    if (password) {
      expect(created.body.connection).toContain(':***@');
      expect(created.body.connection).not.toContain(`:${password}@`);
    }
    const stored = await sextant.query<{ secret: Buffer }>(
      'SELECT connection_secret AS secret FROM cdc_source WHERE path_id = $1',
      [id],
    );
    expect(stored.rows[0].secret.includes(Buffer.from(sourceUrl))).toBe(false);
    expect(stored.rows[0].secret.includes(Buffer.from(name))).toBe(false);

    // The worker takes it, snapshots the 100 rows and streams.
    const streaming = await until(
      () => get(id),
      (s) => s.status.state === 'streaming',
    );
    expect(streaming.status.state).toBe('streaming');
    await source.query(`INSERT INTO orders VALUES (101, 'new', 9.99);
                        UPDATE orders SET status = 'paid' WHERE id <= 10;
                        DELETE FROM orders WHERE id BETWEEN 91 AND 95`);
    const expected = await sourceRows();
    const mirrored = await until(
      mirrorRows,
      (rows) => JSON.stringify(rows) === JSON.stringify(expected),
    );
    expect(mirrored).toEqual(expected);
    const status = await until(
      () => get(id),
      (s) => s.status.changesApplied >= 116 && s.status.confirmedLsn !== null,
    );
    expect(status.status.confirmedLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(status.status.lagBytes).not.toBeNull();

    const movements = await sextant.query<{ quantity: string }>(
      'SELECT coalesce(sum(quantity), 0)::text AS quantity FROM movement WHERE path_id = $1',
      [id],
    );
    // 100 snapshot rows, 1 insert, 10 updates, 5 deletes.
    expect(Number(movements.rows[0].quantity)).toBe(116);

    const listed = await graphql<{ cdcSources: { id: string; status: { state: string } }[] }>(
      '{ cdcSources { id status { state } } }',
    );
    expect(listed.data?.cdcSources.find((s) => s.id === id)?.status.state).toBe('streaming');
  });

  it('answers malformed requests on a real source with 400 naming the field', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', `/api/cdc/sources/${id}/resnapshot`, {}, /table/],
      ['GET', `/api/cdc/sources/${id}/lag?minutes=abc`, undefined, /minutes/],
      ['GET', `/api/cdc/sources/${id}/lag?minutes=5000`, undefined, /minutes/],
      [
        'GET',
        `/api/cdc/sources/${id}/dead-letters?includeReplayed=maybe`,
        undefined,
        /includeReplayed/,
      ],
      ['POST', `/api/cdc/sources/${id}/dead-letters/replay`, { ids: ['x'] }, /ids/],
      ['DELETE', `/api/cdc/sources/${id}?force=maybe`, undefined, /force/],
    ];
    for (const [method, path, body, message] of cases) {
      const reply = await api(method, path, body);
      const text = JSON.stringify(reply.body);
      expectWithMessage(reply.status, `${method} ${path} ${JSON.stringify(body)}: ${text}`).toBe(
        400,
      );
      expectWithMessage(text, `${method} ${path}`).toMatch(message);
    }
  });

  it('pauses (nothing applied meanwhile) and resumes where it stopped', async () => {
    expect((await api('POST', `/api/cdc/sources/${id}/pause`)).status).toBe(200);
    const paused = await until(
      () => get(id),
      (s) => s.status.state === 'paused',
    );
    expect(paused.status.state).toBe('paused');
    await source.query(`UPDATE orders SET status = 'packed' WHERE id = 1`);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await mirrorRows())[0].status).toBe('paid');

    expect((await api('POST', `/api/cdc/sources/${id}/resume`)).status).toBe(200);
    const rows = await until(mirrorRows, (r) => r[0].status === 'packed');
    expect(rows[0].status).toBe('packed');
  });

  it('re-reads a table on demand and repairs a mirror that drifted', async () => {
    await sextant.query(`DELETE FROM "lake_${name}"."public.orders" WHERE id > 50`);
    const bad = await api<{ errors: { field: string; reason: string }[] }>(
      'POST',
      `/api/cdc/sources/${id}/resnapshot`,
      { table: 'public.other' },
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].reason).toMatch(/not captured by this source/);

    const command = await api<{ id: string; state: string }>(
      'POST',
      `/api/cdc/sources/${id}/resnapshot`,
      { table: 'orders' },
    );
    expect(command.status).toBe(202);
    const done = await until(
      async () =>
        (
          await api<{ id: string; state: string; error: string | null }[]>(
            'GET',
            `/api/cdc/sources/${id}/commands`,
          )
        ).body.find((c) => c.id === command.body.id)!,
      (c) => c.state === 'done' || c.state === 'failed',
    );
    expect(done).toMatchObject({ state: 'done', error: null });
    expect(await mirrorRows()).toEqual(await sourceRows());
  });

  it('keeps lag samples for the chart', async () => {
    const samples = await until(
      async () =>
        (await api<{ at: string }[]>('GET', `/api/cdc/sources/${id}/lag?minutes=10`)).body,
      (s) => s.length > 0,
    );
    expect(samples.length).toBeGreaterThan(0);
    expect((await api('GET', `/api/cdc/sources/${id}/lag?minutes=0`)).status).toBe(400);
  });

  it('drops the source with its slot and publication; the mirror stays', async () => {
    const dropped = await api<{ slotDropped: boolean; publicationDropped: boolean; path: string }>(
      'DELETE',
      `/api/cdc/sources/${id}`,
    );
    expect(dropped.status).toBe(200);
    expect(dropped.body).toMatchObject({
      slotDropped: true,
      publicationDropped: true,
      path: 'revoked',
    });
    const slots = await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [
      `sextant_${name}`,
    ]);
    expect(slots.rowCount).toBe(0);
    expect((await api('GET', `/api/cdc/sources/${id}`)).status).toBe(404);
    expect((await mirrorRows()).length).toBeGreaterThan(0);
  });
});

import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { freePort } from '@sextant/db';
import { createTestDatabase, expectWithMessage, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { membersWithTokens, startApi, type ApiHarness } from '../testing/api-harness';

// A CDC source is a connection the platform opens on a caller's behalf: these are the ways an
// organisation's owner (anyone can register one) could turn it against the platform or its
// machine, each answered 400 on connectionString before anything is stored.

interface Refusal {
  code: string;
  errors: { field: string; reason: string }[];
}

const ids = { org: randomUUID(), database: randomUUID(), lake: randomUUID() };

/** A URL with another host, port, database, user or parameters. */
function variant(
  base: string,
  change: { host?: string; port?: string; database?: string; user?: string; password?: string },
  query = '',
): string {
  const url = new URL(base);
  const host = change.host ?? url.hostname;
  const port = change.port ?? url.port;
  const user = encodeURIComponent(change.user ?? decodeURIComponent(url.username));
  const password = encodeURIComponent(change.password ?? decodeURIComponent(url.password));
  const database = change.database ?? url.pathname.slice(1);
  return `postgresql://${user}:${password}@${host}${port ? `:${port}` : ''}/${database}${query}`;
}

describe('CDC sources: what a connection string may reach', () => {
  let db: TestDatabase;
  let sourceDb: TestDatabase;
  let sql: Pool;
  // Without CDC_ALLOWED_HOSTS (the default), and with loopback and link-local allowed.
  let strict: ApiHarness;
  let open: ApiHarness;
  let token: string;
  let notPostgres: net.Server;
  let notPostgresPort: number;
  const sockets = new Set<net.Socket>();
  const role = `cdc_rep_${randomUUID().slice(0, 8)}`;

  const create = (api: ApiHarness, connectionString: string, name = 'shop') =>
    api.call<Refusal>('POST', '/api/cdc/sources', {
      token,
      body: {
        name,
        sourceId: ids.database,
        destinationId: ids.lake,
        connectionString,
        tables: ['orders'],
        paused: true,
      },
    });
  const reasonOf = async (api: ApiHarness, connectionString: string) => {
    const reply = await create(api, connectionString);
    expectWithMessage(reply.status, `${connectionString}: ${JSON.stringify(reply.body)}`).toBe(400);
    const error = reply.body.errors.find((e) => e.field === 'connectionString');
    expectWithMessage(error, `${connectionString}: ${JSON.stringify(reply.body)}`).toBeDefined();
    return error!.reason;
  };

  beforeAll(async () => {
    db = await createTestDatabase('cdc_api');
    sourceDb = await createTestDatabase('cdc_api_source');
    const source = new Client({ connectionString: sourceDb.url });
    await source.connect();
    await source.query('CREATE TABLE orders (id int PRIMARY KEY, status text)');
    // A second role that may log in and replicate: another spelling of the same database.
    await source.query(`CREATE ROLE ${role} LOGIN REPLICATION PASSWORD 'rep-secret'`);
    await source.end();
    sql = new Pool({ connectionString: db.url, max: 2 });
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'Org', 'cdcorg', now()),
         ($2, $1, 'database', 'ERP', 'cdcorg.erp', now()),
         ($3, $1, 'database', 'Lake', 'cdcorg.lake', now())`,
      [ids.org, ids.database, ids.lake],
    );
    token = (
      await membersWithTokens(sql, db.url, [['owner@cdc.example', ids.org, 'owner']], 'cdc')
    )['owner@cdc.example'];
    strict = await startApi(db.url);
    open = await startApi(db.url, {
      cdc: { allowedHosts: ['127.0.0.0/8', '::1', '169.254.0.0/16'], maxRetainedWalMb: 4096 },
    });
    // Something that answers on a port, but not Postgres.
    notPostgres = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    });
    await new Promise<void>((resolve) => notPostgres.listen(0, '127.0.0.1', resolve));
    notPostgresPort = (notPostgres.address() as net.AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    await strict?.close();
    await open?.close();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => notPostgres?.close(resolve));
    await sql?.end();
    const admin = new Client({ connectionString: sourceDb.url });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
    await db?.drop();
    await sourceDb?.drop();
  });

  it("refuses the platform's own database, however its address is spelt", async () => {
    const own = new URL(db.url);
    const port = own.port;
    const spellings = [
      db.url,
      variant(db.url, { host: 'localhost' }),
      variant(db.url, { host: '127.1' }),
      variant(db.url, { host: '2130706433' }),
      variant(db.url, { host: '0x7f000001' }),
      variant(db.url, { host: '[::ffff:127.0.0.1]' }),
      variant(db.url, { port: `000${port}` }),
      // The database's name with an escaped first letter.
      variant(db.url, {
        database: `%${own.pathname.charCodeAt(1).toString(16)}${own.pathname.slice(2)}`,
      }),
      // Another role of the same server, which may replicate.
      variant(db.url, { user: role, password: 'rep-secret' }),
    ];
    for (const url of spellings) {
      expectWithMessage(await reasonOf(open, url), url).toBe(
        "the platform's own database cannot be a source",
      );
    }
    // The same server's other databases are another matter (when their host is allowed).
    const allowed = await create(open, sourceDb.url, 'allowed_shop');
    expectWithMessage(allowed.status, JSON.stringify(allowed.body)).toBe(201);
    const { rows } = await sql.query<{ name: string }>('SELECT name FROM cdc_source');
    expect(rows.map((r) => r.name)).toEqual(['allowed_shop']);
  });

  it('refuses loopback, this machine, and Unix sockets unless CDC_ALLOWED_HOSTS lists them', async () => {
    const port = new URL(sourceDb.url).port;
    const own = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && !i.internal && i.family === 'IPv4')?.address;
    const hosts = ['127.0.0.1', 'localhost', '[::1]', '0.0.0.0', '127.1', '[::ffff:7f00:1]'];
    if (own) hosts.push(own);
    else console.warn('no non-loopback IPv4 address on this machine: not probing it');
    for (const host of hosts) {
      expectWithMessage(await reasonOf(strict, variant(sourceDb.url, { host })), host).toMatch(
        new RegExp(`^host \\S+ is not allowed: .*CDC_ALLOWED_HOSTS`),
      );
    }
    const socket = `postgresql://u:p@%2Ftmp:${port}/db`;
    expect(await reasonOf(strict, socket)).toMatch(/host \/tmp is not allowed/);
    expect(await reasonOf(open, socket)).toMatch(/host \/tmp is not allowed/);
    // The very source the other API (127.0.0.0/8 allowed) registered in the first test.
    expect((await create(strict, sourceDb.url, 'strict_shop')).status).toBe(400);
  });

  it('refuses cloud metadata addresses, even when their range is allowed', async () => {
    for (const host of [
      '169.254.169.254',
      '[::ffff:169.254.169.254]',
      '[fd00:ec2::254]',
      'metadata.google.internal',
      '100.100.100.200',
    ]) {
      expectWithMessage(await reasonOf(open, `postgresql://u:p@${host}:5432/db`), host).toMatch(
        /is not allowed: .*cloud metadata/,
      );
    }
  });

  it.each([
    'sslcert',
    'sslkey',
    'sslrootcert',
    'sslcrl',
    'sslcrldir',
    'passfile',
    'service',
    'servicefile',
  ])(
    'refuses the parameter %s, which reads a file of the platform, naming it',
    async (parameter) => {
      const url = `${sourceDb.url}?sslmode=require&${parameter}=/etc/passwd`;
      expect(await reasonOf(open, url)).toBe(
        `parameter ${parameter} is not allowed: it makes the platform read a file of its own machine`,
      );
    },
  );

  it('answers a closed port, another service, TLS and password failures and an unknown host alike', async () => {
    const closed = await freePort();
    const cases = {
      'closed port': variant(sourceDb.url, { port: String(closed) }),
      'not Postgres': variant(sourceDb.url, { port: String(notPostgresPort) }),
      'TLS refused': `${sourceDb.url}?sslmode=require`,
      'wrong password': variant(sourceDb.url, { user: role, password: 'wrong' }),
      'unknown host': variant(sourceDb.url, { host: 'no-such-host.invalid' }),
    };
    const reasons = new Set<string>();
    for (const [what, url] of Object.entries(cases)) {
      const reason = await reasonOf(open, url);
      expectWithMessage(reason, what).toBe('could not connect to the source');
      reasons.add(reason);
    }
    expect(reasons.size).toBe(1);
    // The reasons are in the server's log, for its operator.
    const log = open.logs.join('\n');
    expect(log).toContain(`127.0.0.1:${closed}: connect ECONNREFUSED`);
    expect(log).toMatch(new RegExp(`127\\.0\\.0\\.1:${notPostgresPort}: `));
    expect(log).toMatch(/does not support SSL/);
    expect(log).toMatch(/password authentication failed/);
    expect(log).toMatch(/no-such-host\.invalid:\d+: .*ENOTFOUND/);
  });
});

import { decodeMultiStream, encode } from '@msgpack/msgpack';
import { FluentClient } from '@fluent-org/logger';
import { openSecret } from '@sextant/config';
import { IngestWriter, PathDirectory } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { TimeSeriesStore } from '@sextant/timeseries';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpServer } from '../http/server';
import { PathStats } from '../stats';
import { createGatewayPath, TestPath, testSecretKey } from '../testing/gateway-fixtures';
import { ForwardKeys } from './forward-keys';
import { ForwardServer } from './forward-server';
import { ForwardRepository } from './forward.repository';

// The forward server on a real socket and database, driven by real clients: the shared key an
// agent was told to configure (sha256 of the token) keeps working, while what the database
// holds (token_hash, the sealed key) opens nothing; failed handshakes are throttled per
// address and never read the keys afresh; tags over the cap are refused and counted.

// The throttle is per address: a second one (IPv6's loopback) shows that.
const ipv6Loopback = Object.values(networkInterfaces()).some((addresses) =>
  addresses?.some((a) => a.internal && a.address === '::1'),
);
if (!ipv6Loopback) console.log('skipping the second address: no IPv6 loopback on this machine');

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A forward connection by hand: bytes out, decoded server messages in. */
class RawForward {
  private readonly messages: AsyncIterator<unknown>;
  private pending: Promise<unknown> | null = null;

  private constructor(readonly socket: net.Socket) {
    socket.on('error', () => undefined);
    this.messages = decodeMultiStream(socket)[Symbol.asyncIterator]();
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawForward> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => resolve(new RawForward(socket)));
      socket.once('error', reject);
    });
  }

  /** The next server message, 'closed', or 'timeout'. */
  async next(timeoutMs = 10_000): Promise<unknown> {
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutMs).unref(),
    );
    this.pending ??= this.messages.next().then(
      (r) => (r.done ? 'closed' : r.value),
      () => 'closed',
    );
    const message = await Promise.race([this.pending, timeout]);
    if (message !== 'timeout') this.pending = null;
    return message;
  }

  /** HELO → PING with `sharedKey` → the PONG (checked when it says yes). */
  async handshake(sharedKey: string): Promise<unknown[]> {
    const helo = (await this.next()) as [string, { nonce: Uint8Array }];
    expect(helo[0]).toBe('HELO');
    const salt = randomBytes(16).toString('hex');
    const digest = (host: string) =>
      createHash('sha512')
        .update(salt)
        .update(host)
        .update(helo[1].nonce)
        .update(sharedKey)
        .digest('hex');
    this.socket.write(encode(['PING', 'int-client', salt, digest('int-client'), '', '']));
    const pong = (await this.next()) as unknown[];
    if (pong[1] === true) expect(pong[4]).toBe(digest(pong[3] as string));
    return pong;
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** A forward server on the test database, with the database reads of its pool counted. */
async function startForward(
  url: string,
  options: { keyMaxAgeMs?: number; authFailures?: number; host?: string } = {},
) {
  const pool = new Pool({ connectionString: url, max: 4 });
  let reads = 0;
  // Every query takes a client from the pool: the server's database reads.
  pool.on('acquire', () => reads++);
  const repository = new ForwardRepository(pool);
  const stats = new PathStats();
  const logs: string[] = [];
  const server = new ForwardServer({
    directory: new PathDirectory(pool),
    repository,
    writer: new IngestWriter(new TimeSeriesStore(pool)),
    stats,
    maxMessageBytes: 1 << 20,
    idleSeconds: 30,
    requireAuth: true,
    keys: new ForwardKeys(repository, testSecretKey, (l) => logs.push(l), options.keyMaxAgeMs),
    authFailures: { max: options.authFailures ?? 1000, coolOffSeconds: 600 },
    defaultToken: null,
    tls: null,
    hostname: 'int-gateway',
    log: (l) => logs.push(l),
  });
  const { port } = await server.listen(0, options.host ?? '127.0.0.1');
  return {
    port,
    stats,
    logs,
    reads: () => reads,
    stop: async () => {
      await server.close();
      await pool.end();
    },
  };
}

type Forward = Awaited<ReturnType<typeof startForward>>;

/** Sends records with @fluent-org/logger (acknowledged: stored), as a configured agent does. */
async function emitWithFluentClient(port: number, sharedKey: string, tag: string, n: number) {
  const client = new FluentClient(null, {
    eventMode: 'PackedForward',
    socket: { host: '127.0.0.1', port, timeout: 10_000 },
    security: { clientHostname: 'int-fluent-client', sharedKey },
    ack: { ackTimeout: 10_000 },
  });
  try {
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.emit(tag, { value: i }, new Date(Date.UTC(2026, 10, 20, 0, 0, i))),
      ),
    );
  } finally {
    await client.shutdown();
  }
}

describe(ForwardServer.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let forward: Forward;
  let path: TestPath;

  const seriesCount = async (measurement: string) =>
    Number(
      (
        await pool.query(`SELECT count(*)::int AS n FROM series WHERE measurement = $1`, [
          measurement,
        ])
      ).rows[0].n,
    );

  beforeAll(async () => {
    db = await createTestDatabase('ingest_forward');
    pool = new Pool({ connectionString: db.url, max: 2 });
    path = await createGatewayPath(pool, 'fwd', 'forward', {
      // Hostile to a backtracking matcher; harmless now.
      forward: { nodes: { '*a*a*a*a*b': 'fwd.site' } },
    });
    forward = await startForward(db.url);
  });

  afterAll(async () => {
    await forward?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('stores what an agent sends with the shared key it was told to use (sha256 of the token)', async () => {
    // As the portal tells users: shared_key = printf %s "$TOKEN" | sha256sum.
    await emitWithFluentClient(forward.port, sha256(path.token), 'fwd.agent', 5);
    expect(await seriesCount('fwd.agent')).toBe(1);
  });

  it('stores what fluent-logger sends, acknowledged', async () => {
    // fluent-logger is CommonJS without types.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createFluentSender } = require('fluent-logger') as {
      createFluentSender: (
        tag: string,
        options: Record<string, unknown>,
      ) => {
        emit: (label: string, data: object, time: number, done: (e?: Error) => void) => void;
        end: () => void;
        on: (event: string, listener: (error: Error) => void) => void;
      };
    };
    const sender = createFluentSender('fwd', {
      host: '127.0.0.1',
      port: forward.port,
      requireAckResponse: true,
      ackResponseTimeout: 10_000,
      security: { clientHostname: 'int-fluent-logger', sharedKey: sha256(path.token) },
      internalLogger: { info: () => undefined, error: () => undefined },
    });
    sender.on('error', () => undefined);
    for (let i = 0; i < 3; i++)
      await new Promise<void>((resolve, reject) =>
        sender.emit('logger', { value: i }, 1_795_000_000 + i, (e) => (e ? reject(e) : resolve())),
      );
    sender.end();
    expect(await seriesCount('fwd.logger')).toBe(1);
  });

  it('takes a token made while it runs at once, told by the database, not by a failed try', async () => {
    // Keys cached for a minute: only the change notice can make the new one known.
    const own = await startForward(db.url, { keyMaxAgeMs: 60_000 });
    try {
      const first = await RawForward.open(own.port);
      expect((await first.handshake(path.sharedKey))[1]).toBe(true);
      first.close();
      const fresh = await createGatewayPath(pool, 'fresh', 'forward');
      // The notice comes at commit, a moment after: at most a few tries.
      let pong: unknown[] = [];
      for (let attempt = 0; attempt < 5 && pong[1] !== true; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 200));
        const connection = await RawForward.open(own.port);
        pong = await connection.handshake(fresh.sharedKey);
        connection.close();
      }
      expect(pong.slice(0, 3)).toEqual(['PONG', true, '']);
    } finally {
      await own.stop();
    }
  });

  it('keeps no usable credential in the database: token_hash and the sealed key open nothing', async () => {
    const { rows } = await pool.query<{
      token_hash: string;
      shared_key_sealed: Buffer;
      legacy_shared_key: string | null;
      copy: string;
    }>(
      `SELECT token_hash, shared_key_sealed, legacy_shared_key, row_to_json(t)::text AS copy
         FROM path_token t WHERE id = $1`,
      [path.tokenId],
    );
    const [copy] = rows;
    const sharedKey = sha256(path.token);
    // Nothing of the row, as a dump would show it, is the shared key or the token.
    expect(copy.copy).not.toContain(sharedKey);
    expect(copy.copy).not.toContain(path.token);
    expect(copy.shared_key_sealed.toString('hex')).not.toContain(sharedKey);
    expect(copy.token_hash).toBe(sha256(sharedKey));
    expect(copy.legacy_shared_key).toBeNull();
    // The sealed key opens only with the platform secret.
    expect(openSecret(testSecretKey, copy.shared_key_sealed)).toBe(sharedKey);

    // A forward handshake with what the copy holds is refused.
    for (const stolen of [copy.token_hash, copy.shared_key_sealed.toString('hex')]) {
      const connection = await RawForward.open(forward.port);
      const pong = await connection.handshake(stolen);
      expect(pong.slice(0, 3)).toEqual([
        'PONG',
        false,
        'shared key mismatch: use the sha256 of an active path token',
      ]);
      expect(await connection.next()).toBe('closed');
    }

    // So is an HTTP write that presents it as the token, by any scheme.
    const http = createHttpServer({
      directory: new PathDirectory(pool),
      writer: new IngestWriter(new TimeSeriesStore(pool)),
      stats: new PathStats(),
      maxBodyBytes: 1 << 20,
      maxLineBytes: 1 << 16,
      maxInFlight: 8,
      requestTimeoutSeconds: 30,
      version: 'test',
      health: async () => true,
    });
    try {
      const write = (authorization: string) =>
        http.inject({
          method: 'POST',
          url: '/api/v2/write',
          headers: { authorization },
          payload: 'stolen v=1',
        });
      for (const stolen of [copy.token_hash, sharedKey]) {
        expect((await write(`Token ${stolen}`)).statusCode).toBe(401);
        expect((await write(`Bearer ${stolen}`)).statusCode).toBe(401);
      }
      // The token itself still writes, as fast as before: one indexed lookup.
      expect((await write(`Token ${path.token}`)).statusCode).toBe(204);
    } finally {
      await http.close();
    }
    expect(await seriesCount('stolen')).toBe(1);
  });

  it('refuses a message whose tag is over the cap, counts it, and goes on with the next', async () => {
    const connection = await RawForward.open(forward.port);
    expect((await connection.handshake(sha256(path.token)))[1]).toBe(true);
    const long = 'x'.repeat(2000);
    connection.write(encode([long, [[1_795_000_000, { v: 1 }]], { chunk: 'long' }]));
    // A tag of 1,000 'a's: the hostile rule *a*a*a*a*b does not match it (no trailing b).
    const hostile = 'a'.repeat(1000);
    connection.write(encode([hostile, [[1_795_000_000, { v: 2 }]], { chunk: 'hostile' }]));
    // Messages of a connection are handled in order: the first answer is for the second.
    expect(await connection.next()).toEqual({ ack: 'hostile' });
    connection.close();
    expect(forward.stats.gateway.forwardTagsRefused).toBe(1);
    const [entry] = forward.stats.snapshot().filter((e) => e.pathId === path.pathId);
    expect(entry.lastError).toMatch(/tag of 2000 characters is longer than the limit of 1024/);
    expect(entry.rejectedLines).toBeGreaterThanOrEqual(1);
    // The long tag stored nothing; the hostile one is on the path's source node.
    expect(await seriesCount(long.slice(0, 200))).toBe(0);
    const { rows } = await pool.query(
      `SELECT s.node_id FROM series s JOIN chunk c ON c.series_id = s.id
        WHERE s.measurement = $1 GROUP BY s.node_id`,
      [hostile.slice(0, 200)],
    );
    expect(rows).toEqual([{ node_id: path.sourceId }]);
  });
});

describe('forward handshake throttling', () => {
  let db: TestDatabase;
  let pool: Pool;
  let forward: Forward;
  let path: TestPath;

  beforeAll(async () => {
    db = await createTestDatabase('ingest_forward_throttle');
    pool = new Pool({ connectionString: db.url, max: 2 });
    path = await createGatewayPath(pool, 'thr', 'forward');
    // Keys cached for a minute: the reads counted below do not depend on how fast this runs.
    forward = await startForward(db.url, { keyMaxAgeMs: 60_000, authFailures: 5, host: '::' });
  });

  afterAll(async () => {
    await forward?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('reads the keys once for many failed handshakes, then refuses the address unchecked', async () => {
    const wrong = sha256('sxt_not-a-token');
    const pongs: unknown[][] = [];
    const readsAfter: number[] = [];
    for (let i = 0; i < 20; i++) {
      const connection = await RawForward.open(forward.port);
      pongs.push(await connection.handshake(wrong));
      expect(await connection.next()).toBe('closed');
      readsAfter.push(forward.reads());
    }
    // 5 failures are checked (the keys read once, cached also on a miss), 15 refused unchecked.
    expect(pongs.slice(0, 5).map((p) => p[2])).toEqual(
      new Array(5).fill('shared key mismatch: use the sha256 of an active path token'),
    );
    for (const pong of pongs.slice(5))
      expect(pong[2]).toMatch(/^too many failed handshakes from this address: retry in \d+ s$/);
    expect(readsAfter[4]).toBe(1);
    // The 15 refused ones did not touch the database.
    expect(readsAfter[19]).toBe(readsAfter[4]);
    expect(forward.stats.gateway).toMatchObject({
      forwardHandshakesRefused: 5,
      forwardHandshakesThrottled: 15,
    });
    expect(forward.logs.filter((l) => /cooling off/.test(l))).toHaveLength(15);

    // Even the right key is refused from that address while it cools off (without a digest).
    const right = await RawForward.open(forward.port);
    expect((await right.handshake(path.sharedKey))[2]).toMatch(/too many failed handshakes/);
    right.close();
  });

  it('checks no more than the budget of handshakes sent at once from one address', async () => {
    const own = await startForward(db.url, { authFailures: 5 });
    try {
      const connections = await Promise.all(
        Array.from({ length: 30 }, () => RawForward.open(own.port)),
      );
      // Every PING is sent before the first is answered (the keys are read meanwhile).
      const pongs = await Promise.all(
        connections.map((c) => c.handshake(sha256('sxt_not-a-token-either'))),
      );
      const reasons = pongs.map((p) => String(p[2]));
      expect(reasons.filter((r) => r.startsWith('shared key mismatch'))).toHaveLength(5);
      expect(reasons.filter((r) => r.startsWith('too many failed handshakes'))).toHaveLength(25);
      expect(own.stats.gateway).toMatchObject({
        forwardHandshakesRefused: 5,
        forwardHandshakesThrottled: 25,
      });
      for (const c of connections) c.close();
    } finally {
      await own.stop();
    }
  });

  (ipv6Loopback ? it : it.skip)('lets another address in meanwhile', async () => {
    const ipv6 = await RawForward.open(forward.port, '::1');
    const pong = await ipv6.handshake(path.sharedKey);
    expect(pong.slice(0, 3)).toEqual(['PONG', true, '']);
    ipv6.close();
  });
});

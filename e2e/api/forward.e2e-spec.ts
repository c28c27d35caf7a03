import { decodeMultiStream, encode } from '@msgpack/msgpack';
import { EventTime, FluentClient } from '@fluent-org/logger';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { inject, sharedDataFile } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api, graphql } from '../support/http';
import {
  logged,
  OwnGateway,
  pathWithToken,
  pointsOf,
  seriesOf,
  startGateway,
} from '../support/ingest';

// The fluentd forward protocol server of the ingest gateway, driven by real clients
// (@fluent-org/logger, fluent-logger), a fluent-bit capture and hand-made frames.

// Found above the checkout (also from a git worktree a level deeper); absent: those tests skip.
const capture = sharedDataFile('fluent-forward', 'fluent-bit-forward-mode.msgpack');
if (!capture)
  console.log('skipped the fluent-bit capture tests: shared/data/fluent-forward is absent');
const capturePath = capture ?? '';
const port = () => inject('ingestForwardPort');

/** The forward shared key of a path token: its sha256, hex (what agents are told to use). */
const sharedKeyOf = (token: string) => createHash('sha256').update(token).digest('hex');

/** A forward path (a fresh node and token) whose records land in `measurement`. */
async function forwardPath(forward: Record<string, unknown> = {}) {
  const created = await pathWithToken({}, 'forward');
  const measurement = created.measurement;
  const patched = await api('PATCH', `/api/paths/${created.pathId}`, {
    mapping: { forward: { measurement, ...forward } },
  });
  expect(patched.status).toBe(200);
  return { ...created, measurement, sharedKey: sharedKeyOf(created.token.token) };
}

/** A raw connection: bytes out, decoded server messages in. */
class RawConnection {
  private readonly messages: AsyncIterator<unknown>;
  private pending: Promise<unknown> | null = null;
  readonly closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.messages = decodeMultiStream(socket)[Symbol.asyncIterator]();
  }

  static open(forwardPort: number, secure = false): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({ host: '127.0.0.1', port: forwardPort, rejectUnauthorized: false }, () =>
            resolve(new RawConnection(socket)),
          )
        : net.connect(forwardPort, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** The next server message, or 'closed'. */
  async next(timeoutMs = 10_000): Promise<unknown> {
    const timeout = new Promise<'timeout'>((resolve) =>
      setTimeout(() => resolve('timeout'), timeoutMs).unref(),
    );
    // A message that arrives after a timeout is kept for the next call.
    this.pending ??= this.messages.next().then(
      (r) => (r.done ? 'closed' : r.value),
      () => 'closed',
    );
    const message = await Promise.race([this.pending, timeout]);
    if (message !== 'timeout') this.pending = null;
    return message;
  }

  /** HELO → PING → PONG with `sharedKey`; returns the PONG. */
  async handshake(sharedKey: string, hostname = 'e2e-raw-client'): Promise<unknown[]> {
    const helo = (await this.next()) as [
      string,
      { nonce: Uint8Array; auth: unknown; keepalive: boolean },
    ];
    expect(helo[0]).toBe('HELO');
    const salt = randomBytes(16).toString('hex');
    const digest = (key: string, host: string) =>
      createHash('sha512')
        .update(salt)
        .update(host)
        .update(helo[1].nonce)
        .update(key)
        .digest('hex');
    this.socket.write(encode(['PING', hostname, salt, digest(sharedKey, hostname), '', '']));
    const pong = (await this.next()) as unknown[];
    if (pong[1] === true) expect(pong[4]).toBe(digest(sharedKey, pong[3] as string));
    return pong;
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

function fluentClient(
  sharedKey: string,
  eventMode: 'Message' | 'Forward' | 'PackedForward' | 'CompressedPackedForward',
) {
  return new FluentClient(null, {
    eventMode,
    socket: { host: '127.0.0.1', port: port(), timeout: 10_000 },
    security: { clientHostname: 'e2e-fluent-client', sharedKey },
    ack: { ackTimeout: 10_000 },
    milliseconds: true,
  });
}

const t0 = Date.parse('2026-11-20T00:00:00Z');

describe('ingest gateway over the fluentd forward protocol', () => {
  it.each(['Message', 'Forward', 'PackedForward', 'CompressedPackedForward'] as const)(
    'stores every record @fluent-org/logger sends in %s mode, acknowledged after commit',
    async (mode) => {
      const { measurement, sharedKey, nodeId } = await forwardPath({ tags: ['turbine'] });
      const client = fluentClient(sharedKey, mode);
      const sent = Array.from({ length: 40 }, (_, i) =>
        client.emit(
          measurement,
          { turbine: i % 2 ? 'T01' : 'T02', wind_speed_ms: 5 + i / 10, ok: i % 3 === 0 },
          new Date(t0 + i * 1000),
        ),
      );
      // Each emit resolves when the gateway acknowledged its chunk, i.e. after the commit.
      await Promise.all(sent);
      await client.shutdown();
      const series = await seriesOf(measurement);
      expect(series).toHaveLength(4); // 2 turbines × 2 fields
      for (const one of series) {
        expect(one.nodeId).toBe(nodeId);
        expect(await pointsOf(one.id)).toHaveLength(20);
      }
      const speeds = series.filter((x) => x.field === 'wind_speed_ms');
      const first = (await pointsOf(speeds[0].id))[0];
      expect(first.time).toMatch(/^2026-11-20T00:00:0[01]\.000Z$/);
    },
  );

  it('answers fluentd’s UDP heartbeat on the forward port', async () => {
    const socket = dgram.createSocket('udp4');
    try {
      const reply = new Promise<Buffer>((resolve, reject) => {
        socket.once('message', resolve);
        setTimeout(() => reject(new Error('no heartbeat reply within 3 s')), 3_000);
      });
      socket.send(Buffer.from([0]), port(), '127.0.0.1');
      expect((await reply).length).toBe(1);
    } finally {
      socket.close();
    }
  });

  it('attributes series to a node under the path’s source by the record’s tag', async () => {
    const { measurement, sharedKey, nodeId, pathId } = await forwardPath();
    const reference = `${measurement}.t07`;
    const child = await api<{ id: string }>('POST', '/api/nodes', {
      name: `Turbine ${reference}`,
      reference,
      kind: 'machine',
      parentId: nodeId,
    });
    expect(child.status).toBe(201);
    const patched = await api('PATCH', `/api/paths/${pathId}`, {
      mapping: {
        forward: {
          measurement,
          // The second rule names a node outside the path's source node: it is ignored.
          nodes: { 't07.*': reference, 'other.*': 'acme.lake' },
        },
      },
    });
    expect(patched.status).toBe(200);
    const client = fluentClient(sharedKey, 'Forward');
    await Promise.all([
      client.emit('t07.power', { power_kw: 1 }, new Date(t0)),
      client.emit('other.power', { other_kw: 2 }, new Date(t0)),
    ]);
    await client.shutdown();
    const series = await seriesOf(measurement);
    const owner = (field: string) => series.find((x) => x.field === field)?.nodeId;
    expect(owner('power_kw')).toBe(child.body.id);
    expect(owner('other_kw')).toBe(nodeId);
  });

  it('stores fluent-logger’s records (requireAckResponse and the shared key)', async () => {
    const { measurement, sharedKey } = await forwardPath();
    // fluent-logger is CommonJS without types.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createFluentSender } = require('fluent-logger') as {
      createFluentSender: (
        tag: string,
        options: Record<string, unknown>,
      ) => {
        emit: (
          label: string,
          data: object,
          time: number,
          callback: (error?: Error) => void,
        ) => void;
        end: () => void;
        on: (event: string, listener: (error: Error) => void) => void;
      };
    };
    const sender = createFluentSender(measurement, {
      host: '127.0.0.1',
      port: port(),
      requireAckResponse: true,
      ackResponseTimeout: 10_000,
      security: { clientHostname: 'e2e-fluent-logger', sharedKey },
      internalLogger: { info: () => undefined, error: () => undefined },
    });
    sender.on('error', () => undefined);
    const emit = (i: number) =>
      new Promise<void>((resolve, reject) =>
        sender.emit('', { value: i }, Math.floor(t0 / 1000) + i, (error) =>
          error ? reject(error) : resolve(),
        ),
      );
    for (let i = 0; i < 10; i++) await emit(i);
    sender.end();
    const series = await seriesOf(measurement);
    expect(series.map((x) => x.field)).toEqual(['value']);
    expect(await pointsOf(series[0].id)).toHaveLength(10);
  });

  (!capture ? it.skip : it)('stores the fluent-bit capture sent after the handshake', async () => {
    const { measurement, sharedKey } = await forwardPath();
    const connection = await RawConnection.open(port());
    const pong = await connection.handshake(sharedKey);
    expect(pong.slice(0, 3)).toEqual(['PONG', true, '']);
    connection.write(readFileSync(capturePath));
    // Messages of a connection are handled in order: this ack means the capture is stored too.
    connection.write(encode(['marker', 1, { n: 1 }, { chunk: 'after-capture' }]));
    expect(await connection.next()).toEqual({ ack: 'after-capture' });
    connection.close();
    const series = await seriesOf(measurement);
    expect(series).toHaveLength(16); // the capture's 15 fields, and the marker's n
    const cpu = series.find((x) => x.field === 'cpu_p')!;
    const points = await pointsOf(cpu.id);
    expect(points).toHaveLength(2);
    // EventTime 1620667108 s + 89187600 ns, exact
    expect(points[0]).toEqual({ time: '2021-05-10T17:18:28.089187600Z', value: 0.25 });
  });

  it('keeps records without numbers as events, listed by REST and GraphQL', async () => {
    const { measurement, sharedKey, pathId } = await forwardPath();
    const client = fluentClient(sharedKey, 'PackedForward');
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        client.emit(
          measurement,
          { level: 'warn', message: `disk ${i} almost full` },
          new Date(t0 + i * 1000),
        ),
      ),
    );
    await client.shutdown();
    const page1 = await api<{
      items: { tag: string; time: string; record: Record<string, unknown> }[];
      nextCursor: string | null;
    }>('GET', `/api/paths/${pathId}/events?limit=3`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((e) => e.record.message)).toEqual([
      'disk 4 almost full',
      'disk 3 almost full',
      'disk 2 almost full',
    ]);
    expect(page1.body.items[0]).toMatchObject({
      tag: measurement,
      time: '2026-11-20T00:00:04.000Z',
    });
    const page2 = await api<{ items: unknown[]; nextCursor: string | null }>(
      'GET',
      `/api/paths/${pathId}/events?limit=3&cursor=${page1.body.nextCursor}`,
    );
    expect(page2.body.items).toHaveLength(2);
    expect(page2.body.nextCursor).toBeNull();
    const before = await api<{ items: unknown[] }>(
      'GET',
      `/api/paths/${pathId}/events?before=2026-11-20T00:00:02Z`,
    );
    expect(before.body.items).toHaveLength(2);
    const gql = await graphql<{
      pathEvents: { items: { timeNs: string; record: { level: string } }[] };
    }>('query($id: ID!) { pathEvents(pathId: $id, limit: 1) { items { timeNs record } } }', {
      id: pathId,
    });
    expect(gql.errors).toBeUndefined();
    expect(gql.data?.pathEvents.items).toEqual([
      {
        timeNs: String(BigInt(t0 + 4000) * 1_000_000n),
        record: { level: 'warn', message: 'disk 4 almost full' },
      },
    ]);
    expect(await seriesOf(measurement)).toEqual([]);
    const bad = await api('GET', `/api/paths/${pathId}/events?limit=0&before=yesterday`);
    expect(bad.status).toBe(400);
  });

  it('refuses a wrong shared key and stores nothing', async () => {
    const { measurement, sharedKey } = await forwardPath();
    const connection = await RawConnection.open(port());
    const pong = await connection.handshake(sharedKeyOf('sxt_not-a-token'));
    expect(pong[1]).toBe(false);
    expect(pong[2]).toMatch(/shared key mismatch/);
    connection.write(encode([measurement, 1, { v: 1 }, { chunk: 'x' }]));
    expect(await connection.next()).toBe('closed');
    // Events without any handshake are refused too.
    const bare = await RawConnection.open(port());
    expect(((await bare.next()) as unknown[])[0]).toBe('HELO');
    bare.write(encode([measurement, 1, { v: 1 }, { chunk: 'y' }]));
    expect(await bare.next()).toBe('closed');
    expect(await seriesOf(measurement)).toEqual([]);
    expect(sharedKey).not.toBe(sharedKeyOf('sxt_not-a-token'));
  });

  it('does not acknowledge a message the path’s rate limit refuses (the client resends it)', async () => {
    const created = await pathWithToken({ limits: { pointsPerMinute: 5 } }, 'forward');
    const connection = await RawConnection.open(port());
    expect((await connection.handshake(sharedKeyOf(created.token.token)))[1]).toBe(true);
    const entries = Array.from({ length: 10 }, (_, i) => [1_700_000_000 + i, { v: i }]);
    connection.write(encode([created.measurement, entries, { chunk: 'limited' }]));
    expect(await connection.next(1500)).toBe('timeout');
    connection.write(encode([created.measurement, [entries[0]], { chunk: 'small' }]));
    expect(await connection.next()).toEqual({ ack: 'small' });
    connection.close();
    const [series] = await seriesOf(created.measurement);
    expect(await pointsOf(series.id)).toHaveLength(1);
  });

  it('survives hundreds of random, mutated and truncated frames, then still acknowledges a good client', async () => {
    const { measurement, sharedKey } = await forwardPath();
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const valid = [
      encode([measurement, 1_700_000_000, { v: 1 }, { chunk: 'a' }]),
      encode([measurement, [[1_700_000_000, { v: 1 }]], { size: 1 }]),
      encode([measurement, encode([1_700_000_000, { v: 2 }]), { chunk: 'b' }]),
    ];
    const frame = (i: number): Uint8Array => {
      const base = valid[i % valid.length];
      switch (i % 5) {
        case 0: // random bytes
          return Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () =>
            Math.floor(random() * 256),
          );
        case 1: {
          // a few flipped bytes
          const bytes = Uint8Array.from(base);
          for (let k = 0; k < 3; k++)
            bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
          return bytes;
        }
        case 2: // cut short
          return base.subarray(0, Math.floor(random() * base.length));
        case 3: // wrong types
          return encode([[measurement], 'time', 42, { chunk: 7 }]);
        default: // a declared length far over the limit
          return Uint8Array.from([0x92, 0xa1, 0x61, 0xdb, 0x7f, 0xff, 0xff, 0xff]);
      }
    };
    const attempt = async (i: number) => {
      const connection = await RawConnection.open(port());
      if (i % 2 === 0) await connection.handshake(sharedKey);
      connection.write(frame(i));
      connection.socket.end();
      // Read what the server sends, so its close reaches us.
      connection.socket.resume();
      await Promise.race([connection.closed, new Promise((r) => setTimeout(r, 3000))]);
      connection.close();
    };
    for (let i = 0; i < 300; i += 25)
      await Promise.all(Array.from({ length: 25 }, (_, k) => attempt(i + k)));
    const client = fluentClient(sharedKey, 'Forward');
    await client.emit(measurement, { after: 1 }, new EventTime(1_700_000_100, 0));
    await client.shutdown();
    const series = await seriesOf(measurement);
    expect(series.map((x) => x.field)).toContain('after');
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('forward server without the handshake, over TLS, with small limits', () => {
  const openssl = hasOpenssl();
  if (!openssl) console.log('skipped the TLS forward tests: openssl is not installed');
  let gateway: OwnGateway;
  let measurement: string;
  let tempDir: string;

  beforeAll(async () => {
    if (!openssl) return;
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'sextant-forward-tls-'));
    const cert = path.join(tempDir, 'cert.pem');
    const key = path.join(tempDir, 'key.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    const created = await forwardPath();
    measurement = created.measurement;
    gateway = await startGateway({
      INGEST_FORWARD_REQUIRE_AUTH: 'false',
      INGEST_FORWARD_DEFAULT_TOKEN: created.token.token,
      INGEST_FORWARD_TLS_CERT: cert,
      INGEST_FORWARD_TLS_KEY: key,
      INGEST_FORWARD_IDLE_SECONDS: '2',
      INGEST_FORWARD_MAX_MESSAGE_BYTES: '4096',
    });
  });

  afterAll(async () => {
    if (gateway) {
      const exited = new Promise((resolve) => gateway.process.child.once('exit', resolve));
      gateway.process.child.kill('SIGTERM');
      await exited;
    }
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  });

  (!openssl || !capture ? it.skip : it)(
    'stores the fluent-bit capture on the default token’s path over TLS',
    async () => {
      const connection = await RawConnection.open(gateway.forwardPort, true);
      connection.write(readFileSync(capturePath));
      connection.write(encode(['marker', 1, { n: 1 }, { chunk: 'tls' }]));
      expect(await connection.next()).toEqual({ ack: 'tls' });
      connection.close();
      expect(await seriesOf(measurement)).toHaveLength(16);
    },
  );

  (!openssl ? it.skip : it)(
    'closes an idle connection after INGEST_FORWARD_IDLE_SECONDS',
    async () => {
      const connection = await RawConnection.open(gateway.forwardPort, true);
      const started = Date.now();
      expect(await connection.next(10_000)).toBe('closed');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
      expect(await logged(gateway, /idle for 2 s/)).toBe(true);
    },
  );

  (!openssl ? it.skip : it)(
    'closes a connection whose message trickles in too slowly',
    async () => {
      const connection = await RawConnection.open(gateway.forwardPort, true);
      const bytes = encode(['slow', 1, { text: 'x'.repeat(100) }]);
      const started = Date.now();
      let i = 0;
      const timer = setInterval(() => connection.write(bytes.subarray(i, ++i)), 300);
      expect(await connection.next(10_000)).toBe('closed');
      clearInterval(timer);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await logged(gateway, /a message stayed incomplete for 2 s/)).toBe(true);
    },
  );

  (!openssl ? it.skip : it)(
    'refuses a message over INGEST_FORWARD_MAX_MESSAGE_BYTES with a clear reason',
    async () => {
      const connection = await RawConnection.open(gateway.forwardPort, true);
      connection.write(encode(['big', 1, { text: 'x'.repeat(10_000) }, { chunk: 'big' }]));
      expect(await connection.next()).toBe('closed');
      expect(
        await logged(
          gateway,
          /message is larger than the limit of 4096 bytes \(INGEST_FORWARD_MAX_MESSAGE_BYTES\)/,
        ),
      ).toBe(true);
    },
  );
});

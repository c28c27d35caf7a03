import { IngestWriter, PathDirectory } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { TimeSeriesStore } from '@sextant/timeseries';
import type { FastifyInstance } from 'fastify';
import net, { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PathStats } from '../stats';
import { createGatewayPath } from '../testing/gateway-fixtures';
import { createHttpServer } from './server';

// The gateway's HTTP writes, on a real socket: a request without a valid token is answered
// 401 as soon as its head arrives, before the gateway reads (or makes room for) its body,
// whatever Content-Length it announces.

const mib = 1024 * 1024;

interface RawAnswer {
  /** The status line and headers, as far as they came. */
  head: string;
  status: number | null;
  /** Whether the gateway closed the connection. */
  closed: boolean;
}

/**
 * Sends a request head announcing `declared` bytes and then only `sent` of them, and waits for
 * the answer (up to `timeoutMs`) without ever sending the rest.
 */
function announce(
  port: number,
  url: string,
  headers: Record<string, string>,
  declared: number,
  sent: string,
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let head = '';
    let closed = false;
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.1 (\d{3})/.exec(head);
      resolve({ head, status: match ? Number(match[1]) : null, closed });
    };
    // No answer within the time: the gateway is waiting for the body.
    const timer = setTimeout(done, timeoutMs);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      head += chunk.toString('latin1');
      // A kept-alive connection stays open: the answer is complete with its head.
      if (head.includes('\r\n\r\n') && !/\r\nconnection: close\r\n/i.test(head)) done();
    });
    socket.on('end', () => {
      closed = true;
      done();
    });
    socket.on('connect', () => {
      const lines = [
        `POST ${url} HTTP/1.1`,
        'Host: gateway',
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
        `Content-Length: ${declared}`,
        '',
        '',
      ];
      socket.write(lines.join('\r\n') + sent);
    });
  });
}

describe('gateway HTTP authentication before the body', () => {
  let db: TestDatabase;
  let pool: Pool;
  let app: FastifyInstance;
  let port = 0;
  let token = '';

  beforeAll(async () => {
    db = await createTestDatabase('ingest_http_auth');
    pool = new Pool({ connectionString: db.url, max: 4 });
    ({ token } = await createGatewayPath(pool, 'auth'));
    app = createHttpServer({
      directory: new PathDirectory(pool),
      writer: new IngestWriter(new TimeSeriesStore(pool)),
      stats: new PathStats(),
      // As large as INGEST_MAX_BODY_BYTES goes: the sizes below are all allowed ones.
      maxBodyBytes: 1024 * mib,
      maxLineBytes: 64 * 1024,
      maxInFlight: 64,
      requestTimeoutSeconds: 60,
      version: 'test',
      health: async () => true,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await app?.close();
    await pool?.end();
    await db?.drop();
  });

  it.each([
    ['a wrong token', '/api/v2/write', { Authorization: 'Token sxt_not-a-token' }],
    ['no token', '/write?db=lake', {}],
    ['a wrong token in the query', '/write?db=lake&u=x&p=sxt_wrong', {}],
    [
      'a wrong token on the JSON route',
      '/api/v1/json',
      { Authorization: 'Bearer sxt_wrong', 'Content-Type': 'application/json' },
    ],
  ])(
    'answers %s that announces 1 GiB with 401 before the body, and closes',
    async (_, url, headers) => {
      const answer = await announce(port, url, headers, 1024 * mib, 'cpu v=1 1\n');
      // Only the head and 10 bytes were sent: an answer now means the body was not awaited.
      expect(answer.status).toBe(401);
      expect(answer.head).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer.head).toMatch(/unknown or revoked token/);
      expect(answer.closed).toBe(true);
    },
  );

  it('takes no memory for the bodies that unauthenticated requests announce', async () => {
    const before = process.memoryUsage().arrayBuffers;
    // 8 × 256 MiB announced at once: 2 GiB of buffers if bodies were allocated before the token.
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        announce(port, '/api/v2/write', { Authorization: 'Token sxt_wrong' }, 256 * mib, 'x'),
      ),
    );
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(grown).toBeLessThan(16 * mib);
    expect(answers.map((a) => a.status)).toEqual(new Array(8).fill(401));
  });

  it('still reads the body of a request with a valid token, and stores it', async () => {
    const body = 'auth_cpu,host=a v=1 1700000000000000000\n';
    const answer = await announce(
      port,
      '/api/v2/write?precision=ns',
      { Authorization: `Token ${token}` },
      body.length,
      body,
    );
    expect(answer.status).toBe(204);
    const { rows } = await pool.query(`SELECT key FROM series WHERE measurement = 'auth_cpu'`);
    expect(rows.map((r) => r.key)).toEqual(['auth_cpu,host=a v']);
  });

  it('waits for the body of a valid token’s request (the answer comes after it)', async () => {
    // The token is good: the gateway now waits for the 100 bytes announced, of which 10 came.
    const answer = await announce(
      port,
      '/api/v2/write?precision=ns',
      { Authorization: `Token ${token}` },
      100,
      'auth_cpu v',
      1500,
    );
    expect(answer.status).toBeNull();
  });
});

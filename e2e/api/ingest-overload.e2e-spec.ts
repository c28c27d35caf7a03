import { freePort } from '@sextant/db';
import type { ManagedProcess } from '@sextant/stack';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api } from '../support/http';
import { pathWithToken, PathToken, startGateway } from '../support/ingest';

const s = 1_000_000_000n;

describe('ingest gateway under overload and slow clients', () => {
  let gateway: ManagedProcess;
  let url: string;
  let port: number;
  let token: PathToken;
  let measurement: string;

  beforeAll(async () => {
    port = await freePort();
    // Two writes in progress at most, and three seconds for a client to send its request (one
    // second was too short for 30 bodies at once on a busy 2-core machine: some got 408).
    gateway = (
      await startGateway({
        INGEST_HTTP_PORT: String(port),
        INGEST_MAX_IN_FLIGHT: '2',
        INGEST_REQUEST_TIMEOUT_SECONDS: '3',
      })
    ).process;
    url = `http://127.0.0.1:${port}`;
    ({ token, measurement } = await pathWithToken());
  });
  afterAll(() => {
    gateway.child.kill('SIGKILL');
  });

  it('answers 503 with Retry-After beyond its writes in progress, and stores every 204', async () => {
    const body = (w: number) =>
      Array.from(
        { length: 2000 },
        (_, i) => `${measurement},w=w${w % 5} v=${i} ${BigInt(w * 2000 + i) * s}`,
      ).join('\n');
    const replies = await Promise.all(
      Array.from({ length: 30 }, async (_, w) => {
        const response = await fetch(`${url}/api/v2/write`, {
          method: 'POST',
          body: body(w),
          headers: { authorization: `Token ${token.token}` },
        });
        const text = await response.text();
        return {
          w,
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          text,
        };
      }),
    );
    const busy = replies.filter((r) => r.status === 503);
    const stored = replies.filter((r) => r.status === 204);
    expect(busy.length).toBeGreaterThan(0);
    expect(busy.every((r) => Number(r.retryAfter) > 0 && /busy/.test(r.text))).toBe(true);
    expect(stored.length + busy.length).toBe(replies.length);

    // Exactly the acknowledged writes are stored: 2,000 points each.
    const series = await api<{ items: { id: string }[] }>(
      'GET',
      `/api/series?measurement=${measurement}`,
    );
    let points = 0;
    for (const item of series.body.items) {
      const reply = await api<{ points: unknown[] }>(
        'GET',
        `/api/series/${item.id}/points?from=1970-01-01T00:00:00Z&to=1971-01-01T00:00:00Z&limit=100000`,
      );
      points += reply.body.points.length;
    }
    expect(points).toBe(stored.length * 2000);
  });

  it('closes the connection of a client that sends its request too slowly', async () => {
    const started = Date.now();
    const closed = await new Promise<{ after: number; answer: string }>((resolve) => {
      let answer = '';
      const socket = connect(port, '127.0.0.1', () => {
        // Headers, then nothing of the promised body.
        socket.write(
          `POST /write HTTP/1.1\r\nHost: x\r\nAuthorization: Token ${token.token}\r\nContent-Length: 1000\r\n\r\nm v=1`,
        );
      });
      socket.on('data', (chunk) => (answer += chunk.toString()));
      socket.on('close', () => resolve({ after: Date.now() - started, answer }));
      socket.on('error', () => undefined);
      // Should the server never close it, fail rather than hang.
      setTimeout(() => socket.destroy(), 15_000);
    });
    expect(closed.after).toBeLessThan(10_000);
    expect(closed.answer).toMatch(/^HTTP\/1.1 408|^$/);
    // The gateway still serves others.
    const reply = await fetch(`${url}/ping`);
    expect(reply.status).toBe(204);
  });
});

import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage, inject } from '@sextant/testing';
import { api } from '../support/http';
import { pathWithToken, PathToken } from '../support/ingest';

const ingest = () => inject('ingestUrl');
const s = 1_000_000_000n;

/** Deterministic pseudo-random numbers (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pieces = [
  ',',
  ' ',
  '=',
  '"',
  '\\',
  '\n',
  'i',
  'u',
  'e308',
  '-',
  '.',
  't',
  'NaN',
  '\u0000',
  '\u00e9',
  '\ud800',
  '9'.repeat(30),
  '#',
];

/** A body made by breaking good line protocol in one of several ways. */
function mutate(next: () => number, good: string): Buffer {
  const bytes = Buffer.from(good);
  const pick = (n: number) => Math.floor(next() * n);
  switch (pick(8)) {
    case 0: // random bytes
      return Buffer.from(Array.from({ length: pick(400) }, () => pick(256)));
    case 1: // truncated
      return bytes.subarray(0, pick(bytes.length));
    case 2: {
      // bit flips
      const copy = Buffer.from(bytes);
      for (let i = 0; i < 1 + pick(8); i++) copy[pick(copy.length)] ^= 1 << pick(8);
      return copy;
    }
    case 3: {
      // syntax characters spliced in
      let text = good;
      for (let i = 0; i < 1 + pick(5); i++) {
        const at = pick(text.length);
        text = text.slice(0, at) + pieces[pick(pieces.length)] + text.slice(at);
      }
      return Buffer.from(text);
    }
    case 4: // invalid UTF-8 sequences
      return Buffer.concat([
        bytes.subarray(0, pick(bytes.length)),
        Buffer.from([0xc3, 0x28, 0xff]),
      ]);
    case 5: // a very long line
      return Buffer.from(`m,t=${'x'.repeat(1 << (10 + pick(11)))} v=1`);
    case 6: // lines repeated with random timestamps
      return Buffer.from(
        Array.from({ length: 1 + pick(50) }, () => `m v=${next()} ${pick(2 ** 31)}`).join('\n'),
      );
    default: // empty or whitespace
      return Buffer.from(['', '\n\n', '   ', '\r\n'][pick(4)]);
  }
}

describe('ingest gateway under random and broken input (HTTP)', () => {
  let token: PathToken;
  let measurement: string;
  beforeAll(async () => {
    ({ token, measurement } = await pathWithToken());
  });

  it('answers thousands of broken requests with 4xx, never 5xx, then serves a good client', async () => {
    const next = random(20261123);
    const good = Array.from(
      { length: 20 },
      (_, i) => `${measurement},unit=u${i % 3} v=${i}.5,n=${i}i,ok=true,s="x${i}" ${BigInt(i) * s}`,
    ).join('\n');
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    const requests = 3000;
    let sent = 0;
    const worker = async () => {
      while (sent < requests) {
        sent++;
        const pick = (n: number) => Math.floor(next() * n);
        let body: Buffer = mutate(next, good);
        const headers: Record<string, string> = { authorization: `Token ${token.token}` };
        const query = [
          '',
          '?precision=ns',
          '?precision=s',
          `?precision=${pick(1000)}`,
          '?precision=',
        ][pick(5)];
        switch (pick(10)) {
          case 0:
            headers['content-encoding'] = 'gzip'; // not gzip at all
            break;
          case 1:
            headers['content-encoding'] = 'gzip';
            body = gzipSync(body).subarray(0, 5 + pick(20)); // truncated gzip
            break;
          case 2:
            headers['content-encoding'] = 'gzip';
            body = gzipSync(body);
            break;
          case 3:
            headers.authorization = ['Token ', 'Basic %%%', `Token ${'z'.repeat(300)}`, 'x'][
              pick(4)
            ];
            break;
          default:
            break;
        }
        const response = await fetch(`${ingest()}${['/api/v2/write', '/write'][pick(2)]}${query}`, {
          method: 'POST',
          body,
          headers,
        });
        const text = await response.text();
        if (response.status >= 500) failures.push(`${response.status} ${text.slice(0, 300)}`);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));

    // Garbage that is not even HTTP, on raw connections.
    const port = Number(new URL(ingest()).port);
    const raw = async (bytes: Buffer) =>
      new Promise<void>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
        socket.setTimeout(5_000, () => socket.destroy());
        socket.on('data', () => undefined);
        socket.on('close', () => resolve());
        socket.on('error', () => resolve());
      });
    for (let i = 0; i < 300; i++) {
      const pick = (n: number) => Math.floor(next() * n);
      await raw(
        pick(2)
          ? Buffer.from(Array.from({ length: 1 + pick(2000) }, () => pick(256)))
          : Buffer.from(`POST /write HTTP/1.1\r\nContent-Length: ${pick(99999)}\r\n\r\nm v=1`),
      );
    }

    const codes = [...statuses.keys()].sort();
    expectWithMessage(
      codes.every((code) => code >= 200 && code < 500),
      `statuses ${codes.join(',')}`,
    ).toBe(true);
    expect(statuses.get(400)).toBeGreaterThan(100);

    // A good client still gets its points stored.
    const reply = await fetch(`${ingest()}/api/v2/write`, {
      method: 'POST',
      body: good,
      headers: { authorization: `Token ${token.token}` },
    });
    expect(reply.status).toBe(204);
    const series = await api<{ items: { field: string; tags: { unit: string } }[] }>(
      'GET',
      `/api/series?measurement=${measurement}&limit=100`,
    );
    // 3 units × 4 fields.
    expect(series.body.items.filter((x) => x.tags.unit).length).toBeGreaterThanOrEqual(12);
    expect((await fetch(`${ingest()}/health`)).status).toBe(200);
    // 3,300 requests: on two busy cores this takes a minute or more; the bound only guards a hang.
  }, 300_000);
});

import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { flushTallies } from '@sextant/ingest';
import { gzipSync } from 'node:zlib';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { api } from '../support/http';
import { pathWithToken, pointsOf, postToGateway, seriesOf } from '../support/ingest';

const ingest = () => inject('ingestUrl');
const s = 1_000_000_000n;
const post = postToGateway;
const pointCount = async (id: string) => (await pointsOf(id)).length;

describe('ingest gateway over HTTP (InfluxDB protocol)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: inject('databaseUrl'), max: 2 });
  });
  afterAll(async () => {
    await pool?.end();
  });

  it('answers /ping and /health like InfluxDB', async () => {
    const ping = await fetch(`${ingest()}/ping`);
    expect(ping.status).toBe(204);
    expect(ping.headers.get('x-influxdb-version')).toBeTruthy();
    const health = await fetch(`${ingest()}/health`);
    expect(health.status).toBe(200);
    expect(((await health.json()) as { status: string }).status).toBe('pass');
  });

  it('stores what the official InfluxDB 2 client writes, on the path’s node and resources', async () => {
    const { token, nodeId, measurement } = await pathWithToken();
    const client = new InfluxDB({ url: ingest(), token: token.token });
    const writer = client.getWriteApi('acme', 'lake', 'ns', { maxRetries: 0, batchSize: 1000 });
    const t0 = Date.parse('2026-11-20T00:00:00Z');
    for (let i = 0; i < 300; i++) {
      writer.writePoint(
        new Point(measurement)
          .tag('turbine', i % 2 ? 'T01' : 'T02')
          .floatField('wind_speed_ms', 5 + i / 100)
          .intField('alarms', i % 3)
          .timestamp(new Date(t0 + i * 10_000)),
      );
    }
    await writer.close(); // resolves after the gateway answered 204 for every batch
    const series = await seriesOf(measurement);
    expect(series).toHaveLength(4); // 2 turbines x 2 fields
    for (const one of series) {
      expect(one.nodeId).toBe(nodeId);
      expect(await pointCount(one.id)).toBe(150);
    }
    const resources = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/resources?limit=500',
    );
    const ref = (id: string) => resources.body.items.find((r) => r.id === id)?.reference;
    expect(ref(series.find((x) => x.field === 'wind_speed_ms')!.resourceId)).toBe('wind.speed');
    expect(ref(series.find((x) => x.field === 'alarms')!.resourceId)).toBe('ingest.points');
  });

  it('takes 1.x writes with u/p credentials, a precision and a gzip body', async () => {
    const { token, measurement } = await pathWithToken();
    const body = gzipSync(
      Array.from(
        { length: 50 },
        (_, i) => `${measurement},site=a v=${i}.5 ${1_795_000_000 + i}`,
      ).join('\n'),
    );
    const reply = await post(`/write?db=lake&precision=s&u=writer&p=${token.token}`, body, {
      'content-encoding': 'gzip',
    });
    expect(reply.status).toBe(204);
    const [series] = await seriesOf(measurement);
    const points = await api<{ points: { time: string; value: number }[] }>(
      'GET',
      `/api/series/${series.id}/points?from=2026-11-01T00:00:00Z&to=2026-12-31T00:00:00Z&limit=10`,
    );
    expect(points.body.points[0]).toEqual({ time: '2026-11-18T11:06:40.000Z', value: 0.5 });
  });

  it('stores the good lines of a partial write and names each bad line', async () => {
    const { token, measurement } = await pathWithToken();
    const body = [
      `${measurement} v=1 ${1n * s}`,
      `${measurement} v=oops ${2n * s}`,
      `${measurement} v=3 ${3n * s}`,
      `${measurement},broken v=4`,
      `${measurement} v=5 ${5n * s}`,
    ].join('\n');
    const reply = await post('/api/v2/write?org=acme&bucket=lake', body, {
      authorization: `Token ${token.token}`,
    });
    expect(reply.status).toBe(400);
    const lines = reply.body!.lines as { line: number; message: string }[];
    expect(lines.map((l) => l.line)).toEqual([2, 4]);
    expect(lines[0].message).toMatch(/not a number, boolean or quoted string/);
    expect(lines[1].message).toMatch(/expected '=' after tag name "broken"/);
    expect(reply.body!.accepted).toBe(3);
    expect(String(reply.body!.error)).toMatch(/^partial write: 2 lines rejected/);
    const [series] = await seriesOf(measurement);
    expect(await pointCount(series.id)).toBe(3);
  });

  it('refuses unknown and revoked tokens with 401 and writes nothing', async () => {
    const { token, pathId, measurement } = await pathWithToken();
    const unknown = await post('/api/v2/write', `${measurement} v=1`, {
      authorization: 'Token sxt_not-a-real-token',
    });
    expect(unknown.status).toBe(401);
    expect(String(unknown.body!.message)).toMatch(/unknown or revoked token/);
    const none = await post('/write', `${measurement} v=1`);
    expect(none.status).toBe(401);
    const revoke = await api('DELETE', `/api/paths/${pathId}/tokens/${token.id}`);
    expect(revoke.status).toBe(200);
    const revoked = await post('/api/v2/write', `${measurement} v=1`, {
      authorization: `Token ${token.token}`,
    });
    expect(revoked.status).toBe(401);
    expect(await seriesOf(measurement)).toEqual([]);
    // Listed without the secret.
    const list = await api<Record<string, unknown>[]>('GET', `/api/paths/${pathId}/tokens`);
    expect(list.body[0].revokedAt).toBeTruthy();
    expect(list.body[0].token).toBeUndefined();
    expect(JSON.stringify(list.body)).not.toContain(token.token);
  });

  it('limits a path’s points per minute with 429 and Retry-After', async () => {
    const { token, measurement } = await pathWithToken({ limits: { pointsPerMinute: 10 } });
    const lines = (n: number, from: number) =>
      Array.from({ length: n }, (_, i) => `${measurement} v=${i} ${BigInt(from + i) * s}`).join(
        '\n',
      );
    const auth = { authorization: `Token ${token.token}` };
    expect((await post('/api/v2/write', lines(6, 0), auth)).status).toBe(204);
    const limited = await post('/api/v2/write', lines(6, 100), auth);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const [series] = await seriesOf(measurement);
    expect(await pointCount(series.id)).toBe(6);
  });

  it.each([
    [
      'an unknown precision',
      '/api/v2/write?precision=fortnight',
      'v=1',
      {},
      400,
      /unknown precision/,
    ],
    [
      'a body that is not gzip',
      '/api/v2/write',
      'v=1',
      { 'content-encoding': 'gzip' },
      400,
      /not valid gzip/,
    ],
    [
      'an unknown encoding',
      '/api/v2/write',
      'v=1',
      { 'content-encoding': 'br' },
      415,
      /Content-Encoding/,
    ],
  ])('answers %s with an error status', async (_, url, line, headers, status, message) => {
    const { token, measurement } = await pathWithToken();
    const reply = await post(url, `${measurement} ${line}`, {
      authorization: `Token ${token.token}`,
      ...headers,
    });
    expect(reply.status).toBe(status);
    expect(String(reply.body!.message)).toMatch(message);
  });

  it('accounts every stored point as movements of the path, exactly', async () => {
    const { token, pathId, nodeId, measurement } = await pathWithToken();
    const auth = { authorization: `Token ${token.token}` };
    let sent = 0;
    for (let batch = 0; batch < 5; batch++) {
      const body = Array.from(
        { length: 40 },
        (_, i) =>
          `${measurement},unit=u${i % 4} wind_speed_ms=${i}.1,other=${batch}i ${BigInt(batch * 1000 + i) * s}`,
      ).join('\n');
      expect((await post('/api/v2/write', body, auth)).status).toBe(204);
      sent += 80;
    }
    // A rejected line is not accounted.
    expect((await post('/api/v2/write', `${measurement} v=bad`, auth)).status).toBe(400);
    await flushTallies(pool, { all: true });
    const movements = await api<{
      items: { quantity: string; sourceId: string; destinationId: string; resourceId: string }[];
    }>('GET', `/api/movements?pathId=${pathId}&limit=100`);
    const total = movements.body.items.reduce((n, m) => n + Number(m.quantity), 0);
    expect(total).toBe(sent);
    expect(movements.body.items.every((m) => m.sourceId === nodeId)).toBe(true);
    const stored = await pool.query<{ points: string }>(
      `SELECT sum(c.count)::text AS points FROM chunk c JOIN series s ON s.id = c.series_id
        WHERE s.measurement = $1`,
      [measurement],
    );
    expect(Number(stored.rows[0].points)).toBe(total);
  });

  it('counts a retried batch once: movements equal the distinct points stored', async () => {
    const { token, pathId, measurement } = await pathWithToken();
    const auth = { authorization: `Token ${token.token}` };
    const batch = (from: number) =>
      Array.from({ length: 50 }, (_, i) => `${measurement} v=${i} ${BigInt(from + i) * s}`).join(
        '\n',
      );
    expect((await post('/api/v2/write', batch(0), auth)).status).toBe(204);
    // The same batch again (a client that lost the answer), then one overlapping it by half.
    expect((await post('/api/v2/write', batch(0), auth)).status).toBe(204);
    expect((await post('/api/v2/write', batch(25), auth)).status).toBe(204);
    await flushTallies(pool, { all: true });
    const movements = await api<{ items: { quantity: string }[] }>(
      'GET',
      `/api/movements?pathId=${pathId}&limit=100`,
    );
    // 0..49, then 25..74: 75 distinct timestamps.
    expect(movements.body.items.reduce((n, m) => n + Number(m.quantity), 0)).toBe(75);
    const [series] = await seriesOf(measurement);
    expect(await pointCount(series.id)).toBe(75);
  });

  it('refuses lines that would exceed the path’s series quota with 429, keeping the rest', async () => {
    const { token, measurement } = await pathWithToken({ limits: { maxSeries: 3 } });
    const auth = { authorization: `Token ${token.token}` };
    const first = [1, 2].map((u) => `${measurement},unit=u${u} v=1 ${s}`).join('\n');
    expect((await post('/api/v2/write', first, auth)).status).toBe(204);
    // u1 exists, u3 fits the quota, u4 and u5 do not.
    const second = [1, 3, 4, 5].map((u) => `${measurement},unit=u${u} v=2 ${2n * s}`).join('\n');
    const reply = await post('/api/v2/write', second, auth);
    expect(reply.status).toBe(429);
    expect(Number(reply.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(String(reply.body!.message)).toMatch(/may hold 3 series and holds 2/);
    const lines = reply.body!.lines as { line: number }[];
    expect(lines.map((l) => l.line)).toEqual([3, 4]);
    const units = (await seriesOf(measurement)).map((x) => x.tags.unit);
    expect(units.sort()).toEqual(['u1', 'u2', 'u3']);
  });
});

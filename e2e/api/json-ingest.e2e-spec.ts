import { gzipSync } from 'node:zlib';
import { describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { api } from '../support/http';
import { pathWithToken, seriesOf } from '../support/ingest';

interface Rejected {
  index?: number;
  line?: number;
  message: string;
}

const json = 'application/json';
const ndjson = 'application/x-ndjson';

async function post(
  token: string | null,
  body: string | Buffer,
  contentType: string,
  query = '',
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${inject('ingestUrl')}/api/v1/json${query}`, {
    method: 'POST',
    body,
    headers: {
      'content-type': contentType,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

async function points(id: string) {
  const reply = await api<{ points: { time: string; value: unknown }[] }>(
    'GET',
    `/api/series/${id}/points?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=1000`,
  );
  return reply.body.points;
}

describe('ingest gateway: JSON and NDJSON over HTTP', () => {
  it('stores one object and arrays of nested and flat records on the path’s node', async () => {
    const { token, nodeId, measurement } = await pathWithToken({}, 'http');
    const single = await post(
      token.token,
      JSON.stringify({
        measurement,
        tags: { turbine: 'T01' },
        fields: { power_kw: 1200.5, state: 'running' },
        time: '2026-11-21T10:00:00Z',
      }),
      json,
    );
    expect(single.status).toBe(204);
    const array = await post(
      token.token,
      JSON.stringify([
        { measurement, turbine: 'T01', power_kw: 1300, time: Date.parse('2026-11-21T10:10:00Z') },
        { measurement, turbine: 'T02', power_kw: 800.25, time: '2026-11-21T10:00:00.5+00:00' },
      ]),
      `${json}; charset=utf-8`,
    );
    expect(array.status).toBe(204);
    const series = await seriesOf(measurement);
    expect(series.map((s) => [s.field, s.tags, s.valueType])).toEqual([
      ['power_kw', { turbine: 'T01' }, 'float'],
      ['power_kw', { turbine: 'T02' }, 'float'],
      ['state', { turbine: 'T01' }, 'string'],
    ]);
    expect(series.every((s) => s.nodeId === nodeId)).toBe(true);
    expect(await points(series[0].id)).toEqual([
      { time: '2026-11-21T10:00:00.000Z', value: 1200.5 },
      { time: '2026-11-21T10:10:00.000Z', value: 1300 },
    ]);
    expect(await points(series[1].id)).toEqual([
      { time: '2026-11-21T10:00:00.500Z', value: 800.25 },
    ]);
    expect(await points(series[2].id)).toEqual([
      { time: '2026-11-21T10:00:00.000Z', value: 'running' },
    ]);
  });

  it('takes gzipped NDJSON with a precision and integers', async () => {
    const { token, measurement } = await pathWithToken({}, 'http');
    const body = Array.from(
      { length: 100 },
      (_, i) => JSON.stringify({ measurement, count: i, time: 1_795_255_200 + i * 60 }), // seconds
    ).join('\n');
    const reply = await post(token.token, gzipSync(body), ndjson, '?precision=s&integers=true', {
      'content-encoding': 'gzip',
    });
    expect(reply.status).toBe(204);
    const [series] = await seriesOf(measurement);
    expect(series.valueType).toBe('integer');
    const stored = await points(series.id);
    expect(stored).toHaveLength(100);
    // The API hands 64-bit integers out as strings, exactly.
    expect(stored[99]).toEqual({ time: '2026-11-21T11:39:00.000Z', value: '99' });
  });

  it('stores the good records of a partial write and names each bad one by index', async () => {
    const { token, measurement } = await pathWithToken({}, 'http');
    const time = '2026-11-21T10:00:00Z';
    const reply = await post(
      token.token,
      JSON.stringify([
        { measurement, v: 1, time },
        { fields: { v: 2 }, time },
        { measurement, v: 3, time: '2026-11-21T10:01:00Z' },
        { measurement, fields: { v: { nested: true } } },
        { measurement, v: 5, time: 'yesterday' },
      ]),
      json,
    );
    expect(reply.status).toBe(400);
    const records = reply.body!.records as Rejected[];
    expect(records.map((r) => r.index)).toEqual([1, 3, 4]);
    expect(records[0].message).toBe('missing measurement');
    expect(records[1].message).toMatch(/^fields\.v is an object/);
    expect(records[2].message).toMatch(/^time "yesterday" is not an RFC 3339 time/);
    expect(reply.body!.accepted).toBe(2);
    expect(String(reply.body!.message)).toMatch(
      /^partial write: 3 records rejected, 2 points stored; record \[1\]: missing measurement/,
    );
    const [series] = await seriesOf(measurement);
    expect((await points(series.id)).map((p) => p.value)).toEqual([1, 3]);
  });

  it('names bad NDJSON records by line, including the store’s own rejections', async () => {
    const { token, measurement } = await pathWithToken({}, 'http');
    const body = [
      JSON.stringify({ measurement, v: 1, time: 1000 }),
      '{"measurement": "broken"',
      JSON.stringify({ measurement, v: true, time: 2000 }), // v is already a float series
      JSON.stringify({ measurement, v: 4, time: 3000 }),
    ].join('\n');
    const reply = await post(token.token, body, ndjson);
    expect(reply.status).toBe(400);
    const records = reply.body!.records as Rejected[];
    expect(records.map((r) => r.line)).toEqual([2, 3]);
    expect(records[0].message).toMatch(/^not valid JSON/);
    expect(records[1].message).toMatch(/type conflict/);
    expect(reply.body!.accepted).toBe(2);
  });

  it.each([
    ['a body that is not JSON', '{"measurement":', json, '', 400, /^body is not valid JSON/],
    ['a scalar body', '42', json, '', 400, /must be a JSON object or an array of objects/],
    [
      'an unknown content type',
      '{}',
      'text/plain',
      '',
      415,
      /use application\/json or application\/x-ndjson/,
    ],
    ['an unknown precision', '{}', json, '?precision=h', 400, /unknown precision "h"/],
    ['a bad integers flag', '{}', json, '?integers=yes', 400, /integers must be true or false/],
  ])(
    'answers %s with an error and stores nothing',
    async (_, body, type, query, status, message) => {
      const { token, measurement } = await pathWithToken({}, 'http');
      const reply = await post(token.token, body, type, query);
      expect(reply.status).toBe(status);
      expect(String(reply.body!.message)).toMatch(message);
      expect(await seriesOf(measurement)).toEqual([]);
    },
  );

  it('refuses missing and unknown tokens with 401', async () => {
    const record = JSON.stringify({ measurement: 'm', v: 1 });
    expect((await post(null, record, json)).status).toBe(401);
    const unknown = await post('sxt_not-a-real-token', record, json);
    expect(unknown.status).toBe(401);
    expect(String(unknown.body!.message)).toMatch(/unknown or revoked token/);
  });

  it('limits a path’s points per minute with 429 and Retry-After', async () => {
    const { token, measurement } = await pathWithToken({ limits: { pointsPerMinute: 10 } }, 'http');
    const records = (from: number) =>
      JSON.stringify(Array.from({ length: 6 }, (_, i) => ({ measurement, v: i, time: from + i })));
    expect((await post(token.token, records(0), json)).status).toBe(204);
    const limited = await post(token.token, records(100), json);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    const [series] = await seriesOf(measurement);
    expect(await points(series.id)).toHaveLength(6);
  });
});

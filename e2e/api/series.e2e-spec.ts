import { describe, expect, it } from '@jest/globals';
import { api, graphql } from '../support/http';

interface Series {
  id: string;
  measurement: string;
  field: string;
  tags: Record<string, string>;
  valueType: string;
  nodeId: string | null;
  resourceId: string | null;
}
interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors: { field: string; reason: string }[];
}

const day = 86_400_000;
// The demo series run up to the stack's start; these bounds hold them all.
const to = new Date(Date.now() + day).toISOString();
const from = new Date(Date.now() - 40 * day).toISOString();

async function t01Power(): Promise<Series> {
  const reply = await api<{ items: Series[] }>(
    'GET',
    '/api/series?measurement=scada&field=active_power_kw&tag=turbine:T01',
  );
  expect(reply.status).toBe(200);
  expect(reply.body.items).toHaveLength(1);
  return reply.body.items[0];
}

describe('time series over REST and GraphQL (demo data)', () => {
  it('lists the series of a turbine by tag, each on its node and resource', async () => {
    const reply = await api<{ items: Series[] }>(
      'GET',
      '/api/series?measurement=scada&tag=turbine:T01',
    );
    expect(reply.status).toBe(200);
    expect(reply.body.items.map((s) => s.field).sort()).toEqual([
      'active_power_kw',
      'state',
      'theoretical_power_kw',
      'wind_direction_deg',
      'wind_speed_ms',
    ]);
    const nodes = new Set(reply.body.items.map((s) => s.nodeId));
    expect(nodes.size).toBe(1);
    expect(reply.body.items.every((s) => s.resourceId)).toBe(true);
  });

  it('pages raw points with a cursor, without gaps or repeats', async () => {
    const series = await t01Power();
    type Page = { points: { time: string; value: number }[]; nextCursor: string | null };
    const first = await api<Page>(
      'GET',
      `/api/series/${series.id}/points?from=${from}&to=${to}&limit=100`,
    );
    expect(first.status).toBe(200);
    expect(first.body.points).toHaveLength(100);
    expect(first.body.nextCursor).toBeTruthy();
    const second = await api<Page>(
      'GET',
      `/api/series/${series.id}/points?from=${from}&to=${to}&limit=100&cursor=${first.body.nextCursor}`,
    );
    const both = await api<Page>(
      'GET',
      `/api/series/${series.id}/points?from=${from}&to=${to}&limit=200`,
    );
    expect([...first.body.points, ...second.body.points]).toEqual(both.body.points);
    const times = both.body.points.map((p) => Date.parse(p.time));
    expect(times.every((t, i) => i === 0 || t > times[i - 1])).toBe(true);
  });

  it('charts a series in at most N points with min <= mean <= max', async () => {
    const series = await t01Power();
    const reply = await api<{
      points: { min: number; max: number; mean: number; count: number }[];
    }>('GET', `/api/series/${series.id}/chart?from=${from}&to=${to}&points=200`);
    expect(reply.status).toBe(200);
    expect(reply.body.points.length).toBeGreaterThan(50);
    expect(reply.body.points.length).toBeLessThanOrEqual(200);
    for (const p of reply.body.points) {
      expect(p.min).toBeLessThanOrEqual(p.mean + 1e-9);
      expect(p.mean).toBeLessThanOrEqual(p.max + 1e-9);
    }
  });

  it('aggregates daily means grouped by turbine, counting every stored point', async () => {
    const reply = await api<{
      groups: {
        tags: { turbine: string };
        buckets: { values: { count: number; mean: number | null } }[];
      }[];
      stats: { chunks: number; chunksDecoded: number };
    }>('POST', '/api/series/aggregate', {
      measurement: 'scada',
      field: 'wind_speed_ms',
      tags: { site: 'north' },
      from: new Date(Math.floor(Date.now() / day - 40) * day).toISOString(),
      to: new Date(Math.ceil(Date.now() / day + 1) * day).toISOString(),
      every: '1d',
      aggregates: ['count', 'mean', 'min', 'max', 'p95'],
      groupBy: ['turbine'],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.groups.map((g) => g.tags.turbine).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `T${String(i + 1).padStart(2, '0')}`),
    );
    const series = (
      await api<{ items: Series[] }>(
        'GET',
        '/api/series?measurement=scada&field=wind_speed_ms&tag=turbine:T05',
      )
    ).body.items[0];
    const raw = await api<{ points: unknown[] }>(
      'GET',
      `/api/series/${series.id}/points?from=${from}&to=${to}&limit=100000`,
    );
    const t05 = reply.body.groups.find((g) => g.tags.turbine === 'T05')!;
    expect(t05.buckets.reduce((n, b) => n + b.values.count, 0)).toBe(raw.body.points.length);
  });

  it('returns the last state of every turbine (strings)', async () => {
    const reply = await api<{ value: string; series: Series }[]>(
      'GET',
      '/api/series/last?measurement=scada&field=state',
    );
    expect(reply.status).toBe(200);
    expect(reply.body).toHaveLength(12);
    for (const p of reply.body) expect(['running', 'idle', 'stopped']).toContain(p.value);
  });

  it.each([
    [
      'to before from',
      (id: string) => `/api/series/${id}/points?from=${to}&to=${from}`,
      400,
      'InvalidRange',
      'to',
    ],
    [
      'a time that is not one',
      (id: string) => `/api/series/${id}/points?from=yesterday&to=${to}`,
      400,
      'ValidationFailed',
      'from',
    ],
    [
      'a limit over the maximum',
      (id: string) => `/api/series/${id}/points?from=${from}&to=${to}&limit=100001`,
      400,
      'ValidationFailed',
      'limit',
    ],
    [
      'a chart of 0 points',
      (id: string) => `/api/series/${id}/chart?from=${from}&to=${to}&points=0`,
      400,
      'ValidationFailed',
      'points',
    ],
    [
      'an unknown series',
      () => `/api/series/987654321/points?from=${from}&to=${to}`,
      404,
      'SeriesNotFound',
      'id',
    ],
    [
      'a series id that is not one',
      () => `/api/series/abc/chart?from=${from}&to=${to}`,
      400,
      'ValidationFailed',
      'id',
    ],
  ])('rejects %s with %i naming the field', async (_, url, status, code, field) => {
    const series = await t01Power();
    const reply = await api<ErrorBody>('GET', url(series.id));
    expect(reply.status).toBe(status);
    expect(reply.body.code).toBe(code);
    expect(reply.body.errors.map((e) => e.field)).toContain(field);
    expect(reply.body.message).toBeTruthy();
  });

  it('rejects an aggregate of too many buckets or an unknown aggregate', async () => {
    const base = { measurement: 'scada', field: 'wind_speed_ms', from, to, aggregates: ['mean'] };
    const many = await api<ErrorBody>('POST', '/api/series/aggregate', { ...base, every: '1s' });
    expect(many.status).toBe(400);
    expect(many.body.code).toBe('LimitExceeded');
    expect(many.body.errors[0].field).toBe('every');
    const unknown = await api<ErrorBody>('POST', '/api/series/aggregate', {
      ...base,
      every: '1h',
      aggregates: ['median'],
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('aggregates');
  });

  it('serves charts over GraphQL and reports a bad range with its code', async () => {
    const series = await t01Power();
    const query = `query($id: ID!, $from: String!, $to: String!) {
      seriesChart(id: $id, from: $from, to: $to, points: 100) {
        series { field } points { time min max mean } stats { chunks chunksDecoded }
      }
    }`;
    const ok = await graphql<{ seriesChart: { series: { field: string }; points: unknown[] } }>(
      query,
      {
        id: series.id,
        from,
        to,
      },
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.seriesChart.series.field).toBe('active_power_kw');
    expect(ok.data!.seriesChart.points.length).toBeGreaterThan(10);
    const bad = await graphql(query, { id: series.id, from: to, to: from });
    expect(bad.status).toBe(400);
    expect(bad.errors![0].extensions!.code).toBe('InvalidRange');
  });
});

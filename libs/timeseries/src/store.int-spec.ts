import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyRetention, compact } from './upkeep';
import { TimeSeriesQueries } from './queries';
import { TimeSeriesStore } from './store';
import type { Point } from './types';

const s = 1_000_000_000n; // one second in nanoseconds
const t0 = 1_795_219_200n * s; // 2026-11-21T00:00:00Z

function scada(
  turbine: string,
  from: number,
  count: number,
  value: (i: number) => number,
): Point[] {
  return Array.from({ length: count }, (_, i) => ({
    measurement: 'scada',
    tags: { site: 'north', turbine },
    field: 'power',
    time: t0 + BigInt(from + i) * 10n * s,
    value: value(from + i),
  }));
}

describe(TimeSeriesStore.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: TimeSeriesStore;
  let queries: TimeSeriesQueries;

  beforeAll(async () => {
    db = await createTestDatabase('timeseries');
    pool = new Pool({ connectionString: db.url, max: 4 });
    store = new TimeSeriesStore(pool, { chunkSize: 100 });
    queries = new TimeSeriesQueries(store);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function points(turbine: string, from = t0, to = t0 + 100_000n * s) {
    const [series] = await queries.findSeries({
      measurement: 'scada',
      field: 'power',
      tags: { turbine },
    });
    return (await queries.raw(series.id, { from, to, limit: 100_000, order: 'asc' })).points;
  }

  it('stores points in chunks of at most chunkSize and reads them back exactly', async () => {
    const result = await store.write(scada('T01', 0, 250, (i) => Math.round(i * 7.3) / 10));
    expect(result).toMatchObject({ accepted: 250, rejected: [], series: 1, chunks: 3 }); // 100 + 100 + 50
    const read = await points('T01');
    expect(read.times).toHaveLength(250);
    expect(read.values[123]).toBe(Math.round(123 * 7.3) / 10);
  });

  it('keeps the last value for a repeated timestamp, within a batch and across batches', async () => {
    await store.write([...scada('T02', 0, 10, () => 1), ...scada('T02', 5, 1, () => 2)]);
    await store.write(scada('T02', 7, 1, () => 3));
    const read = await points('T02');
    expect(read.times).toHaveLength(10);
    expect(Array.from(read.values).slice(4, 8)).toEqual([1, 2, 1, 3]);
  });

  it('changes nothing when an identical batch is retried', async () => {
    const batch = scada('T03', 0, 50, (i) => i / 4);
    await store.write(batch);
    const before = await points('T03');
    await store.write(batch);
    expect(await points('T03')).toEqual(before);
  });

  it('accepts out-of-order points and late data into old chunks', async () => {
    await store.write(scada('T04', 100, 50, () => 5));
    await store.write(scada('T04', 0, 100, () => 4).reverse());
    await store.write(scada('T04', 120, 1, () => 9)); // late correction inside an old chunk
    const read = await points('T04');
    expect(read.times).toHaveLength(150);
    expect(read.times).toEqual([...read.times].sort((a, b) => (a < b ? -1 : 1)));
    expect(read.values[120]).toBe(9);
  });

  it('rejects NaN, ±Infinity and field type conflicts with a message, keeping the rest', async () => {
    await store.write(scada('T05', 0, 3, () => 1));
    const batch: Point[] = [
      ...scada('T05', 3, 2, () => 2),
      {
        measurement: 'scada',
        tags: { site: 'north', turbine: 'T05' },
        field: 'power',
        time: t0,
        value: 'broken',
      },
      {
        measurement: 'scada',
        tags: { site: 'north', turbine: 'T05' },
        field: 'power',
        time: t0 + s,
        value: Number.NaN,
      },
      {
        measurement: 'scada',
        tags: { site: 'north', turbine: 'T05' },
        field: 'power',
        time: t0 + 2n * s,
        value: Infinity,
      },
    ];
    const result = await store.write(batch);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.index)).toEqual([2, 3, 4]);
    expect(result.rejected[0].reason).toMatch(
      /field type conflict: string point for a float field/,
    );
    expect(result.rejected[1].reason).toMatch(/NaN/);
    expect(result.rejected[2].reason).toMatch(/Infinity/);
    expect((await points('T05')).times).toHaveLength(5);
  });

  it('writes columns, rejecting bad points by their index across the batches', async () => {
    const times = (n: number, from = 0) =>
      BigInt64Array.from({ length: n }, (_, i) => t0 + BigInt(from + i) * 10n * s);
    const result = await store.writeColumns([
      {
        measurement: 'scada',
        tags: { site: 'north', turbine: 'T11' },
        field: 'power',
        times: times(4),
        values: Float64Array.of(1.5, Number.NaN, 2.5, -Infinity),
      },
      // T05's power is a float series: strings conflict, wholly.
      {
        measurement: 'scada',
        tags: { site: 'north', turbine: 'T05' },
        field: 'power',
        times: times(2, 100),
        values: ['a', 'b'],
      },
      { measurement: '', field: 'power', times: times(1), values: Float64Array.of(1) },
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => r.index)).toEqual([1, 3, 4, 5, 6]);
    expect(result.rejected[0].reason).toMatch(/NaN and ±Infinity cannot be stored/);
    expect(result.rejected[2].reason).toMatch(
      /field type conflict: string value for a field stored as float/,
    );
    expect(result.rejected[4].reason).toMatch(/measurement must be 1-200 characters/);
    const read = await points('T11');
    expect(Array.from(read.values)).toEqual([1.5, 2.5]);
  });

  it('stores integers, booleans and strings of their own series', async () => {
    const base = { measurement: 'state', tags: { turbine: 'T06' } };
    const result = await store.write([
      { ...base, field: 'alarms', time: t0, value: 3n, type: 'integer' },
      { ...base, field: 'running', time: t0, value: true },
      { ...base, field: 'mode', time: t0, value: 'curtailed' },
      { ...base, field: 'mode', time: t0 + s, value: 'normal' },
    ]);
    expect(result.accepted).toBe(4);
    const last = await queries.last(await queries.findSeries({ measurement: 'state' }));
    const byField = Object.fromEntries(last.map((l) => [l.series.field, l.value]));
    expect(byField).toEqual({ alarms: 3n, running: true, mode: 'normal' });
  });

  it('aggregates the same from summaries as from decoded points', async () => {
    // 360 points at 10 s: 1 hour; chunks of 100 points span 1000 s, so 1-hour buckets hold
    // whole chunks (from summaries) and 15-minute buckets cut them (decoded).
    await store.write(scada('T07', 0, 360, (i) => (i % 17) + 0.5));
    const run = (every: bigint) =>
      queries.aggregate({
        measurement: 'scada',
        field: 'power',
        tags: { turbine: 'T07' },
        from: t0,
        to: t0 + 3600n * s,
        every,
        aggregates: ['count', 'sum', 'mean', 'min', 'max', 'first', 'last', 'stddev'],
      });
    const hourly = await run(3600n * s);
    expect(hourly.stats.chunksFromSummary).toBe(4); // 100 + 100 + 100 + 60 points
    // 15-minute buckets cut the chunks but hold whole segments (1-minute grains here).
    const quarters = await run(900n * s);
    expect(quarters.stats.chunksFromSegments + quarters.stats.chunksFromSummary).toBe(4);
    expect(quarters.stats.chunksFromSegments).toBeGreaterThan(0);
    expect(quarters.stats.chunksDecoded).toBe(0);
    // 7.5-minute buckets cut some segments: those points are decoded.
    const halves = await run(450n * s);
    expect(halves.stats.chunksDecoded).toBeGreaterThan(0);
    for (const result of [quarters, halves]) {
      const merged = { count: 0, sum: 0 };
      for (const b of result.groups[0].buckets) {
        merged.count += b.values.count!;
        merged.sum += b.values.sum!;
      }
      expect(merged.count).toBe(360);
      expect(merged.sum).toBeCloseTo(hourly.groups[0].buckets[0].values.sum!, 6);
    }
    // Bucket by bucket, segments and decoding agree with a plain computation.
    const values = Array.from({ length: 360 }, (_, i) => (i % 17) + 0.5);
    halves.groups[0].buckets.forEach((b, k) => {
      const inside = values.slice(k * 45, k * 45 + 45);
      expect(b.values.count).toBe(45);
      expect(b.values.min).toBe(Math.min(...inside));
      expect(b.values.max).toBe(Math.max(...inside));
      expect(b.values.first).toBe(inside[0]);
      expect(b.values.last).toBe(inside[44]);
      expect(b.values.sum).toBeCloseTo(
        inside.reduce((a, v) => a + v, 0),
        6,
      );
    });
    const hour = hourly.groups[0].buckets[0].values;
    expect(hour.count).toBe(360);
    expect(hour.first).toBe(0.5);
    expect(hour.last).toBe((359 % 17) + 0.5);
    expect(hour.min).toBe(0.5);
    expect(hour.max).toBe(16.5);
  });

  it('computes percentiles and groups by tags across series', async () => {
    const result = await queries.aggregate({
      measurement: 'scada',
      field: 'power',
      tags: { site: 'north' },
      from: t0,
      to: t0 + 3600n * s,
      every: 3600n * s,
      aggregates: ['count', 'p50'],
      groupBy: ['turbine'],
    });
    const t07 = result.groups.find((g) => g.tags.turbine === 'T07')!;
    expect(t07.buckets[0].values.p50).toBe(8.5);
    expect(result.groups.length).toBeGreaterThanOrEqual(6);
  });

  it('downsamples a series to at most N points with min and max per pixel', async () => {
    const [series] = await queries.findSeries({ measurement: 'scada', tags: { turbine: 'T07' } });
    const chart = await queries.chart(series.id, t0, t0 + 3600n * s, 12);
    expect(chart.points).toHaveLength(12);
    expect(chart.points[0].count).toBe(30); // 300 s per pixel at 10 s spacing
    expect(chart.points.every((p) => p.min <= p.mean && p.mean <= p.max)).toBe(true);
  });

  it('pages raw points in both orders', async () => {
    const [series] = await queries.findSeries({ measurement: 'scada', tags: { turbine: 'T07' } });
    const asc = await queries.raw(series.id, {
      from: t0,
      to: t0 + 3600n * s,
      limit: 150,
      order: 'asc',
    });
    expect(asc.points.times).toHaveLength(150);
    expect(asc.more).toBe(true);
    const desc = await queries.raw(series.id, {
      from: t0,
      to: t0 + 3600n * s,
      limit: 5,
      order: 'desc',
    });
    expect(desc.points.times[0]).toBe(t0 + 359n * 10n * s);
  });

  it('rejects bad ranges and oversized queries naming the field', async () => {
    const [series] = await queries.findSeries({ measurement: 'scada', tags: { turbine: 'T07' } });
    await expect(
      queries.raw(series.id, { from: t0, to: t0, limit: 1, order: 'asc' }),
    ).rejects.toThrow(/to must be after from/);
    await expect(
      queries.raw(series.id, { from: t0, to: t0 + s, limit: 1_000_000, order: 'asc' }),
    ).rejects.toThrow(/limit must be/);
    await expect(queries.series(999_999n)).rejects.toThrow(/no series with id 999999/);
    await expect(
      queries.aggregate({
        measurement: 'scada',
        field: 'power',
        from: t0,
        to: t0 + 86_400n * s * 365n,
        every: s,
        aggregates: ['mean'],
      }),
    ).rejects.toThrow(/buckets asked for/);
  });

  it('compacts small and overlapping chunks without changing what queries return', async () => {
    const before = await points('T04');
    const beforeT02 = await points('T02');
    const report = await compact(store, pool);
    expect(report.chunksAfter).toBeLessThan(report.chunksBefore);
    expect(await points('T04')).toEqual(before);
    expect(await points('T02')).toEqual(beforeT02);
    const again = await compact(store, pool);
    expect(again.series).toBe(0);
  });

  it('drops whole chunks older than the retention of their resource', async () => {
    const { rows } = await pool.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, retention_days, updated_at)
       VALUES (gen_random_uuid(), 'ret.power', 'P', 'kW', 'float', 1, now()) RETURNING id`,
    );
    const retained = new TimeSeriesStore(pool, { chunkSize: 100 });
    await retained.write(
      scada('T99', 0, 10, () => 1),
      { resourceId: rows[0].id },
    );
    // 2 days after t0, the chunk (all of it within t0 + 100 s) is older than 1 day
    expect(await applyRetention(pool, new Date(Number((t0 + 2n * 86_400n * s) / 1_000_000n)))).toBe(
      1,
    );
    expect(await applyRetention(pool, new Date(Number((t0 + 2n * 86_400n * s) / 1_000_000n)))).toBe(
      0,
    );
  });
});

import { createTestDatabase, TestDatabase } from '@sextant/testing';
import {
  PointValue,
  SeriesValueType,
  TimeSeriesQueries,
  TimeSeriesStore,
} from '@sextant/timeseries';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { flushTallies } from './accounting';
import type { IngestPath } from './paths';
import {
  decodeStage,
  encodeStage,
  gatherStaged,
  IngestStage,
  StagedColumns,
  stagedTypes,
} from './stage';
import { createTestPath } from './testing/test-path';
import { IngestLine } from './point-batch';
import { IngestWriter } from './writer';

const s = 1_000_000_000n;

/** One line of `measurement` with one field. */
function line(
  measurement: string,
  unit: string,
  key: string,
  type: SeriesValueType,
  value: PointValue,
  second: number,
  number = 1,
): IngestLine {
  return {
    prefix: `${measurement},unit=${unit}`,
    measurement,
    tags: [['unit', unit]],
    fields: [{ key, value: { type, value } }],
    time: BigInt(second) * s,
    line: number,
  };
}

/** Staged columns holding these series' points. */
function columnsOf(
  series: {
    seriesId: bigint;
    pathId: string;
    resourceId: string;
    type: SeriesValueType;
    times: BigInt64Array;
    values: Float64Array | PointValue[];
  }[],
): StagedColumns {
  const offsets = new Int32Array(series.length + 1);
  series.forEach((s, k) => (offsets[k + 1] = offsets[k] + s.times.length));
  const n = offsets[series.length];
  const times = new BigInt64Array(n);
  const floats = new Float64Array(n);
  series.forEach((s, k) => {
    times.set(s.times, offsets[k]);
    if (s.values instanceof Float64Array) floats.set(s.values, offsets[k]);
  });
  const ids = [...new Set(series.flatMap((s) => [s.pathId, s.resourceId]))];
  return {
    ids,
    seriesIds: BigInt64Array.from(series, (s) => s.seriesId),
    paths: Uint32Array.from(series, (s) => ids.indexOf(s.pathId)),
    resources: Uint32Array.from(series, (s) => ids.indexOf(s.resourceId)),
    types: Uint8Array.from(series, (s) => stagedTypes.indexOf(s.type)),
    offsets,
    times,
    floats,
    others: series.map((s) => (s.values instanceof Float64Array ? null : s.values)),
  };
}

describe(IngestStage.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: TimeSeriesStore;
  let stage: IngestStage;
  let writer: IngestWriter;
  let path: IngestPath;
  let pathId: string;

  beforeAll(async () => {
    db = await createTestDatabase('ingest_stage');
    pool = new Pool({ connectionString: db.url, max: 4 });
    ({ path, pathId } = await createTestPath(pool, 'stage', 'staged'));
    store = new TimeSeriesStore(pool);
    stage = new IngestStage(pool, store);
    // Every commit is staged.
    writer = new IngestWriter(store, { stage, stageMinPoints: 1, flushDelayMs: 1 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const stored = async (measurement: string) => {
    const { rows } = await pool.query<{ n: string | null }>(
      `SELECT sum(c.count)::text AS n FROM chunk c JOIN series x ON x.id = c.series_id
        WHERE x.measurement = $1`,
      [measurement],
    );
    return Number(rows[0].n ?? 0);
  };
  const values = async (measurement: string, field: string) => {
    const queries = new TimeSeriesQueries(store);
    const [series] = await queries.findSeries({ measurement, field });
    const { points } = await queries.raw(series.id, {
      from: 0n,
      to: 1000n * s,
      limit: 1000,
      order: 'asc',
    });
    return points.values;
  };

  it('encodes and decodes staged series of every value type exactly', () => {
    const series = [
      {
        seriesId: 7n,
        pathId: 'p',
        resourceId: 'r',
        type: 'float' as const,
        times: BigInt64Array.of(1n, -(2n ** 62n), 2n ** 62n),
        values: Float64Array.of(0.1, -0, 1e308),
      },
      {
        seriesId: 8n,
        pathId: 'p',
        resourceId: 'q',
        type: 'integer' as const,
        times: BigInt64Array.of(5n),
        values: [-(2n ** 63n)],
      },
      {
        seriesId: 9n,
        pathId: 'o',
        resourceId: 'r',
        type: 'string' as const,
        times: BigInt64Array.of(6n),
        values: ['é"\n'],
      },
      {
        seriesId: 10n,
        pathId: 'o',
        resourceId: 'r',
        type: 'boolean' as const,
        times: BigInt64Array.of(7n, 8n),
        values: [true, false],
      },
    ];
    const data = encodeStage(columnsOf(series));
    // A row read back from the database may start at any byte: decoded from a copy then.
    const misaligned = Buffer.concat([Buffer.alloc(3), data]).subarray(3);
    expect(gatherStaged([decodeStage(misaligned)])).toEqual(gatherStaged([decodeStage(data)]));
    const decoded = gatherStaged([decodeStage(data)]);
    expect(decoded.map((d) => ({ ...d, times: [...d.times], values: [...d.values] }))).toEqual(
      series.map((d) => ({ ...d, times: [...d.times], values: [...d.values] })),
    );
    expect(Object.is(decoded[0].values[1], -0)).toBe(true);
  });

  it('still reads rows staged in format 1 by an earlier gateway', () => {
    // u32 header length, the JSON header, padding to 8, then times (and float values).
    const header = Buffer.from(
      JSON.stringify({
        v: 1,
        ids: ['p', 'r'],
        series: [
          ['7', 0, 1, 'float', 2],
          ['8', 0, 1, 'integer', 1, ['-9223372036854775808']],
        ],
      }),
    );
    const start = Math.ceil((4 + header.length) / 8) * 8;
    const row = Buffer.alloc(start + 2 * 8 + 2 * 8 + 8);
    row.writeUInt32LE(header.length, 0);
    header.copy(row, 4);
    row.writeBigInt64LE(10n, start);
    row.writeBigInt64LE(20n, start + 8);
    row.writeDoubleLE(1.5, start + 16);
    row.writeDoubleLE(-2.5, start + 24);
    row.writeBigInt64LE(30n, start + 32);
    const [floats, integers] = gatherStaged([decodeStage(row)]);
    expect(floats).toMatchObject({ seriesId: 7n, pathId: 'p', resourceId: 'r', type: 'float' });
    expect([...floats.times]).toEqual([10n, 20n]);
    expect([...floats.values]).toEqual([1.5, -2.5]);
    expect([...integers.times]).toEqual([30n]);
    expect(integers.values).toEqual([-(2n ** 63n)]);
  });

  it('stores a staged commit when it is settled, and accounts a retried one once', async () => {
    const lines = Array.from({ length: 30 }, (_, i) =>
      line('staged', `u${i % 3}`, 'v', 'float', i + 0.5, i, i + 1),
    );
    expect(await writer.write(path, lines)).toMatchObject({ status: 'written', accepted: 30 });
    // Durable, not yet visible.
    expect(await stage.pending()).toBe(30);
    expect(await stored('staged')).toBe(0);
    expect(await stage.settle()).toBe(30);
    expect(await stage.pending()).toBe(0);
    expect(await stored('staged')).toBe(30);
    // The same commit again, as a client that lost the answer sends it.
    expect(await writer.write(path, lines)).toMatchObject({ status: 'written', accepted: 30 });
    await stage.settle();
    await flushTallies(pool, { all: true });
    const { rows } = await pool.query<{ n: string }>(
      'SELECT sum(quantity)::text AS n FROM movement WHERE path_id = $1',
      [pathId],
    );
    expect(Number(rows[0].n)).toBe(30);
    expect((await values('staged', 'v')).length).toBe(10);
  });

  it('settles a backlog in transactions of a bounded number of points', async () => {
    for (let commit = 0; commit < 3; commit++)
      await writer.write(
        path,
        Array.from({ length: 10 }, (_, i) =>
          line('backlog', 'a', 'v', 'float', i, commit * 10 + i),
        ),
      );
    // At most 15 points a transaction, but always one row: three transactions of 10.
    expect(await stage.settle(256, 15)).toBe(30);
    expect(await stored('backlog')).toBe(30);
    expect(await stage.pending()).toBe(0);
  });

  it('settles on a pool of one connection (the worker’s), series unknown to its store', async () => {
    await writer.write(path, [line('one', 'a', 'v', 'float', 1, 1)]);
    const single = new Pool({ connectionString: db.url, max: 1 });
    try {
      // A store with an empty cache must look the series up on the settling transaction's
      // own connection: asking the pool for a second one would wait forever.
      const settler = new IngestStage(single, new TimeSeriesStore(single));
      expect(await settler.settle()).toBe(1);
      expect(await stored('one')).toBe(1);
    } finally {
      await single.end();
    }
  }, 10_000);

  it('keeps the latest of staged values of one timestamp', async () => {
    // Eleven rows: the tenth and eleventh must not sort as text before the ninth.
    for (let v = 1; v <= 11; v++)
      await writer.write(path, [line('later', 'a', 'v', 'float', v, 5)]);
    await stage.settle();
    expect(await values('later', 'v')).toEqual([11]);
  });

  it('stages integer, boolean and string fields, and rejects a type conflict at once', async () => {
    const outcome = await writer.write(path, [
      line('typed', 'a', 'n', 'integer', 2n ** 60n, 1, 1),
      line('typed', 'a', 'ok', 'boolean', true, 1, 2),
      line('typed', 'a', 'state', 'string', 'running', 1, 3),
    ]);
    expect(outcome).toMatchObject({ status: 'written', accepted: 3 });
    await stage.settle();
    const conflict = await writer.write(path, [line('typed', 'a', 'n', 'float', 1.5, 2, 7)]);
    expect(conflict).toMatchObject({ status: 'written', accepted: 0 });
    expect(conflict.status === 'written' && conflict.rejected[0]).toMatchObject({
      line: 7,
      message: expect.stringMatching(/type conflict/),
    });
    expect(await values('typed', 'n')).toEqual([2n ** 60n]);
    expect(await values('typed', 'ok')).toEqual([true]);
    expect(await values('typed', 'state')).toEqual(['running']);
    expect(await stage.pending()).toBe(0);
  });
});

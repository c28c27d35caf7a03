import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { TimeSeriesQueries, TimeSeriesStore } from '@sextant/timeseries';
import type { PointValue, SeriesValueType } from '@sextant/timeseries';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IngestPath } from './paths';
import type { IngestLine } from './point-batch';
import { createTestPath } from './testing/test-path';
import { IngestWriter } from './writer';

// One gateway (one writer, its caches warm) taking the same series key from the paths of two
// organisations: each organisation's points go on its own node's series.

const s = 1_000_000_000n;
const t0 = 1_795_219_200n * s;

function line(
  turbine: string,
  value: PointValue,
  i: number,
  type: SeriesValueType = 'float',
): IngestLine {
  return {
    prefix: `scada,site=north,turbine=${turbine}`,
    measurement: 'scada',
    tags: [
      ['site', 'north'],
      ['turbine', turbine],
    ],
    fields: [{ key: 'wind_speed_ms', value: { type, value } }],
    time: t0 + BigInt(i) * 10n * s,
    line: i + 1,
  };
}

describe('IngestWriter with two organisations writing one key', () => {
  let db: TestDatabase;
  let pool: Pool;
  let acme: IngestPath;
  let rival: IngestPath;
  let writer: IngestWriter;
  let queries: TimeSeriesQueries;

  beforeAll(async () => {
    db = await createTestDatabase('ingest_writer_scope');
    pool = new Pool({ connectionString: db.url, max: 4 });
    ({ path: acme } = await createTestPath(pool, 'acme', 'acme scada'));
    ({ path: rival } = await createTestPath(pool, 'rival', 'rival scada'));
    const store = new TimeSeriesStore(pool);
    writer = new IngestWriter(store);
    queries = new TimeSeriesQueries(store);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** The series of a turbine per node: node → values. */
  async function stored(turbine: string): Promise<Record<string, PointValue[]>> {
    const series = await queries.findSeries({ measurement: 'scada', tags: { turbine } });
    const out: Record<string, PointValue[]> = {};
    for (const one of series) {
      const raw = await queries.raw(one.id, {
        from: t0,
        to: t0 + 3600n * s,
        limit: 100,
        order: 'asc',
      });
      out[one.nodeId!] = raw.points.values;
    }
    return out;
  }

  it('keeps each path’s points on its source node’s series, whoever wrote the key first', async () => {
    expect(await writer.write(acme, [line('T01', 5, 0), line('T01', 6, 1)])).toMatchObject({
      status: 'written',
      accepted: 2,
    });
    // The rival's token writes the same key at the same time: its own series, not ACME's.
    expect(await writer.write(rival, [line('T01', 123, 0)])).toMatchObject({ accepted: 1 });
    expect(await writer.write(acme, [line('T01', 7, 2)])).toMatchObject({ accepted: 1 });
    expect(await stored('T01')).toEqual({
      [acme.sourceId]: [5, 6, 7],
      [rival.sourceId]: [123],
    });
  });

  it('decides types per node: the rival’s conflict names its own series only', async () => {
    await writer.write(acme, [line('T02', 1.5, 0)]);
    const first = await writer.write(rival, [line('T02', 'gusty', 0, 'string')]);
    expect(first).toMatchObject({ status: 'written', accepted: 1, rejected: [] });
    const conflict = await writer.write(rival, [line('T02', 2.5, 1)]);
    expect(conflict).toMatchObject({ accepted: 0 });
    if (conflict.status !== 'written') throw new Error(conflict.status);
    expect(conflict.rejected[0].message).toMatch(/float value for a field stored as string$/);
    expect(await writer.write(acme, [line('T02', 3.5, 1)])).toMatchObject({ accepted: 1 });
    expect(await stored('T02')).toEqual({
      [acme.sourceId]: [1.5, 3.5],
      [rival.sourceId]: ['gusty'],
    });
  });

  it('counts another organisation’s series of a key as new against a path’s series quota', async () => {
    await writer.write(acme, [line('T03', 1, 0), line('T04', 1, 0)]);
    const limited = { ...rival, limits: { pointsPerMinute: null, maxSeries: 1 } };
    const { rows } = await pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM series WHERE path_id = $1',
      [rival.id],
    );
    expect(rows[0].n).toBe(2); // T01 and T02 above: no room for a new series
    const outcome = await writer.write(limited, [line('T03', 9, 0), line('T04', 9, 0)]);
    expect(outcome).toMatchObject({ status: 'written', accepted: 0 });
    if (outcome.status !== 'written') throw new Error(outcome.status);
    expect(outcome.quota?.message).toMatch(/may hold 1 series and holds 2; 2 new series refused/);
    expect(Object.keys(await stored('T03'))).toEqual([acme.sourceId]);
  });
});

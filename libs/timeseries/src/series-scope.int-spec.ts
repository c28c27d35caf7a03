import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { TimeSeriesQueries } from './queries';
import { seriesKey } from './series-key';
import { TimeSeriesStore } from './store';
import type { Point } from './types';

// A series is unique per node: two organisations writing the same key (`scada,site=north,
// turbine=T01 wind_speed_ms`) get a series each, neither reaches nor reveals the other's.

const s = 1_000_000_000n;
const t0 = 1_795_219_200n * s; // 2026-11-21T00:00:00Z
const tags = { site: 'north', turbine: 'T01' };
const key = seriesKey('scada', tags, 'wind_speed_ms');

function points(values: (number | string)[], measurement = 'scada'): Point[] {
  return values.map((value, i) => ({
    measurement,
    tags,
    field: 'wind_speed_ms',
    time: t0 + BigInt(i) * 10n * s,
    value,
  }));
}

describe('series per node', () => {
  let db: TestDatabase;
  let pool: Pool;
  // Organisation A: acme › north › t01; organisation B: rival › t01.
  const node = { acme: randomUUID(), north: randomUUID(), acmeT01: randomUUID() };
  const rival = { root: randomUUID(), t01: randomUUID() };

  beforeAll(async () => {
    db = await createTestDatabase('series_scope');
    pool = new Pool({ connectionString: db.url, max: 4 });
    const rows: [string, string, string | null][] = [
      [node.acme, 'organisation', null],
      [node.north, 'site', node.acme],
      [node.acmeT01, 'machine', node.north],
      [rival.root, 'organisation', null],
      [rival.t01, 'machine', rival.root],
    ];
    for (const [id, kind, parent] of rows)
      await pool.query(
        `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
         VALUES ($1, $2::"NodeKind", $3, $3, $4, now())`,
        [id, kind, `${kind}-${id}`, parent],
      );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function read(store: TimeSeriesStore, id: bigint) {
    const { points: read } = await new TimeSeriesQueries(store).raw(id, {
      from: t0,
      to: t0 + 3600n * s,
      limit: 1000,
      order: 'asc',
    });
    return read.values;
  }

  it('ensureSeries gives each node its own series of a key, with its own type', async () => {
    const store = new TimeSeriesStore(pool);
    const spec = { key, measurement: 'scada', tags, field: 'wind_speed_ms' };
    const first = await store.chunks.ensureSeries(
      [
        { ...spec, type: 'float', owner: { nodeId: node.acmeT01 } },
        { ...spec, type: 'string', owner: { nodeId: rival.t01 } },
      ],
      {},
    );
    expect(first.size).toBe(2);
    const a = [...first.values()].find((x) => x.nodeId === node.acmeT01)!;
    const b = [...first.values()].find((x) => x.nodeId === rival.t01)!;
    expect([a.nodeId, a.valueType, a.key]).toEqual([node.acmeT01, 'float', key]);
    expect([b.nodeId, b.valueType, b.key]).toEqual([rival.t01, 'string', key]);
    expect(a.id).not.toBe(b.id);
    // Asked again, by either node alone, each finds its own and creates nothing.
    const again = await store.chunks.ensureSeries([{ ...spec, type: 'integer' }], {
      nodeId: rival.t01,
    });
    expect([...again.values()].map((x) => [x.id, x.valueType])).toEqual([[b.id, 'string']]);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM series WHERE key = $1', [
      key,
    ]);
    expect(rows[0].n).toBe(2);
    await pool.query('DELETE FROM series WHERE key = $1', [key]);
  });

  it('keeps each organisation’s points on its series: no overwrite, whoever writes first', async () => {
    // Two gateways (stores with their own caches) and one shared: the cache is per node too.
    const [gatewayA, gatewayB] = [new TimeSeriesStore(pool), new TimeSeriesStore(pool)];
    const shared = new TimeSeriesStore(pool);
    await gatewayB.write(points([90, 91, 92]), { nodeId: rival.t01 }); // B writes the key first
    await gatewayA.write(points([5, 6, 7]), { nodeId: node.acmeT01 });
    await shared.write(points([8]), { nodeId: node.acmeT01 });
    await shared.write(points([93]), { nodeId: rival.t01 });
    const queries = new TimeSeriesQueries(shared);
    const series = await queries.findSeries({ measurement: 'scada', field: 'wind_speed_ms' });
    expect(series.map((x) => x.nodeId).sort()).toEqual([node.acmeT01, rival.t01].sort());
    const of = (nodeId: string) => series.find((x) => x.nodeId === nodeId)!.id;
    // Same timestamps, each its own values; the later write wins only on its own series.
    expect(await read(shared, of(node.acmeT01))).toEqual([8, 6, 7]);
    expect(await read(shared, of(rival.t01))).toEqual([93, 91, 92]);
    // Scoped to one organisation's nodes, only its own series is found.
    const own = await queries.findSeries({
      measurement: 'scada',
      nodeIds: [rival.root, rival.t01],
    });
    expect(own.map((x) => x.nodeId)).toEqual([rival.t01]);
  });

  it('decides type conflicts on the node’s own series only, revealing nothing of another', async () => {
    const store = new TimeSeriesStore(pool);
    const measurement = 'typed';
    // A's series is float; B's first write of the key is a string: its own series, accepted.
    await store.write(points([1.5], measurement), { nodeId: node.acmeT01 });
    const b = await store.write(points(['gusty'], measurement), { nodeId: rival.t01 });
    expect(b).toMatchObject({ accepted: 1, rejected: [] });
    // B's float now conflicts with B's own string series, and the reason names only that.
    const conflict = await new TimeSeriesStore(pool).write(points([2.5], measurement), {
      nodeId: rival.t01,
    });
    expect(conflict.accepted).toBe(0);
    expect(conflict.rejected[0].reason).toMatch(/float value for a field stored as string/);
    // A is untouched and still takes floats.
    const a = await store.write(points([1.5, 3.5], measurement), { nodeId: node.acmeT01 });
    expect(a).toMatchObject({ accepted: 2, rejected: [] });
    const seriesFor = await store.seriesFor(
      [{ measurement, tags, field: 'wind_speed_ms', type: 'float' }],
      { nodeId: node.acmeT01 },
    );
    expect(seriesFor[0]).toMatchObject({ nodeId: node.acmeT01, valueType: 'float' });
  });

  it('keeps series without a node in one scope of their own', async () => {
    const store = new TimeSeriesStore(pool);
    const measurement = 'unowned';
    await store.write(points([1], measurement));
    await new TimeSeriesStore(pool).write(points([2], measurement));
    await store.write(points([3], measurement), { nodeId: rival.t01 });
    const { rows } = await pool.query<{ node_id: string | null; n: number }>(
      `SELECT node_id, count(*)::int AS n FROM series WHERE measurement = $1
        GROUP BY node_id ORDER BY node_id NULLS FIRST`,
      [measurement],
    );
    expect(rows).toEqual([
      { node_id: null, n: 1 }, // both unowned writes found the same series
      { node_id: rival.t01, n: 1 },
    ]);
  });

  it('aggregates by tags without merging two organisations, and merges one organisation’s nodes', async () => {
    const store = new TimeSeriesStore(pool);
    const measurement = 'grouped';
    // A second turbine of A under the same site: same tags (site only), another node.
    const acmeT02 = randomUUID();
    await pool.query(
      `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
       VALUES ($1, 'machine', $2, $2, $3, now())`,
      [acmeT02, `machine-${acmeT02}`, node.north],
    );
    const write = (nodeId: string, value: number) =>
      store.write([{ measurement, tags: { site: 'north' }, field: 'power', time: t0, value }], {
        nodeId,
      });
    await write(node.acmeT01, 10);
    await write(acmeT02, 20);
    await write(rival.t01, 1000);
    const { groups } = await new TimeSeriesQueries(store).aggregate({
      measurement,
      from: t0,
      to: t0 + 60n * s,
      every: 60n * s,
      aggregates: ['sum', 'count'],
      groupBy: ['site'],
    });
    const summary = groups
      .map((g) => [g.organisationId, g.tags, g.series, g.buckets[0].values])
      .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(summary).toEqual(
      [
        [node.acme, { site: 'north' }, 2, { sum: 30, count: 2 }],
        [rival.root, { site: 'north' }, 1, { sum: 1000, count: 1 }],
      ].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    );
  });
});

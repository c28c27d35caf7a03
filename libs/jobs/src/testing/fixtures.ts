import { uuidv7 } from '@sextant/domain';
import { TimeSeriesStore } from '@sextant/timeseries';
import type { Pool } from 'pg';

// A small fleet for the platform's tests: an organisation owning a site with a machine, two
// resources, and series on the machine.

export interface Fleet {
  ownerId: string;
  siteId: string;
  machineId: string;
  resources: { speed: string; power: string };
}

export async function createFleet(pool: Pool, prefix = 'test'): Promise<Fleet> {
  const node = async (kind: string, reference: string, parentId: string | null) => {
    const id = uuidv7();
    await pool.query(
      `INSERT INTO node (id, kind, name, reference, parent_id, updated_at)
       VALUES ($1, $2, $3, $3, $4, now())`,
      [id, kind, `${prefix}.${reference}`, parentId],
    );
    return id;
  };
  const ownerId = await node('organisation', 'org', null);
  const siteId = await node('site', 'site', ownerId);
  const machineId = await node('machine', 'm1', siteId);
  const resource = async (reference: string, price: string) => {
    const id = uuidv7();
    await pool.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, unit_price, updated_at)
       VALUES ($1, $2, $2, 'x', 'float', $3, now())`,
      [id, `${prefix}.${reference}`, price],
    );
    return id;
  };
  return {
    ownerId,
    siteId,
    machineId,
    resources: {
      speed: await resource('speed', '0.001'),
      power: await resource('power', '0.002'),
    },
  };
}

const second = 1_000_000_000n;

/**
 * Writes `count` points every `everySeconds` from `start` to a series; `skip` leaves out the
 * points at those indexes (gaps).
 */
export async function writeSeries(
  pool: Pool,
  series: {
    measurement: string;
    field: string;
    tags?: Record<string, string>;
    nodeId: string;
    resourceId: string | null;
  },
  start: Date,
  count: number,
  everySeconds: number,
  skip: (index: number) => boolean = () => false,
): Promise<number> {
  const times: bigint[] = [];
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    if (skip(i)) continue;
    times.push(BigInt(start.getTime()) * 1_000_000n + BigInt(i * everySeconds) * second);
    values.push(i % 7);
  }
  await new TimeSeriesStore(pool).writeColumns([
    {
      measurement: series.measurement,
      field: series.field,
      tags: series.tags ?? {},
      type: 'float',
      times,
      values,
      owner: { nodeId: series.nodeId, resourceId: series.resourceId },
    },
  ]);
  return times.length;
}

import { uuidv7 } from '@sextant/domain';
import { createTestDatabase, type TestDatabase } from '@sextant/testing';
import { Pool, type PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createBilledOrganisation,
  ensureResource,
  foldAll,
  type BilledOrganisation,
} from './testing';
import { createMetric, type MetricInput } from './catalogue.repository';
import { recordStorage, storageResource } from './metering.repository';
import { foldMovements } from './rollups.repository';

// Exactly-once folding: movements written by many concurrent transactions (committing out of
// order, some rolled back) while folds run in parallel end up in the rollups once each, equal
// to a plain GROUP BY over the movement table; a metric created late is backfilled from the
// start of the ledger; storage is metered once per organisation and hour.

const day = new Date('2026-11-05T00:00:00Z');
const hourMs = 3_600_000;
const writers = 40;

const metrics: MetricInput[] = [
  { code: 'f-sum', name: 'Sum', unit: 'u', resourcePattern: 'fold.*', aggregation: 'sum' },
  { code: 'f-count', name: 'Count', unit: 'u', resource: 'fold.a', aggregation: 'count' },
  { code: 'f-max', name: 'Max', unit: 'u', resourcePattern: 'fold.*', aggregation: 'max' },
  { code: 'f-latest', name: 'Latest', unit: 'u', resourcePattern: 'fold.*', aggregation: 'latest' },
  {
    code: 'f-items',
    name: 'Items',
    unit: 'u',
    resource: 'fold.a',
    aggregation: 'unique_count',
    uniqueOf: 'item',
  },
  {
    code: 'f-sources',
    name: 'Sources',
    unit: 'u',
    resourcePattern: 'fold.*',
    aggregation: 'unique_count',
    uniqueOf: 'source_node',
  },
  {
    code: 'f-dests',
    name: 'Destinations',
    unit: 'u',
    resource: 'fold.b',
    aggregation: 'unique_count',
    uniqueOf: 'destination_node',
  },
  {
    code: 'f-weighted',
    name: 'Weighted',
    unit: 'u',
    resourcePattern: 'fold.*',
    aggregation: 'time_weighted_sum',
  },
  {
    code: 'f-source-payer',
    name: 'Paid by source',
    unit: 'u',
    resource: 'fold.b',
    aggregation: 'sum',
    payer: 'source',
  },
];

// The rollups as a plain GROUP BY over the ledger: the paying organisation is the organisation
// itself or the parent of a machine (every node here is one or the other).
const expectedRollups = `
  WITH selected AS (
    SELECT bm.id AS metric_id, bm.aggregation, m.*,
           CASE WHEN bm.payer = 'destination' THEN m.destination_id ELSE m.source_id END AS payer_node
      FROM billable_metric bm
      JOIN resource r ON r.id = bm.resource_id OR r.reference LIKE replace(bm.resource_pattern, '*', '%')
      JOIN movement m ON m.resource_id = r.id
     WHERE bm.code = ANY($1::text[])
  ),
  paid AS (
    SELECT s.*, CASE WHEN n.kind = 'organisation' THEN n.id ELSE n.parent_id END AS organisation_id
      FROM selected s JOIN node n ON n.id = s.payer_node
  )
  SELECT metric_id, organisation_id, resource_id, date_trunc('hour', start) AS hour,
         sum(quantity)::numeric(40,6)::text AS quantity, count(*)::text AS movements,
         max(quantity)::text AS max_quantity, max(stop) AS latest_stop,
         CASE WHEN min(aggregation::text) = 'latest' THEN (array_agg(id ORDER BY stop DESC, id DESC))[1]
              ELSE '00000000-0000-0000-0000-000000000000' END AS latest_id,
         CASE WHEN min(aggregation::text) = 'latest' THEN (array_agg(quantity ORDER BY stop DESC, id DESC))[1]
              ELSE 0 END::numeric(24,6)::text AS latest_quantity,
         sum(quantity * extract(epoch FROM stop - start) * 1000)::numeric(50,6)::text AS weighted_ms
    FROM paid GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
const actualRollups = `
  SELECT r.metric_id, r.organisation_id, r.resource_id, r.hour, r.quantity::text, r.movements::text,
         r.max_quantity::text, r.latest_stop, r.latest_id, r.latest_quantity::text, r.weighted_ms::text
    FROM billing_rollup r JOIN billable_metric bm ON bm.id = r.metric_id
   WHERE bm.code = ANY($1::text[]) ORDER BY 1, 2, 3, 4`;
const expectedKeys = `
  SELECT DISTINCT bm.id AS metric_id,
         CASE WHEN n.kind = 'organisation' THEN n.id ELSE n.parent_id END AS organisation_id,
         date_trunc('hour', m.start) AS hour,
         CASE bm.unique_of WHEN 'item' THEN m.item_id WHEN 'source_node' THEN m.source_id
                           ELSE m.destination_id END AS key
    FROM billable_metric bm
    JOIN resource r ON r.id = bm.resource_id OR r.reference LIKE replace(bm.resource_pattern, '*', '%')
    JOIN movement m ON m.resource_id = r.id
    JOIN node n ON n.id = CASE WHEN bm.payer = 'destination' THEN m.destination_id ELSE m.source_id END
   WHERE bm.code = ANY($1::text[]) AND bm.unique_of IS NOT NULL
     AND CASE bm.unique_of WHEN 'item' THEN m.item_id WHEN 'source_node' THEN m.source_id
                           ELSE m.destination_id END IS NOT NULL
   ORDER BY 1, 2, 3, 4`;
const actualKeys = `
  SELECT k.metric_id, k.organisation_id, k.hour, k.key FROM billing_rollup_key k
    JOIN billable_metric bm ON bm.id = k.metric_id
   WHERE bm.code = ANY($1::text[]) ORDER BY 1, 2, 3, 4`;

describe('rollup folding', () => {
  let db: TestDatabase;
  let pool: Pool;
  const orgs: (BilledOrganisation & { nodes: string[]; items: string[] })[] = [];
  let resources: { a: string; b: string; other: string };

  // A small deterministic generator: the interleaving varies from run to run, the data does not.
  let state = 20261208;
  const next = (n: number) => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return (state >>> 8) % n;
  };
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  const compare = async (codes: string[]) => {
    const [want, got, wantKeys, gotKeys] = await Promise.all([
      pool.query(expectedRollups, [codes]),
      pool.query(actualRollups, [codes]),
      pool.query(expectedKeys, [codes]),
      pool.query(actualKeys, [codes]),
    ]);
    expect(got.rows).toEqual(want.rows);
    expect(gotKeys.rows).toEqual(wantKeys.rows);
    return { rollups: got.rows.length, keys: gotKeys.rows.length };
  };

  const writeRows = async (client: PoolClient, count: number) => {
    const rows = Array.from({ length: count }, () => {
      const from = orgs[next(orgs.length)]!;
      const to = next(3) === 0 ? orgs[next(orgs.length)]! : from;
      const start = new Date(day.getTime() + next(6 * 60) * 60_000);
      return {
        id: uuidv7(),
        resource_id: [resources.a, resources.b, resources.other][next(3)],
        source_id: from.nodes[1 + next(2)],
        destination_id: to.nodes[next(3)],
        item_id: next(3) === 0 ? null : from.items[next(from.items.length)],
        quantity: `${next(1000)}.${String(next(1000)).padStart(3, '0')}`,
        start: start.toISOString(),
        // Stops on whole minutes, so that some tie and the id decides the latest.
        stop: new Date(start.getTime() + next(90) * 60_000).toISOString(),
      };
    });
    await client.query(
      `INSERT INTO movement (id, resource_id, source_id, destination_id, item_id, quantity, start, stop, origin)
       SELECT m.id, m.resource_id, m.source_id, m.destination_id, m.item_id, m.quantity, m.start, m.stop, 'ingest'
         FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, resource_id uuid, source_id uuid, destination_id uuid,
              item_id uuid, quantity numeric, start timestamptz, stop timestamptz)`,
      [JSON.stringify(rows)],
    );
  };

  beforeAll(async () => {
    db = await createTestDatabase('billing_rollups');
    pool = new Pool({ connectionString: db.url, max: 30 });
    resources = {
      a: await ensureResource(pool, 'fold.a'),
      b: await ensureResource(pool, 'fold.b'),
      other: await ensureResource(pool, 'other.x'),
    };
    for (const metric of metrics) await createMetric(pool, metric);
    for (const name of ['folder-1', 'folder-2', 'folder-3']) {
      const org = await createBilledOrganisation(pool, name);
      const second = uuidv7();
      await pool.query(
        `INSERT INTO node (id, kind, name, reference, parent_id, updated_at) VALUES ($1, 'machine', 'M2', 'm2', $2, now())`,
        [second, org.id],
      );
      const items = [uuidv7(), uuidv7()];
      for (const [i, id] of items.entries()) {
        await pool.query(
          `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, 'sensor', $2, $2, $3, now())`,
          [id, `${name}-item-${i}`, org.machineId],
        );
      }
      orgs.push({ ...org, nodes: [org.id, org.machineId, second], items });
    }
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('folds every committed movement exactly once while writers and folds race', async () => {
    let writing = true;
    let passes = 0;
    const folder = async () => {
      while (writing) {
        const pass = await foldMovements(pool);
        if (pass.upper !== null) passes += 1;
        await sleep(next(15));
      }
    };
    const writer = async (i: number) => {
      await sleep(next(200));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await writeRows(client, 1 + next(12));
        // Held open a while: later transactions commit first, below this one's id.
        await sleep(next(250));
        await client.query(i % 5 === 4 ? 'ROLLBACK' : 'COMMIT');
      } finally {
        client.release();
      }
    };
    const folders = [folder(), folder()];
    await Promise.all(Array.from({ length: writers }, (_, i) => writer(i)));
    writing = false;
    await Promise.all(folders);
    await foldAll(pool);

    // The folds really ran during the writes, and something was rolled back.
    expect(passes).toBeGreaterThan(3);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM movement');
    expect(rows[0]!.n).toBeGreaterThan(0);
    const counted = await compare(metrics.map((m) => m.code));
    expect(counted.rollups).toBeGreaterThan(0);
    expect(counted.keys).toBeGreaterThan(0);
  });

  it('backfills a metric created late from the start of the ledger, folding nothing twice', async () => {
    await createMetric(pool, {
      code: 'f-late',
      name: 'Late',
      unit: 'u',
      resourcePattern: 'fold.*',
      aggregation: 'latest',
    });
    await createMetric(pool, {
      code: 'f-late-keys',
      name: 'Late keys',
      unit: 'u',
      resource: 'fold.a',
      aggregation: 'unique_count',
      uniqueOf: 'source_node',
    });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await writeRows(client, 20);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    await Promise.all([foldAll(pool), foldAll(pool)]);
    await compare(['f-late', 'f-late-keys']);
    await compare(metrics.map((m) => m.code));
  });

  it('records storage once per organisation and hour', async () => {
    const [first, second] = orgs;
    for (const [org, size] of [
      [first!, 1234],
      [second!, 4321],
    ] as const) {
      await pool.query(
        `INSERT INTO item_content (item_id, media_type, encoding, size, sha256, data)
         VALUES ($1, 'application/json', 'identity', $2, repeat('0', 64), '\\x00')`,
        [org.items[0], size],
      );
    }
    const hour = new Date('2026-11-06T10:00:00Z');
    expect(await recordStorage(pool, hour)).toBe(2);
    expect(await recordStorage(pool, hour)).toBe(0);
    // Any instant of the hour is that hour.
    expect(await recordStorage(pool, new Date(hour.getTime() + 59 * 60_000))).toBe(0);
    expect(await recordStorage(pool, new Date(hour.getTime() + hourMs))).toBe(2);
    const { rows } = await pool.query(
      `SELECT m.destination_id, m.start, m.quantity::text FROM movement m JOIN resource r ON r.id = m.resource_id
        WHERE r.reference = $1 AND m.start = $2 ORDER BY m.quantity`,
      [storageResource, hour],
    );
    expect(rows).toEqual([
      { destination_id: first!.id, start: hour, quantity: '1234.000000' },
      { destination_id: second!.id, start: hour, quantity: '4321.000000' },
    ]);
  });
});

import path from 'node:path';
import { parseMqttSettings, PathDirectory } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { seedDemoData } from './seed';

describe(seedDemoData.name, () => {
  let db: TestDatabase;
  const sharedData = path.resolve(__dirname, '../../shared/data');
  const now = new Date('2026-11-22T10:00:00Z');

  beforeAll(async () => {
    db = await createTestDatabase('seed');
  });

  afterAll(async () => {
    await db?.drop();
  });

  async function counts() {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT (SELECT count(*) FROM node)::int AS nodes, (SELECT count(*) FROM path)::int AS paths,
              (SELECT count(*) FROM movement)::int AS movements, (SELECT count(*) FROM item)::int AS items,
              (SELECT min(start) FROM movement WHERE external_id NOT LIKE 'lightcurve:%' AND external_id NOT LIKE 'cmapss:%' AND external_id NOT LIKE 'solar-%' AND external_id NOT LIKE 'demo-billing:%') AS first,
              (SELECT max(stop) FROM movement WHERE external_id NOT LIKE 'lightcurve:%' AND external_id NOT LIKE 'cmapss:%' AND external_id NOT LIKE 'solar-%' AND external_id NOT LIKE 'demo-billing:%') AS last,
              (SELECT count(*) FROM series)::int AS series,
              (SELECT sum(count) FROM chunk)::int AS points,
              (SELECT count(*) FROM series WHERE node_id IS NULL OR resource_id IS NULL)::int AS unowned`,
    );
    await client.end();
    return rows[0];
  }

  it('loads a fleet with a month of movements, then adds nothing on a second run', async () => {
    const report = await seedDemoData(db.url, { now, sharedData });
    expect(report).toMatch(/movements over 30 days/);
    const first = await counts();
    // 2 organisations' trees: sextant, acme (+lake, farm, 12 turbines, plant, 8 inverters, weather, person,
    // turbofan cell with 100 engines, solar plant 1 with 22 inverters and a weather sensor),
    // skyline (+3, and the demo star)
    expect(first.nodes).toBe(1 + 1 + 1 + 1 + 12 + 1 + 8 + 1 + 1 + 1 + 100 + 1 + 22 + 1 + 1 + 3 + 1);
    // 12 turbine paths, 8 inverter paths, weather, telescope
    expect(first.paths).toBe(22);
    expect(first.movements).toBeGreaterThan(2000);
    expect(first.first).toEqual(new Date('2026-10-23T00:00:00Z')); // 30 UTC days before today
    expect(first.last).toEqual(new Date('2026-11-22T00:00:00Z'));
    // 12 turbines x (4 SCADA fields + state), weather x 2, 8 inverters x 2, the star's flux and
    // its error, 100 engines x 24 C-MAPSS columns, plant 1's 22 inverters x 4 and its 3 weather
    // series; each on its node and resource
    expect(first.series).toBe(12 * 5 + 2 + 16 + 2 + 100 * 24 + 22 * 4 + 3);
    expect(first.unowned).toBe(0);
    expect(first.points).toBeGreaterThan(12 * 4 * 4000);

    // A nightly series-health schedule and a run of it, queued for the worker.
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows: jobs } = await client.query(
      `SELECT (SELECT count(*) FROM job_schedule WHERE type = 'series-health')::int AS schedules,
              (SELECT count(*) FROM job_run WHERE type = 'series-health' AND state = 'queued')::int AS runs,
              (SELECT count(*) FROM job_run WHERE type = 'transit-search' AND state = 'queued')::int AS transit,
              (SELECT count(*) FROM job_run WHERE type = 'rul-train' AND state = 'queued'
                  AND (params->>'estimate')::boolean)::int AS rul,
              (SELECT count(*) FROM job_run WHERE type IN ('wind-performance', 'solar-performance')
                  AND state = 'queued')::int AS performance,
              (SELECT count(*) FROM node WHERE metadata->>'history' = 'in-service'
                  AND metadata->>'type' = 'turbofan')::int AS "inService"`,
    );
    await client.end();
    // And a transit search of the demo star (HAT-P-7), and the training (then estimates) of a
    // remaining-life model of the turbofan cell, and the wind and solar performance runs,
    // queued too.
    expect(jobs[0]).toEqual({
      schedules: 1,
      runs: 1,
      transit: 1,
      rul: 1,
      performance: 2,
      inService: 20,
    });

    // The inverters' MQTT paths are subscribable: their topics lie in ACME's namespace.
    const pool = new Pool({ connectionString: db.url, max: 1 });
    const mqtt = await new PathDirectory(pool).activePaths('mqtt');
    await pool.end();
    expect(mqtt.map((p) => p.namespace)).toEqual(new Array(8).fill('acme'));
    expect(mqtt.map((p) => parseMqttSettings(p.settings, p.namespace))).toEqual(
      Array.from({ length: 8 }, (_, i) =>
        expect.objectContaining({
          settings: expect.objectContaining({ topics: [`acme/solar/inv0${i + 1}/telemetry`] }),
        }),
      ),
    );

    expect(await seedDemoData(db.url, { now, sharedData })).toBe('already loaded, nothing added');
    expect(await counts()).toEqual(first);
  });

  it('bills the demo organisations: three closed months, an adjustment, a credit note, a draft', async () => {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query(
      `SELECT n.reference AS organisation, i.kind, i.number, i.state, i.period_start, i.total::text,
              i.pdf_sha256 IS NOT NULL AS pdf,
              (SELECT count(*) FROM invoice_line l WHERE l.invoice_id = i.id AND l.kind = 'adjustment')::int
                AS adjustments
         FROM invoice i JOIN node n ON n.id = i.organisation_id
        ORDER BY n.reference, i.kind, i.period_start`,
    );
    await client.end();
    const acme = rows.filter((r) => r.organisation === 'acme');
    // Now is 2026-11-22: August, September and October are closed, November is a draft.
    expect(
      acme.map((r) => [r.kind, r.number, r.state, r.period_start.toISOString().slice(0, 7)]),
    ).toEqual([
      ['invoice', 'INV-2026-000001', 'paid', '2026-08'],
      ['invoice', 'INV-2026-000003', 'finalised', '2026-09'],
      ['invoice', 'INV-2026-000005', 'finalised', '2026-10'],
      ['invoice', null, 'draft', '2026-11'],
      // The correction of September, credited with October's invoice.
      ['credit_note', 'CN-2026-000001', 'finalised', '2026-09'],
    ]);
    // The late August usage is adjusted on September's invoice.
    expect(acme.map((r) => r.adjustments)).toEqual([0, 1, 0, 0, 0]);
    expect(acme.filter((r) => r.state !== 'draft').every((r) => r.pdf)).toBe(true);
    const skyline = rows.filter((r) => r.organisation === 'skyline');
    expect(skyline.map((r) => r.state)).toEqual(['paid', 'finalised', 'finalised', 'draft']);
    expect(rows.every((r) => /^\d+\.\d{6}$/.test(r.total))).toBe(true);
  });
});

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
              (SELECT min(start) FROM movement WHERE external_id NOT LIKE 'lightcurve:%' AND external_id NOT LIKE 'cmapss:%' AND external_id NOT LIKE 'solar-%') AS first,
              (SELECT max(stop) FROM movement WHERE external_id NOT LIKE 'lightcurve:%' AND external_id NOT LIKE 'cmapss:%' AND external_id NOT LIKE 'solar-%') AS last,
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
});

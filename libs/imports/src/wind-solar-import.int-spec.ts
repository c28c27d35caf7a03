import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTestDatabase, TestDatabase, sharedDataPath } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SeriesRepository } from '@sextant/jobs';
import { createFleet, Fleet } from '@sextant/jobs/testing';
import { importSolarGeneration, importSolarWeather } from './solar-import';
import { importWindScada, windResources } from './wind-import';

// The real wind SCADA and solar plant files of ../shared/data (README there), imported twice:
// the second import finds the same nodes and writes and accounts nothing new.
const data = sharedDataPath();
const files = {
  wind: 'wind/T1.csv',
  generation: 'solar/Plant_1_Generation_Data.csv',
  weather: 'solar/Plant_1_Weather_Sensor_Data.csv',
};
const missing = Object.values(files)
  .map((f) => path.join(data, f))
  .filter((f) => !existsSync(f));
if (missing.length)
  console.warn(`skipping the wind and solar imports: missing ${missing.join(', ')}`);
const text = (name: keyof typeof files) =>
  readFileSync(path.join(data, files[name]), name === 'wind' ? 'latin1' : 'utf8');

(missing.length > 0 ? describe.skip : describe)('wind and solar imports', () => {
  let db: TestDatabase;
  let pool: Pool;
  let fleet: Fleet;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_wind_solar_import');
    pool = new Pool({ connectionString: db.url, max: 4 });
    fleet = await createFleet(pool, 'energy');
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  /** Movements into `destinationId` by resource: their count and summed quantity. */
  async function accounted(destinationId: string) {
    const { rows } = await pool.query<{ reference: string; movements: number; quantity: number }>(
      `SELECT r.reference, count(*)::int AS movements, sum(m.quantity)::float8 AS quantity
         FROM movement m JOIN resource r ON r.id = m.resource_id
        WHERE m.destination_id = $1 GROUP BY r.reference ORDER BY r.reference`,
      [destinationId],
    );
    return rows;
  }

  /** Distinct points stored in the series of the nodes under (and at) `nodeId`. */
  async function stored(nodeId: string): Promise<number> {
    const repository = new SeriesRepository(pool);
    let points = 0;
    for (const series of await repository.find(nodeId)) {
      const read = await repository.read(series, new Date(0), new Date('2100-01-01T00:00:00Z'));
      points += read.times.length;
    }
    return points;
  }

  it('imports a turbine with four SCADA series, accounted once', async () => {
    const first = await importWindScada(pool, { text: text('wind'), parentId: fleet.siteId });
    // Data README: 50,530 rows over 2018, no empty cell.
    expect(first).toMatchObject({
      turbine: { name: 'T1', created: true },
      rows: 50530,
      from: '2018-01-01T00:00:00.000Z',
      to: '2018-12-31T23:50:00.000Z',
    });
    expect(first.series.map((s) => [s.field, s.resource, s.unit, s.points, s.newPoints])).toEqual([
      ['active_power_kw', windResources.activePower, 'kW', 50530, 50530],
      ['wind_speed_ms', windResources.windSpeed, 'm/s', 50530, 50530],
      ['theoretical_power_kw', windResources.theoreticalPower, 'kW', 50530, 50530],
      ['wind_direction_deg', windResources.windDirection, '°', 50530, 50530],
    ]);
    const { rows: nodes } = await pool.query(
      `SELECT kind, parent_id, metadata->>'type' AS type FROM node WHERE id = $1`,
      [first.turbine.id],
    );
    expect(nodes).toEqual([{ kind: 'machine', parent_id: fleet.siteId, type: 'wind-turbine' }]);
    const once = await accounted(fleet.siteId);
    expect(once).toEqual(
      Object.values(windResources)
        .sort()
        .map((reference) => ({ reference, movements: 1, quantity: 50530 })),
    );

    const again = await importWindScada(pool, { text: text('wind'), parentId: fleet.siteId });
    expect(again.turbine).toEqual({ ...first.turbine, created: false });
    expect(again.series.map((s) => s.id)).toEqual(first.series.map((s) => s.id));
    expect(again.series.map((s) => s.newPoints)).toEqual([0, 0, 0, 0]);
    expect(await accounted(fleet.siteId)).toEqual(once);
    expect(await stored(first.turbine.id)).toBe(4 * 50530);
  });

  it('imports weather then generation into one plant, inverters found by their counters', async () => {
    const { ownerId } = fleet;
    const weather = await importSolarWeather(pool, { text: text('weather'), parentId: ownerId });
    expect(weather).toMatchObject({
      plant: { name: 'Solar plant 4135001', created: true },
      plantId: '4135001',
      sensor: { name: 'Plant 4135001 weather', created: true },
      rows: 3182,
      from: '2020-05-15T00:00:00.000Z',
      to: '2020-06-17T23:45:00.000Z',
    });
    expect(weather.series.map((s) => [s.field, s.unit, s.newPoints])).toEqual([
      ['irradiation_kw_m2', 'kW/m²', 3182],
      ['ambient_temperature_c', '°C', 3182],
      ['module_temperature_c', '°C', 3182],
    ]);

    const generation = await importSolarGeneration(pool, {
      text: text('generation'),
      parentId: ownerId,
    });
    expect(generation.plant).toEqual({ ...weather.plant, created: false });
    expect(generation.rows).toBe(68778); // data README
    expect(generation.identity.method).toBe('total-yield');
    expect(generation.identity.dailyYieldAgreement).toBeGreaterThan(0.95);
    // 22 inverters, INV-01 to INV-22, each with its four series complete.
    expect(generation.inverters.map((i) => i.name)).toEqual(
      Array.from({ length: 22 }, (_, k) => `INV-${String(k + 1).padStart(2, '0')}`),
    );
    expect(generation.inverters.reduce((n, i) => n + i.rows, 0)).toBe(68778);
    for (const inv of generation.inverters) {
      expect(inv.series.map((s) => s.field)).toEqual([
        'dc_power_kw',
        'ac_power_kw',
        'daily_yield_kwh',
        'total_yield_kwh',
      ]);
      expect(inv.series.map((s) => s.newPoints)).toEqual([inv.rows, inv.rows, inv.rows, inv.rows]);
    }
    const { rows: inverterNodes } = await pool.query(
      `SELECT count(*)::int AS n FROM node WHERE parent_id = $1 AND kind = 'machine'`,
      [generation.plant.id],
    );
    expect(inverterNodes).toEqual([{ n: 22 }]);

    // One movement per series into the organisation: 22 × 4 + 3; quantities = points.
    const once = await accounted(ownerId);
    expect(once.reduce((n, r) => n + r.movements, 0)).toBe(22 * 4 + 3);
    expect(once.reduce((n, r) => n + r.quantity, 0)).toBe(4 * 68778 + 3 * 3182);

    const again = await importSolarGeneration(pool, {
      text: text('generation'),
      parentId: ownerId,
    });
    const weatherAgain = await importSolarWeather(pool, {
      text: text('weather'),
      parentId: ownerId,
    });
    expect(again.inverters.map((i) => i.id)).toEqual(generation.inverters.map((i) => i.id));
    expect(again.inverters.every((i) => !i.created)).toBe(true);
    expect(again.inverters.flatMap((i) => i.series).every((s) => s.newPoints === 0)).toBe(true);
    expect(weatherAgain.sensor).toEqual({ ...weather.sensor, created: false });
    expect(weatherAgain.series.map((s) => s.newPoints)).toEqual([0, 0, 0]);
    expect(await accounted(ownerId)).toEqual(once);
    expect(await stored(generation.plant.id)).toBe(4 * 68778 + 3 * 3182);
  });

  it('refuses a broken file naming its line, and an unknown parent', async () => {
    const lines = text('wind').split('\r\n');
    lines[3] = lines[3].replace(/,[^,]*$/, ',north');
    await expect(
      importWindScada(pool, { text: lines.slice(0, 10).join('\r\n'), parentId: fleet.siteId }),
    ).rejects.toMatchObject({
      code: 'ValidationFailed',
      fieldErrors: [
        { field: 'file', reason: expect.stringMatching(/^"north" is not a number \(line 4, /) },
      ],
    });
    await expect(
      importSolarGeneration(pool, {
        text: 'DATE_TIME,PLANT_ID,DC_POWER,AC_POWER,DAILY_YIELD,TOTAL_YIELD\n15-05-2020 00:00,1,0,0,0\n',
        parentId: fleet.ownerId,
      }),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: 'file', reason: 'expected 6 cells, found 5 (line 2)' }],
    });
    await expect(
      importSolarWeather(pool, {
        text: 'DATE_TIME,AMBIENT_TEMPERATURE\n15-05-2020 00:00,20\n',
        parentId: fleet.ownerId,
      }),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: 'file', reason: 'missing column "PLANT_ID"' }],
    });
    await expect(
      importWindScada(pool, {
        text: text('wind'),
        parentId: '0190a0a0-0000-7000-8000-000000000000',
      }),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'parentId' }] });
  });
});

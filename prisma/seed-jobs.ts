import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCmapss, truncateRun } from '@sextant/analytics';
import { builtinJobTypes } from '@sextant/analyses';
import {
  importEngineRuns,
  importLightCurve,
  importSolarGeneration,
  importSolarWeather,
} from '@sextant/imports';
import { JobPlatform, JobSchedules, JobTypeRegistry } from '@sextant/jobs';
import { demoNodeWhere } from './demo-nodes';
import { Pool } from 'pg';

// Demo jobs: a nightly series-health schedule of the wind farm, and one run of it submitted
// now, which the worker runs at start, so the jobs and maintenance pages are not empty. With
// ../shared/data, the Skyline telescope also gets a star (HAT-P-7 = Kepler-2, a real Kepler
// light curve of 10 days) and a transit search of it (a few seconds on the worker), and ACME a
// turbofan test cell (NASA C-MAPSS FD001): engines 1-80 run to failure train a remaining-life
// model, engines 81-100 cut before failure are the in-service fleet it estimates, with alerts
// and maintenance orders for the engines near failure (one rul-train run, ~10 s). The wind
// farm gets a wind-performance run (power curves, stops, curtailment, health per turbine), and
// ACME the real solar plant 1 (22 inverters, 34 days) with a solar-performance run.

/** The demo star's light curve, under the shared data folder. */
export const demoLightCurve = 'lightcurves/kepler/kplr010666592-2009131110544_slc.fits';

/** The demo turbofan fleet's file, under the shared data folder. */
export const demoTurbofans = 'cmapss/train_FD001.txt';

/** The demo solar plant's files, under the shared data folder. */
export const demoSolarPlant = {
  generation: 'solar/Plant_1_Generation_Data.csv',
  weather: 'solar/Plant_1_Weather_Sensor_Data.csv',
};

export async function seedDemoJobs(
  databaseUrl: string,
  now: Date,
  sharedData?: string,
): Promise<string> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const { rows } = await pool.query<{ reference: string; id: string }>(
      `SELECT reference, id FROM node n WHERE ${demoNodeWhere(1)}
       UNION ALL SELECT reference, id FROM node n WHERE ${demoNodeWhere(2)}`,
      ['acme', 'acme.north'],
    );
    const id = (reference: string) => rows.find((r) => r.reference === reference)?.id;
    const owner = id('acme');
    const farm = id('acme.north');
    if (!owner || !farm) return 'no demo jobs (no wind farm)';
    const platform = new JobPlatform(pool, new JobTypeRegistry(builtinJobTypes), {
      now: () => now,
    });
    await new JobSchedules(platform, () => now).create({
      name: 'Nightly series health: North Sea wind farm',
      type: 'series-health',
      params: { nodeId: farm, days: 1 },
      cron: '0 3 * * *',
      timezone: 'UTC',
      ownerId: owner,
    });
    await platform.submit({
      type: 'series-health',
      params: { nodeId: farm, days: 7 },
      ownerId: owner,
    });
    const transit = await seedDemoTransit(pool, platform, sharedData);
    const turbofans = await seedDemoTurbofans(pool, platform, owner, now, sharedData);
    await platform.submit({
      type: 'wind-performance',
      params: { siteId: farm },
      ownerId: owner,
    });
    const solar = await seedDemoSolarPlant(pool, platform, owner, sharedData);
    return `a series-health schedule and a run${transit}${turbofans}; a wind-performance run of the farm${solar}`;
  } finally {
    await pool.end();
  }
}

async function seedDemoTransit(
  pool: Pool,
  platform: JobPlatform,
  sharedData: string | undefined,
): Promise<string> {
  const file = sharedData ? path.join(sharedData, demoLightCurve) : null;
  if (!file || !existsSync(file)) return '';
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM node n WHERE ${demoNodeWhere(1)}`,
    ['skyline.summit.scope1'],
  );
  if (!rows[0]) return '';
  const star = await importLightCurve(pool, {
    bytes: new Uint8Array(readFileSync(file)),
    parentId: rows[0].id,
    name: 'HAT-P-7 (Kepler-2)',
  });
  await platform.submit({
    type: 'transit-search',
    params: { starId: star.starId },
    ownerId: star.starId,
  });
  return `; a star with ${star.meta.kept} light-curve points and a transit search of it`;
}

async function seedDemoTurbofans(
  pool: Pool,
  platform: JobPlatform,
  ownerId: string,
  now: Date,
  sharedData: string | undefined,
): Promise<string> {
  const file = sharedData ? path.join(sharedData, demoTurbofans) : null;
  if (!file || !existsSync(file)) return '';
  const { rows } = await pool.query<{ id: string }>(
    `INSERT INTO node (id, kind, name, reference, parent_id, metadata, updated_at)
     VALUES (gen_random_uuid(), 'site', 'Turbofan test cell', 'acme.turbofans', $1,
             '{"source": "NASA C-MAPSS FD001"}', now())
     ON CONFLICT (reference_scope, reference) DO UPDATE SET updated_at = node.updated_at
     RETURNING id`,
    [ownerId],
  );
  const cell = rows[0].id;
  const runs = parseCmapss(readFileSync(file, 'utf8'));
  await importEngineRuns(
    pool,
    runs.filter((r) => r.unit <= 80),
    { parentId: cell, history: 'run-to-failure' },
  );
  // In service: each engine cut at 40-90 % of its life (a fixed spread, the same every time).
  const inService = runs
    .filter((r) => r.unit > 80)
    .map((r) => truncateRun(r, Math.round(r.cycles.length * (0.4 + ((r.unit * 37) % 50) / 100))));
  const today = new Date(now);
  today.setUTCHours(0, 0, 0, 0);
  await importEngineRuns(pool, inService, {
    parentId: cell,
    history: 'in-service',
    lastCycleAt: today,
  });
  await platform.submit({
    type: 'rul-train',
    params: { fleetId: cell, estimate: true },
    ownerId,
  });
  return '; a turbofan test cell (80 run-to-failure engines, 20 in service) and a remaining-life model trained on it';
}

async function seedDemoSolarPlant(
  pool: Pool,
  platform: JobPlatform,
  ownerId: string,
  sharedData: string | undefined,
): Promise<string> {
  const files = sharedData
    ? {
        generation: path.join(sharedData, demoSolarPlant.generation),
        weather: path.join(sharedData, demoSolarPlant.weather),
      }
    : null;
  if (!files || !existsSync(files.generation) || !existsSync(files.weather)) return '';
  const generation = await importSolarGeneration(pool, {
    text: readFileSync(files.generation, 'utf8'),
    parentId: ownerId,
  });
  await importSolarWeather(pool, { text: readFileSync(files.weather, 'utf8'), parentId: ownerId });
  await platform.submit({
    type: 'solar-performance',
    params: { plantId: generation.plant.id },
    ownerId,
  });
  return `; solar plant ${generation.plantId} (${generation.inverters.length} inverters) and a solar-performance run of it`;
}

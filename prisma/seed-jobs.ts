import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  builtinJobTypes,
  importLightCurve,
  JobPlatform,
  JobSchedules,
  JobTypeRegistry,
} from '@sextant/jobs';
import { Pool } from 'pg';

// Demo jobs: a nightly series-health schedule of the wind farm, and one run of it submitted
// now, which the worker runs at start, so the jobs and maintenance pages are not empty. With
// ../shared/data, the Skyline telescope also gets a star (HAT-P-7 = Kepler-2, a real Kepler
// light curve of 10 days) and a transit search of it (a few seconds on the worker).

/** The demo star's light curve, under the shared data folder. */
export const demoLightCurve = 'lightcurves/kepler/kplr010666592-2009131110544_slc.fits';

export async function seedDemoJobs(
  databaseUrl: string,
  now: Date,
  sharedData?: string,
): Promise<string> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const { rows } = await pool.query<{ reference: string; id: string }>(
      `SELECT reference, id FROM node WHERE reference = ANY($1::text[])`,
      [['acme', 'acme.north']],
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
    return `a series-health schedule and a run${transit}`;
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
    `SELECT id FROM node WHERE reference = 'skyline.summit.scope1'`,
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

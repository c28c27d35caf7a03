import { builtinJobTypes, JobPlatform, JobSchedules, JobTypeRegistry } from '@sextant/jobs';
import { Pool } from 'pg';

// Demo jobs: a nightly series-health schedule of the wind farm, and one run of it submitted
// now, which the worker runs at start, so the jobs and maintenance pages are not empty.

export async function seedDemoJobs(databaseUrl: string, now: Date): Promise<string> {
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
    return 'a series-health schedule and a run';
  } finally {
    await pool.end();
  }
}

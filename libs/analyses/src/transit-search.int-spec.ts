import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  createTestDatabase,
  expectWithMessage,
  TestDatabase,
  sharedDataPath,
} from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { importLightCurve, LightCurveImportResult, lightCurveResources } from '@sextant/imports';
import { JobPlatform, JobTypeRegistry } from '@sextant/jobs';
import {
  createFleet,
  Fleet,
  startTestWorker,
  testJobTypes,
  waitForRun,
} from '@sextant/jobs/testing';
import { builtinJobTypesWith } from './index';

// The three real light curves of ../shared/data (README there): imported through the store,
// searched by the transit-search job on a real worker, their catalogued planets found.
const data = sharedDataPath('lightcurves');
const files = {
  kepler2: 'kepler/kplr010666592-2009131110544_slc.fits',
  kepler1: 'kepler/kplr011446443-2009131110544_slc.fits',
  wasp126: 'tess/tess2018206045859-s0001-0000000025155310-0120-s_lc.fits',
};
const koiCatalogue = path.join(data, 'koi_cumulative_2019-01-20.csv');
const missing = [...Object.values(files).map((f) => path.join(data, f)), koiCatalogue].filter(
  (f) => !existsSync(f),
);
if (missing.length) console.warn(`skipping the transit-search job: missing ${missing.join(', ')}`);

(missing.length > 0 ? describe.skip : describe)('transit-search job', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let fleet: Fleet;
  const registry = () =>
    new JobTypeRegistry([...builtinJobTypesWith({ koiCatalogue }), ...testJobTypes]);
  const imported = new Map<string, LightCurveImportResult>();
  const bytes = (name: keyof typeof files) =>
    new Uint8Array(readFileSync(path.join(data, files[name])));

  beforeAll(async () => {
    db = await createTestDatabase('jobs_transit_search');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, registry());
    fleet = await createFleet(pool, 'sky');
    for (const name of Object.keys(files) as (keyof typeof files)[]) {
      imported.set(
        name,
        await importLightCurve(pool, { bytes: bytes(name), parentId: fleet.siteId }),
      );
    }
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('imports a light curve as a star with flux and error series, accounted once', async () => {
    const kepler2 = imported.get('kepler2')!;
    expect(kepler2).toMatchObject({
      starName: 'KIC 10666592',
      createdStar: true,
      meta: { catalog: 'KIC', targetId: 10666592, mission: 'Kepler', timeReference: 'BKJD' },
    });
    const kept = kepler2.meta.kept;
    // Quality 0 and finite flux: most of the ~14,000 one-minute cadences of 10 days.
    expect(kept).toBeGreaterThan(13_000);
    expect(kepler2.series.map((s) => [s.field, s.points, s.newPoints])).toEqual([
      ['pdcsap_flux', kept, kept],
      ['pdcsap_flux_err', kept, kept],
    ]);
    const movements = async () =>
      (
        await pool.query(
          `SELECT r.reference, m.quantity::float8 AS quantity, m.origin, m.destination_id
             FROM movement m JOIN resource r ON r.id = m.resource_id
            WHERE m.source_id = $1 ORDER BY r.reference`,
          [kepler2.starId],
        )
      ).rows;
    const expected = [
      {
        reference: lightCurveResources.flux,
        quantity: kept,
        origin: 'ingest',
        destination_id: fleet.siteId,
      },
      {
        reference: lightCurveResources.fluxErr,
        quantity: kept,
        origin: 'ingest',
        destination_id: fleet.siteId,
      },
    ];
    expect(await movements()).toEqual(expected);

    // The same file again: the same star and series, no new point, nothing accounted.
    const again = await importLightCurve(pool, { bytes: bytes('kepler2'), parentId: fleet.siteId });
    expect(again.starId).toBe(kepler2.starId);
    expect(again.createdStar).toBe(false);
    expect(again.series.map((s) => s.newPoints)).toEqual([0, 0]);
    expect(await movements()).toEqual(expected);
  });

  it('refuses a file that is not a FITS light curve, naming the field', async () => {
    await expect(
      importLightCurve(pool, {
        bytes: new TextEncoder().encode('time,flux\n1,2\n'),
        parentId: fleet.siteId,
      }),
    ).rejects.toMatchObject({ code: 'ValidationFailed', fieldErrors: [{ field: 'file' }] });
    await expect(
      importLightCurve(pool, {
        bytes: bytes('kepler1'),
        parentId: '0190a0a0-0000-7000-8000-000000000000',
      }),
    ).rejects.toMatchObject({ fieldErrors: [{ field: 'parentId' }] });
  });

  it('finds each catalogued period within 0.1 % as candidate items, the Kepler ones matched with their KOI', async () => {
    const runs = new Map<string, string>();
    for (const [name, star] of imported) {
      const run = await platform.submit({
        type: 'transit-search',
        params: { starId: star.starId, maxPlanets: 2 },
        ownerId: fleet.ownerId,
      });
      runs.set(name, run.id);
    }
    const worker = await startTestWorker(db.url, { registry: registry() });
    try {
      for (const id of runs.values()) {
        const done = await waitForRun(pool, id, ['succeeded', 'failed'], 300_000);
        expectWithMessage(done.state, done.error ?? '').toBe('succeeded');
      }
    } finally {
      await worker.stop();
    }

    // Catalogued periods (data README; KOI cumulative table for the Kepler stars).
    const expected = {
      kepler2: { period: 2.204735417, koi: 'K00002.01', planet: 'Kepler-2 b', known: true },
      kepler1: { period: 2.470613377, koi: 'K00001.01', planet: 'Kepler-1 b', known: true },
      wasp126: { period: 3.2888, koi: null, planet: null, known: false },
    };
    for (const [name, want] of Object.entries(expected)) {
      const star = imported.get(name)!;
      const { rows: items } = await pool.query(
        `SELECT name, metadata FROM item WHERE owner_id = $1 AND kind = 'candidate'
            ORDER BY (metadata->>'rank')::int`,
        [star.starId],
      );
      // One planet each; the second round's best peak is noise (below the thresholds).
      expectWithMessage(items, name).toHaveLength(1);
      const [{ metadata: c }] = items;
      expectWithMessage(Math.abs(c.period - want.period) / want.period, name).toBeLessThan(0.001);
      expectWithMessage(c.knownPlanet, name).toBe(want.known);
      expectWithMessage(c.koi?.kepoiName ?? null, name).toBe(want.koi);
      expectWithMessage(c.koi?.keplerName ?? null, name).toBe(want.planet);
      // Charts for the portal: a thinned periodogram peaking at the period, a binned fold
      // whose lowest bin is near mid-transit.
      expect(c.periodogram.period.length).toBeLessThanOrEqual(1000);
      const peak = c.periodogram.power.indexOf(Math.max(...c.periodogram.power));
      expect(Math.abs(c.periodogram.period[peak] - want.period) / want.period).toBeLessThan(0.01);
      const low = c.folded.flux.indexOf(Math.min(...c.folded.flux));
      expect(Math.abs(c.folded.phaseHours[low])).toBeLessThan(c.durationHours / 2);

      // Lineage: both series read in full, the candidate produced.
      const { rows: lineage } = await pool.query(
        `SELECT kind, quantity::float8 AS quantity, movement_id IS NOT NULL AS accounted
             FROM job_lineage WHERE run_id = $1 ORDER BY kind, quantity`,
        [runs.get(name)],
      );
      expect(lineage).toEqual([
        { kind: 'read', quantity: star.meta.kept, accounted: true },
        { kind: 'read', quantity: star.meta.kept, accounted: true },
        { kind: 'produced', quantity: 1, accounted: true },
      ]);
    }
  }, 360_000);

  it('refuses durations it cannot search and a period range the wrong way round', async () => {
    await expect(
      platform.submit({
        type: 'transit-search',
        params: {
          starId: imported.get('kepler1')!.starId,
          durationsHours: '30',
          minPeriod: 2,
          maxPeriod: 1,
        },
        ownerId: fleet.ownerId,
      }),
    ).rejects.toMatchObject({
      fieldErrors: [
        { field: 'params.durationsHours', reason: 'needs durations of 0-24 hours' },
        { field: 'params.maxPeriod', reason: 'must be longer than minPeriod' },
      ],
    });
  });
});

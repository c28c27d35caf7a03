import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readLightCurve, type LightCurve } from '../fits/lightcurve';
import { missingSharedData, sharedData } from '../testing/shared-data';
import { BlsPool } from './bls-pool';
import { koiForStar, matchCandidate, parseKoiCatalogue, type KoiEntry } from './koi';
import { searchTransits, type TransitSearchResult } from './search';

const files = {
  kepler2: 'lightcurves/kepler/kplr010666592-2009131110544_slc.fits',
  kepler1: 'lightcurves/kepler/kplr011446443-2009131110544_slc.fits',
  wasp126: 'lightcurves/tess/tess2018206045859-s0001-0000000025155310-0120-s_lc.fits',
  koi: 'lightcurves/koi_cumulative_2019-01-20.csv',
};
const missing = missingSharedData(...Object.values(files));
if (missing) console.warn(`skipping the transit search on real light curves: ${missing}`);

(missing !== undefined ? describe.skip : describe)(
  'searchTransits on the three light curves',
  () => {
    let pool: BlsPool;
    let koi: KoiEntry[];
    const results = new Map<string, { lc: LightCurve; result: TransitSearchResult }>();

    beforeAll(async () => {
      pool = new BlsPool(2);
      koi = parseKoiCatalogue(readFileSync(sharedData(files.koi), 'utf8'));
      for (const [name, file] of Object.entries(files)) {
        if (name === 'koi') continue;
        const lc = readLightCurve(new Uint8Array(readFileSync(sharedData(file))));
        results.set(name, { lc, result: await searchTransits(lc, { pool }) });
      }
    }, 120_000);
    afterAll(() => pool?.close());

    // Catalogued periods from the data README (KOI cumulative table for the Kepler stars).
    it.each([
      ['kepler2', 2.204735417, 121.3585, 6675],
      ['kepler1', 2.470613377, 122.7633, 14231],
      ['wasp126', 3.2888, 1327.52, 6700],
    ])('%s gives back its planet period within 0.1%%', (name, period, epoch, depthPpm) => {
      const { result } = results.get(name)!;
      const first = result.candidates[0];
      expect(Math.abs(first.period - period) / period).toBeLessThan(0.001);
      const x = (first.epoch - epoch) / period;
      expect(Math.abs(x - Math.round(x)) * period * 24).toBeLessThan(1); // within an hour
      expect(first.depthPpm).toBeGreaterThan(depthPpm * 0.7);
      expect(first.depthPpm).toBeLessThan(depthPpm * 1.3);
    });

    it.each(['kepler2', 'kepler1', 'wasp126'])(
      '%s: one planet, then a noise peak below the thresholds stops the search',
      (name) => {
        const { result } = results.get(name)!;
        expect(result.candidates).toHaveLength(1);
        const [found, noise] = result.iterations;
        // Measured: planets have robust SDE 28–122, the noise peaks after masking 4–8.
        expect(found.sdeRobust).toBeGreaterThan(20);
        expect(noise.accepted).toBe(false);
        expect(noise.sdeRobust).toBeLessThan(12);
        expect(result.stoppedBecause).toMatch(/^round 2: the best peak/);
        expect(found.periodogram.period.length).toBeLessThanOrEqual(2000);
        expect(JSON.parse(JSON.stringify(result))).toEqual(result);
      },
    );

    it('flags the Kepler candidates as the known planets of the KOI catalogue', () => {
      for (const [name, kepid, koiName, planet] of [
        ['kepler2', 10666592, 'K00002.01', 'Kepler-2 b'],
        ['kepler1', 11446443, 'K00001.01', 'Kepler-1 b'],
      ] as const) {
        const { lc, result } = results.get(name)!;
        expect(lc.meta.targetId).toBe(kepid);
        const [match] = matchCandidate(result.candidates[0], koiForStar(koi, kepid));
        expect(match).toMatchObject({
          kepoiName: koiName,
          keplerName: planet,
          harmonic: 1,
          knownPlanet: true,
        });
        expect(match.epochOffsetHours).toBeLessThan(0.5);
      }
    });

    it('finds a second, injected planet after masking the first', async () => {
      // Kepler-1's light curve with a box transit of 1,500 ppm, 2 h, every 1.3719 d added.
      const { lc } = results.get('kepler1')!;
      const [period, epoch, depth, duration] = [1.3719, 121.1, 0.0015, 2 / 24];
      const flux = lc.flux.slice();
      for (let i = 0; i < flux.length; i++) {
        const x = (lc.time[i] - epoch) / period;
        if (Math.abs(x - Math.round(x)) * period < duration / 2) flux[i] *= 1 - depth;
      }
      const result = await searchTransits({ ...lc, flux }, { pool });
      expect(result.candidates.map((c) => c.rank)).toEqual([1, 2]);
      const [, injected] = result.candidates;
      expect(Math.abs(injected.period - period) / period).toBeLessThan(0.001);
      expect(injected.depthPpm).toBeGreaterThan(1200);
      expect(injected.depthPpm).toBeLessThan(1800);
      expect(injected.relatedTo).toBeUndefined();
    });
  },
);

describe(parseKoiCatalogue.name, () => {
  (missing !== undefined ? it.skip : it)('reads the cumulative table', () => {
    const koi = parseKoiCatalogue(readFileSync(sharedData(files.koi), 'utf8'));
    // 9,564 rows in the file (data README); all have a period and an epoch.
    expect(koi).toHaveLength(9564);
    expect(koiForStar(koi, 10666592)).toEqual([
      {
        kepid: 10666592,
        kepoiName: 'K00002.01',
        keplerName: 'Kepler-2 b',
        disposition: 'CONFIRMED',
        period: 2.204735417,
        epoch: 121.3585417,
        depthPpm: 6674.7,
        durationHours: 3.88864,
      },
    ]);
  });

  it('names the line of a bad cell', () => {
    const text =
      '# comment\nkepid,kepoi_name,kepler_name,koi_disposition,koi_period,koi_time0bk,koi_depth,koi_duration\n1,K1,,CANDIDATE,2.5,130,100,2\n2,K2,,CANDIDATE,two,130,100,2\n';
    expect(() => parseKoiCatalogue(text)).toThrow(
      'catalogue: "two" is not a number (line 4, column koi_period)',
    );
    expect(() => parseKoiCatalogue('kepid,koi_period\n1,2\n')).toThrow(
      'catalogue: missing column "kepoi_name"',
    );
  });
});

describe(matchCandidate.name, () => {
  const entry: KoiEntry = {
    kepid: 1,
    kepoiName: 'K00001.01',
    keplerName: 'Kepler-1 b',
    disposition: 'CONFIRMED',
    period: 2.470613377,
    epoch: 122.763305,
    depthPpm: 14231,
    durationHours: 1.74,
  };

  it.each([
    // period, epoch, expected harmonic (undefined: no match)
    [2.4706, 122.7633 + 10 * 2.470613377, 1], // ten periods later
    [2.4706 / 2, 122.7633 + 2.470613377 / 2, 0.5], // half period: every other transit is real
    [2.4706 * 2, 122.7633 - 2.470613377, 2], // double period
    [2.4706, 122.7633 + 0.3, undefined], // 7.2 h off
    [2.49, 122.7633, undefined], // 0.8 % off in period
    [2.4706 * 3, 122.7633, undefined], // 3× is not tried by default
  ])('P %f, epoch %f → harmonic %s', (period, epoch, harmonic) => {
    const [match] = matchCandidate({ period, epoch, durationHours: 1.7 }, [entry]);
    expect(match?.harmonic).toBe(harmonic);
    if (match) expect(match.knownPlanet).toBe(harmonic === 1);
  });
});

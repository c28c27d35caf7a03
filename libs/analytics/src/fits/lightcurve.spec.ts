import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { missingSharedData, sharedData } from '../testing/shared-data';
import { BinTable, readFits } from './fits';
import { lightCurveTimeToEpochMs, readLightCurve } from './lightcurve';

const files = {
  kepler2: 'lightcurves/kepler/kplr010666592-2009131110544_slc.fits',
  kepler1: 'lightcurves/kepler/kplr011446443-2009131110544_slc.fits',
  wasp126: 'lightcurves/tess/tess2018206045859-s0001-0000000025155310-0120-s_lc.fits',
};
const missing = missingSharedData(...Object.values(files));
if (missing) console.warn(`skipping the light-curve files: ${missing}`);
const load = (f: string) => new Uint8Array(readFileSync(sharedData(f)));

(missing !== undefined ? describe.skip : describe)('readLightCurve on the MAST files', () => {
  // Expected figures from astropy.io.fits on the same files (rows with quality 0 and finite
  // TIME and PDCSAP_FLUX; first kept row).
  it.each([
    [
      files.kepler2,
      'KIC 10666592',
      'KIC',
      10666592,
      'Kepler',
      'BKJD',
      14280,
      13203,
      120.52893910104467,
      1034637.5625,
      247.80812072753906,
    ],
    [
      files.kepler1,
      'KIC 11446443',
      'KIC',
      11446443,
      'Kepler',
      'BKJD',
      14280,
      13634,
      120.52924274596444,
      406145.9375,
      130.3463897705078,
    ],
    [
      files.wasp126,
      'TIC 25155310',
      'TIC',
      25155310,
      'TESS',
      'BTJD',
      20076,
      18103,
      1325.2966486684504,
      9233.58203125,
      12.31404972076416,
    ],
  ])('%s', (file, object, catalog, id, mission, ref, rows, kept, t0, f0, e0) => {
    const lc = readLightCurve(load(file));
    expect(lc.meta).toMatchObject({
      object,
      catalog,
      targetId: id,
      mission,
      timeReference: ref,
      rows,
      kept,
    });
    expect(lc.meta.kept + lc.meta.droppedQuality + lc.meta.droppedNonFinite).toBe(rows);
    expect(lc.time.length).toBe(kept);
    expect(lc.time[0]).toBe(t0);
    expect(lc.flux[0]).toBe(f0);
    expect(lc.fluxErr[0]).toBe(e0);
    expect(lc.quality.every((q) => q === 0)).toBe(true);
    expect(lc.flux.every(Number.isFinite)).toBe(true);
    for (let i = 1; i < lc.time.length; i++) expect(lc.time[i]).toBeGreaterThan(lc.time[i - 1]);
    expect(lc.meta.fluxUnit).toBe('e-/s');
  });

  it('reads the cadence of each mission', () => {
    const kepler = readLightCurve(load(files.kepler2)).meta;
    // TIMEDEL 0.000681119940564 d: Kepler short cadence, 58.85 s.
    expect(kepler.cadence).toBe('short');
    expect(kepler.cadenceSeconds).toBeCloseTo(58.85, 2);
    const tess = readLightCurve(load(files.wasp126)).meta;
    expect(tess.cadence).toBe('2-min');
    expect(tess.sector).toBe(1);
    expect(tess.bjdReference).toBe(2457000);
  });

  it('keeps every row on request, with the quality flags', () => {
    const lc = readLightCurve(load(files.kepler2), { keep: 'all' });
    expect(lc.time.length).toBe(14280);
    // 1,077 rows have a quality flag set (astropy.io.fits).
    expect(lc.quality.filter((q) => q !== 0).length).toBe(1077);
  });

  it('reads header cards and integer columns', () => {
    const file = readFits(load(files.kepler2));
    expect(file.hdus.map((h) => `${h.name}:${h.type}`)).toEqual([
      'PRIMARY:primary',
      'LIGHTCURVE:bintable',
      'APERTURE:image',
    ]);
    const table = new BinTable(file, file.hdus[1]);
    expect(table.rows).toBe(14280);
    expect(table.columns).toHaveLength(20);
    expect(table.column('CADENCENO')).toMatchObject({ code: 'J', repeat: 1, offset: 12 });
    const cadence = table.numbers('CADENCENO');
    expect(cadence[1] - cadence[0]).toBe(1);
    expect(file.hdus[0].header.number('KEPMAG')).toBe(9.71);
  });

  it('converts BKJD to epoch milliseconds', () => {
    // BKJD 120.5 = BJD 2454953.5 = 2009-05-02T00:00:00 (TDB, not corrected to UTC).
    expect(new Date(lightCurveTimeToEpochMs(120.5, { bjdReference: 2454833 })).toISOString()).toBe(
      '2009-05-02T00:00:00.000Z',
    );
  });

  it('names what is wrong in a bad file', () => {
    const good = load(files.kepler2);
    expect(() => readLightCurve(new TextEncoder().encode('time,flux\n1,2\n'))).toThrow(
      /not a FITS file/,
    );
    const notFits = new Uint8Array(2880).fill(0x20);
    expect(() => readLightCurve(notFits)).toThrow(/does not start with the SIMPLE keyword/);
    // Cut inside the table: the data unit of HDU 1 is incomplete.
    expect(() => readLightCurve(good.subarray(0, 100_000))).toThrow(
      /truncated file: HDU 1 \(LIGHTCURVE\) needs 1428000 data bytes/,
    );
    // Cut inside the primary header.
    expect(() => readLightCurve(good.subarray(0, 2880))).toThrow(/no END card/);
    expect(() => readLightCurve(good, { fluxColumn: 'KSPSAP_FLUX' })).toThrow(
      /missing column KSPSAP_FLUX in HDU 1 \(LIGHTCURVE\); it has TIME, TIMECORR/,
    );
  });

  it('reports a missing quality column', () => {
    const bytes = load(files.kepler2).slice();
    const text = new TextDecoder('latin1').decode(bytes.subarray(0, 40_000));
    const at = text.indexOf("'SAP_QUALITY'");
    expect(at).toBeGreaterThan(0);
    bytes.set(new TextEncoder().encode("'SAP_QUALITX'"), at);
    expect(() => readLightCurve(bytes)).toThrow(
      /missing column SAP_QUALITY \(Kepler\) or QUALITY \(TESS\)/,
    );
  });
});

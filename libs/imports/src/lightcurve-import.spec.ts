import type { LightCurveMeta } from '@sextant/analytics';
import { describe, expect, it } from '@jest/globals';
import { lightCurveTags, lightCurveTimesToNs, nsToLightCurveTimes } from './lightcurve-import';

const meta = (bjdReference: number) =>
  ({
    catalog: 'KIC',
    targetId: 10666592,
    object: 'KIC 10666592',
    mission: 'Kepler',
    bjdReference,
  }) as LightCurveMeta;

describe(lightCurveTimesToNs.name, () => {
  it.each([
    // Kepler (BKJD) and TESS (BTJD) times of the shared light curves.
    [2454833, [120.5391, 121.3585417, 129.99]],
    [2457000, [1325.2946, 1327.52, 1353.1764]],
  ])('dates BJD %i + t and reads the same days back', (reference, days) => {
    const ns = lightCurveTimesToNs(Float64Array.from(days), meta(reference));
    const back = nsToLightCurveTimes([...ns], reference);
    // Counted from the reference, not through BJD itself (whose float steps are ~40 µs).
    back.forEach((t, i) => expect(Math.abs(t - days[i]) * 86_400e6).toBeLessThan(1));
  });

  it('puts BKJD 0 at 2009-01-01T12:00:00Z (BJD 2454833.0, the TDB offset kept)', () => {
    const [ns] = lightCurveTimesToNs(Float64Array.of(0), meta(2454833));
    expect(new Date(Number(ns / 1_000_000n)).toISOString()).toBe('2009-01-01T12:00:00.000Z');
  });
});

describe(lightCurveTags.name, () => {
  it('names the star and the time scale of its file', () => {
    expect(lightCurveTags(meta(2454833))).toEqual({
      catalog: 'KIC',
      target: '10666592',
      mission: 'Kepler',
      bjdref: '2454833',
    });
  });
});

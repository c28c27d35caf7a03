import { describe, expect, it } from 'vitest';
import { seriesKey, sortedTags } from './series-key';

describe(seriesKey.name, () => {
  it.each([
    ['scada', { turbine: 'T07', site: 'north' }, 'power', 'scada,site=north,turbine=T07 power'],
    ['scada', undefined, 'power', 'scada power'],
    ['my meas', { 'a,b': 'c=d' }, 'f x', 'my\\ meas,a\\,b=c\\=d f\\ x'],
  ])('keys %s %o %s as %s', (measurement, tags, field, key) => {
    expect(seriesKey(measurement, tags, field)).toBe(key);
  });

  it('gives the same key whatever the order of the tags', () => {
    expect(seriesKey('m', { b: '2', a: '1' }, 'f')).toBe(seriesKey('m', { a: '1', b: '2' }, 'f'));
    expect(Object.keys(sortedTags({ b: '2', a: '1' }))).toEqual(['a', 'b']);
  });
});

import { describe, expect, it } from '@jest/globals';
import { scopedSeriesKey, seriesKey, sortedTags } from './series-key';

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

describe(scopedSeriesKey.name, () => {
  it('tells the same key on two nodes apart, and keeps series without a node in their own scope', () => {
    const key = 'scada,turbine=T01 power';
    const scoped = ['node-a', 'node-b', null, undefined].map((n) => scopedSeriesKey(n, key));
    expect(new Set(scoped).size).toBe(3); // null and undefined: the same scope
    expect(scopedSeriesKey('node-a', key)).not.toBe(scopedSeriesKey('node-a', 'scada power'));
  });
});

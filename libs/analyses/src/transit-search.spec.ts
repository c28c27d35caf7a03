import { describe, expect, it } from '@jest/globals';
import { parseDurations } from './transit-search';

describe(parseDurations.name, () => {
  it.each([
    ['1,1.5, 2 ,3', [1, 1.5, 2, 3]],
    ['0,2', [2]], // a zero duration is dropped
    ['', []],
  ])('%s → %j', (text, hours) => {
    expect(parseDurations(text)).toEqual(hours);
  });
});

import { describe, expect, it } from '@jest/globals';
import { groupBySeries, keyProblem } from './batch';

describe(keyProblem.name, () => {
  it.each([
    ['a plain key', 'scada,turbine=T01 power_kw', null],
    ['a key of 1,000 characters', `m,t=${'x'.repeat(994)} v`, null],
    ['a key of 1,001 characters', `m,t=${'x'.repeat(995)} v`, /1001 characters; at most 1000/],
    ['a NUL in a tag value', 'm,t=a\u0000b v', /NUL/],
    ['a lone high surrogate', 'm,t=\ud800 v', /lone surrogate/],
    ['a lone low surrogate', 'm,t=\udc00x v', /lone surrogate/],
    ['a surrogate pair (an emoji)', 'm,t=\ud83d\ude00 v', null],
  ])('%s', (_, key, expected) => {
    const problem = keyProblem(key);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('rejects the points of a series whose key is too long and keeps the others', () => {
    const { batches, rejected } = groupBySeries([
      { measurement: 'm', tags: { t: 'x'.repeat(2000) }, field: 'v', time: 1n, value: 1 },
      { measurement: 'm', tags: { t: 'ok' }, field: 'v', time: 1n, value: 2 },
    ]);
    expect(rejected.map((r) => r.index)).toEqual([0]);
    expect([...batches.keys()]).toEqual(['m,t=ok v']);
  });
});

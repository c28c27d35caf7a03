import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '@sextant/testing';
import {
  forwardNodeRuleProblems,
  maxTagPatternLength,
  maxTagPatterns,
  MatchSteps,
  TagPattern,
} from './tag-pattern';

/** The textbook dynamic-programming glob matcher (quadratic, obviously right): the reference. */
function reference(pattern: string, tag: string): boolean {
  let row = Array.from({ length: tag.length + 1 }, (_, j) => j === 0);
  for (const p of pattern) {
    const next = new Array<boolean>(tag.length + 1).fill(false);
    next[0] = p === '*' && row[0];
    for (let j = 1; j <= tag.length; j++)
      next[j] = p === '*' ? row[j] || next[j - 1] : row[j - 1] && tag[j - 1] === p;
    row = next;
  }
  return row[tag.length];
}

function counted(pattern: string, tag: string): { matched: boolean; steps: number } {
  const steps: MatchSteps = { count: 0 };
  return { matched: new TagPattern(pattern).matches(tag, steps), steps: steps.count };
}

describe(TagPattern.name, () => {
  it.each([
    // pattern, tag, matches
    ['scada.*', 'scada.t07.power', true],
    ['scada.*', 'scada.', true],
    ['scada.*', 'scada', false],
    ['*', '', true],
    ['*', 'anything at all', true],
    ['**', 'x', true],
    ['', '', true],
    ['', 'a', false],
    ['app.log', 'app.log', true],
    ['app.log', 'app.logs', false],
    // dots and other regular-expression characters are literal
    ['x.y', 'xzy', false],
    ['a+b(c)[d]$', 'a+b(c)[d]$', true],
    ['a+b', 'aab', false],
    ['a?c', 'abc', false],
    ['a?c', 'a?c', true],
    ['*.log', 'kube.var.log.1', false],
    ['*.log', 'nginx.access.log', true],
    ['*.t07.*', 'scada.t07.power', true],
    ['*.t07.*', 'scada.t070power', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'acb', false],
    // prefix and suffix may not overlap
    ['a*a', 'a', false],
    ['a*a', 'aa', true],
    ['ab*ba', 'aba', false],
    // the middle pieces in order and without overlapping
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['*aab*', 'aaab', true],
    ['*abcabd*', 'abcabcabd', true],
    ['*a*a*a*a*b', `${'a'.repeat(200)}b`, true],
    ['*a*a*a*a*b', 'a'.repeat(200), false],
    ['tür*bine', 'tür-7-bine', true],
    ['*\n*', 'line\nbreak', true],
  ])('%j against %j: %s', (pattern, tag, expected) => {
    expect(new TagPattern(pattern).matches(tag)).toBe(expected);
    expect(reference(pattern, tag)).toBe(expected);
  });

  it('agrees with the reference matcher on every short pattern and tag it is given', () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const word = (alphabet: string, length: number) =>
      Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    let matched = 0;
    for (let i = 0; i < 5000; i++) {
      const pattern = word('ab**', random(9));
      const tag = word('ab', random(12));
      const expected = reference(pattern, tag);
      expectWithMessage(new TagPattern(pattern).matches(tag), `${pattern} against ${tag}`).toBe(
        expected,
      );
      if (expected) matched++;
    }
    // Both outcomes were exercised.
    expect(matched).toBeGreaterThan(500);
    expect(matched).toBeLessThan(4500);
  });

  it('matches *a*a*a*a*b against a 200-character tag in a linear number of steps', () => {
    // The regular expression this replaced (^.*a.*a.*a.*a.*b$) backtracks through about
    // 200^4 / 24 ≈ 67 million positions here: 6 s of a blocked gateway.
    const pattern = '*a*a*a*a*b';
    const tag = 'a'.repeat(200);
    const { matched, steps } = counted(pattern, tag);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual(2 * (tag.length + pattern.length));
  });

  it.each([
    // pattern, tag: hostile to backtracking and to naive substring search
    ['*a'.repeat(127) + '*b', 'a'.repeat(1024)],
    ['*a'.repeat(5000) + '*b', 'a'.repeat(1_000_000)],
    [`*${'a'.repeat(1000)}b*`, 'a'.repeat(200_000)],
    [`*${'ab'.repeat(500)}c*`, 'ab'.repeat(100_000)],
    [`${'a'.repeat(100)}*${'a'.repeat(100)}b`, 'a'.repeat(300_000)],
  ])('refuses hostile pattern %# in at most 2 × (tag + pattern) steps', (pattern, tag) => {
    const { matched, steps } = counted(pattern, tag);
    expect(matched).toBe(false);
    expect(steps).toBeLessThanOrEqual(2 * (tag.length + pattern.length));
  });

  it('finds a match at the far end of a long tag, still in linear steps', () => {
    const pattern = `*${'ab'.repeat(500)}c*`;
    const tag = `${'ab'.repeat(100_000)}c`;
    const { matched, steps } = counted(pattern, tag);
    expect(matched).toBe(true);
    expect(steps).toBeLessThanOrEqual(2 * (tag.length + pattern.length));
  });
});

describe(forwardNodeRuleProblems.name, () => {
  it('accepts patterns up to the cap and ignores mappings without rules', () => {
    const pattern = 'x'.repeat(maxTagPatternLength);
    expect(forwardNodeRuleProblems({ forward: { nodes: { [pattern]: 'n', 'a.*': 'm' } } })).toEqual(
      [],
    );
    expect(forwardNodeRuleProblems({})).toEqual([]);
    expect(forwardNodeRuleProblems({ forward: { nodes: ['x'] } })).toEqual([]);
    expect(forwardNodeRuleProblems(null)).toEqual([]);
  });

  it('names a pattern over the cap, and too many rules', () => {
    const long = `*${'a*'.repeat(maxTagPatternLength)}`;
    expect(forwardNodeRuleProblems({ forward: { nodes: { [long]: 'n' } } })).toEqual([
      {
        field: `mapping.forward.nodes["${long.slice(0, 40)}…"]`,
        reason: `the pattern has ${long.length} characters; at most ${maxTagPatternLength} are allowed`,
      },
    ]);
    const many = Object.fromEntries(
      Array.from({ length: maxTagPatterns + 1 }, (_, i) => [`t${i}.*`, 'n']),
    );
    expect(forwardNodeRuleProblems({ forward: { nodes: many } })).toEqual([
      {
        field: 'mapping.forward.nodes',
        reason: `has ${maxTagPatterns + 1} rules; at most ${maxTagPatterns} are allowed`,
      },
    ]);
  });
});

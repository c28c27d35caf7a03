import { describe, expect, it } from 'vitest';
import { atLeast, minuteOf, ticketPriority, toJson } from './maintenance-findings';

describe(ticketPriority.name, () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['info', 'low'],
  ] as const)('gives a %s finding a %s ticket', (severity, priority) => {
    expect(ticketPriority(severity)).toBe(priority);
  });
});

describe(atLeast.name, () => {
  it.each([
    ['high', 'medium', true],
    ['medium', 'medium', true],
    ['low', 'medium', false],
    ['info', 'low', false],
  ] as const)('%s is at least %s: %s', (severity, minimum, expected) => {
    expect(atLeast(severity, minimum)).toBe(expected);
  });
});

describe(toJson.name, () => {
  it('stores NaN as null and dates as text', () => {
    expect(toJson({ cutIn: NaN, at: new Date(Date.UTC(2018, 0, 24, 6, 10)) })).toEqual({
      cutIn: null,
      at: '2018-01-24T06:10:00.000Z',
    });
    expect(minuteOf(Date.UTC(2018, 0, 24, 6, 10))).toBe('2018-01-24 06:10');
  });
});

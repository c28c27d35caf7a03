import { describe, expect, it } from '@jest/globals';
import { Money } from './money';
import {
  dayFraction,
  nextPeriod,
  periodContaining,
  periodsBetween,
  type Interval,
  type Period,
} from './periods';

// '2026-03-15' is midnight UTC; a full ISO timestamp is taken as is.
const at = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00.000Z` : s);
const day = (d: Date) => d.toISOString().slice(0, 10);
const show = (p: Period) => [p.start.toISOString(), p.end.toISOString()];
const days = (p: Period) => [day(p.start), day(p.end)];

describe('periodContaining', () => {
  it.each([
    // [at, interval, anchorDay, anchorMonth, start, end]
    ['2026-03-15T12:00:00Z', 'month', 1, 1, '2026-03-01', '2026-04-01'],
    ['2026-03-10', 'month', 15, 1, '2026-02-15', '2026-03-15'],
    ['2026-03-15', 'month', 15, 1, '2026-03-15', '2026-04-15'], // the start is inside
    ['2026-03-14T23:59:59.999Z', 'month', 15, 1, '2026-02-15', '2026-03-15'],
    ['2026-12-20', 'month', 5, 1, '2026-12-05', '2027-01-05'], // across the new year
    ['2027-01-02', 'month', 5, 1, '2026-12-05', '2027-01-05'],
    // Anchor 31: February ends the anchor on its last day, March returns to the 31st.
    ['2026-02-10', 'month', 31, 1, '2026-01-31', '2026-02-28'],
    ['2026-02-28', 'month', 31, 1, '2026-02-28', '2026-03-31'],
    ['2026-03-30', 'month', 31, 1, '2026-02-28', '2026-03-31'],
    ['2026-04-30', 'month', 31, 1, '2026-04-30', '2026-05-31'], // April has 30 days
    // Leap year 2028: February has 29 days.
    ['2028-02-10', 'month', 31, 1, '2028-01-31', '2028-02-29'],
    ['2028-02-29', 'month', 31, 1, '2028-02-29', '2028-03-31'],
    ['2028-02-29', 'month', 29, 1, '2028-02-29', '2028-03-29'],
    ['2027-02-28', 'month', 29, 1, '2027-02-28', '2027-03-29'], // no 29 Feb in 2027
    ['2026-07-04', 'year', 1, 1, '2026-01-01', '2027-01-01'],
    ['2026-03-31', 'year', 1, 4, '2025-04-01', '2026-04-01'],
    ['2026-04-01', 'year', 1, 4, '2026-04-01', '2027-04-01'],
    // Yearly from 29 February: the 28th in common years.
    ['2027-06-01', 'year', 29, 2, '2027-02-28', '2028-02-29'],
    ['2028-03-01', 'year', 29, 2, '2028-02-29', '2029-02-28'],
    ['2028-02-28', 'year', 31, 2, '2027-02-28', '2028-02-29'], // anchor 31 in February too
  ] as [string, Interval, number, number, string, string][])(
    '%s, %s from day %i (month %i) -> [%s, %s)',
    (when, interval, anchorDay, anchorMonth, start, end) => {
      const p = periodContaining(at(when), interval, anchorDay, anchorMonth);
      expect(show(p)).toEqual([at(start).toISOString(), at(end).toISOString()]);
    },
  );

  it('rejects bad anchors and invalid dates', () => {
    expect(() => periodContaining(at('2026-01-01'), 'month', 0, 1)).toThrow('anchorDay');
    expect(() => periodContaining(at('2026-01-01'), 'month', 32, 1)).toThrow('anchorDay');
    expect(() => periodContaining(at('2026-01-01'), 'month', 1.5, 1)).toThrow('anchorDay');
    expect(() => periodContaining(at('2026-01-01'), 'year', 1, 13)).toThrow('anchorMonth');
    expect(() => periodContaining(new Date('nope'), 'month', 1, 1)).toThrow('invalid date');
    // The month is not used for monthly periods.
    expect(days(periodContaining(at('2026-01-05'), 'month', 1, 0))).toEqual([
      '2026-01-01',
      '2026-02-01',
    ]);
  });
});

describe('nextPeriod', () => {
  it('walks a year of anchor-31 months without drifting to the 28th', () => {
    let p = periodContaining(at('2026-01-31'), 'month', 31, 1);
    const starts = [day(p.start)];
    for (let i = 0; i < 12; i++) {
      p = nextPeriod(p, 'month', 31, 1);
      starts.push(day(p.start));
    }
    expect(starts).toEqual([
      '2026-01-31',
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
      '2026-08-31',
      '2026-09-30',
      '2026-10-31',
      '2026-11-30',
      '2026-12-31',
      '2027-01-31',
    ]);
  });

  it('follows a yearly period', () => {
    const p = periodContaining(at('2027-06-01'), 'year', 29, 2);
    expect(days(nextPeriod(p, 'year', 29, 2))).toEqual(['2028-02-29', '2029-02-28']);
  });
});

describe('periodsBetween', () => {
  it('clips the first and last period to the range', () => {
    const periods = periodsBetween(at('2026-01-20T14:30:00Z'), at('2026-04-10'), 'month', 1, 1);
    expect(periods.map(show)).toEqual([
      ['2026-01-20T14:30:00.000Z', '2026-02-01T00:00:00.000Z'],
      ['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
      ['2026-03-01T00:00:00.000Z', '2026-04-01T00:00:00.000Z'],
      ['2026-04-01T00:00:00.000Z', '2026-04-10T00:00:00.000Z'],
    ]);
  });

  it.each([
    // [from, to, interval, anchorDay, anchorMonth, expected periods by day]
    ['2026-02-01', '2026-03-01', 'month', 1, 1, [['2026-02-01', '2026-03-01']]],
    ['2026-02-01', '2026-02-01', 'month', 1, 1, []], // empty range
    ['2026-03-01', '2026-02-01', 'month', 1, 1, []], // reversed range
    [
      '2026-02-10',
      '2026-04-05',
      'month',
      31,
      1,
      [
        ['2026-02-10', '2026-02-28'],
        ['2026-02-28', '2026-03-31'],
        ['2026-03-31', '2026-04-05'],
      ],
    ],
    [
      '2025-06-15',
      '2027-01-01',
      'year',
      1,
      4,
      [
        ['2025-06-15', '2026-04-01'],
        ['2026-04-01', '2027-01-01'],
      ],
    ],
  ] as [string, string, Interval, number, number, string[][]][])(
    '[%s, %s) by %s from day %i',
    (from, to, interval, anchorDay, anchorMonth, expected) => {
      const periods = periodsBetween(at(from), at(to), interval, anchorDay, anchorMonth);
      expect(periods.map(days)).toEqual(expected);
    },
  );
});

describe('dayFraction', () => {
  const april: Period = { start: at('2026-04-01'), end: at('2026-05-01') }; // 30 days

  it('gives 10 days of a 30-day period as 1/3 to 40 significant digits', () => {
    const f = dayFraction({ start: at('2026-04-11'), end: at('2026-04-21') }, april);
    // Money keeps 40 significant digits; the leading 0 is not one, so 40 threes, and the 41st
    // digit (a 3) rounds down.
    expect(f.toFixed()).toBe('0.' + '3'.repeat(40));
    expect(f.equals(new Money(1).div(3))).toBe(true);
  });

  it.each([
    ['2026-04-01', '2026-05-01', '1'],
    ['2026-04-16', '2026-05-01', '0.5'], // 15 of 30
    ['2026-04-01', '2026-04-01', '0'],
    // Ends are taken back to 00:00 UTC: from the 11th 15:00 counts the 11th, so 20 of 30 days.
    ['2026-04-11T15:00:00Z', '2026-05-01', '0.' + '6'.repeat(39) + '7'],
    ['2026-04-01', '2026-04-11T15:00:00Z', '0.' + '3'.repeat(40)], // 10 days; the 11th is not
  ])('[%s, %s) of April -> %s', (start, end, expected) => {
    expect(dayFraction({ start: at(start), end: at(end) }, april).toFixed()).toBe(expected);
  });

  it('splits a period into parts that add up to exactly 1', () => {
    const change = at('2026-04-11T15:00:00Z');
    const before = dayFraction({ start: april.start, end: change }, april);
    const after = dayFraction({ start: change, end: april.end }, april);
    // 0.333...3 + 0.666...7: the rounding errors cancel.
    expect(before.plus(after).toFixed()).toBe('1');
  });

  it('uses the real length of the whole period', () => {
    const february: Period = { start: at('2026-02-01'), end: at('2026-03-01') }; // 28 days
    const part = { start: at('2026-02-15'), end: at('2026-03-01') };
    expect(dayFraction(part, february).toFixed()).toBe('0.5'); // 14 of 28
  });

  it('rejects a part outside the whole', () => {
    expect(() => dayFraction({ start: at('2026-03-31'), end: at('2026-04-10') }, april)).toThrow(
      'within whole',
    );
    expect(() => dayFraction({ start: at('2026-04-20'), end: at('2026-05-02') }, april)).toThrow(
      'within whole',
    );
  });
});

import { describe, expect, it } from '@jest/globals';
import { checkCron, latestFireTime, nextFireTime } from './cron';

describe('cron', () => {
  it.each([
    ['*/15 * * * *', 'UTC', '2026-12-01T10:07:00Z', '2026-12-01T10:15:00.000Z'],
    ['*/15 * * * *', 'UTC', '2026-12-01T10:15:00Z', '2026-12-01T10:30:00.000Z'],
    ['30 * * * * *', 'UTC', '2026-12-01T10:07:00Z', '2026-12-01T10:07:30.000Z'],
    // 02:00 in Copenhagen: 01:00 UTC in winter.
    ['0 2 * * *', 'Europe/Copenhagen', '2026-12-01T10:00:00Z', '2026-12-02T01:00:00.000Z'],
    // Weekdays only: Saturday 5 December goes to Monday 7 December.
    ['0 8 * * 1-5', 'UTC', '2026-12-04T09:00:00Z', '2026-12-07T08:00:00.000Z'],
  ])('%s in %s after %s fires at %s', (cron, zone, after, expected) => {
    expect(nextFireTime(cron, zone, new Date(after)).toISOString()).toBe(expected);
  });

  it('finds the latest time at or before a moment', () => {
    expect(
      latestFireTime('*/5 * * * *', 'UTC', new Date('2026-12-01T10:27:00Z')).toISOString(),
    ).toBe('2026-12-01T10:25:00.000Z');
    expect(
      latestFireTime('*/5 * * * *', 'UTC', new Date('2026-12-01T10:25:00Z')).toISOString(),
    ).toBe('2026-12-01T10:25:00.000Z');
  });

  it.each([
    [
      '* * *',
      'UTC',
      'cron',
      'expected 5 fields (minute hour day month weekday) or 6 (seconds first), got 3',
    ],
    ['61 * * * *', 'UTC', 'cron', 'Constraint error, got value 61 expected range 0-59'],
    [
      '* * * * *',
      'Nowhere/Town',
      'timezone',
      'unknown time zone Nowhere/Town (an IANA name, e.g. UTC or Europe/Copenhagen)',
    ],
  ])('refuses %s in %s naming %s', (cron, zone, field, reason) => {
    expect(checkCron(cron, zone)).toEqual([{ field, reason }]);
  });
});

// Billing periods in UTC: [start, end), starting at 00:00 UTC on an anchor day (and, for yearly
// periods, an anchor month). In a month shorter than the anchor day the period starts on the
// month's last day, and returns to the anchor day in the next month that has it.
import { assertNever } from '@sextant/domain';
import { Money, type Dec } from './money';

export type Interval = 'month' | 'year';

/** A half-open span of time [start, end). */
export interface Period {
  start: Date;
  end: Date;
}

const dayMs = 86_400_000;

/** The period of `interval` anchored on `anchorDay` (1-31) and, for years, `anchorMonth` (1-12) that holds `at`. */
export function periodContaining(
  at: Date,
  interval: Interval,
  anchorDay: number,
  anchorMonth: number,
): Period {
  if (Number.isNaN(at.getTime())) throw new RangeError('periodContaining: invalid date');
  checkAnchor(interval, anchorDay, anchorMonth);
  const year = at.getUTCFullYear();
  switch (interval) {
    case 'month': {
      // Month indexes run past 0..11 here; anchorOn carries them into the year.
      let month = at.getUTCMonth();
      if (at < anchorOn(year, month, anchorDay)) month -= 1;
      return { start: anchorOn(year, month, anchorDay), end: anchorOn(year, month + 1, anchorDay) };
    }
    case 'year': {
      const month = anchorMonth - 1;
      const startYear = at < anchorOn(year, month, anchorDay) ? year - 1 : year;
      return {
        start: anchorOn(startYear, month, anchorDay),
        end: anchorOn(startYear + 1, month, anchorDay),
      };
    }
    default:
      return assertNever(interval);
  }
}

/** The period right after the full period `p`. */
export function nextPeriod(
  p: Period,
  interval: Interval,
  anchorDay: number,
  anchorMonth: number,
): Period {
  return periodContaining(p.end, interval, anchorDay, anchorMonth);
}

/** The periods that overlap [from, to), each clipped to it; empty when `to` is not after `from`. */
export function periodsBetween(
  from: Date,
  to: Date,
  interval: Interval,
  anchorDay: number,
  anchorMonth: number,
): Period[] {
  const result: Period[] = [];
  if (!(from < to)) return result;
  for (
    let p = periodContaining(from, interval, anchorDay, anchorMonth);
    p.start < to;
    p = nextPeriod(p, interval, anchorDay, anchorMonth)
  ) {
    result.push({
      start: p.start < from ? from : p.start,
      end: p.end > to ? to : p.end,
    });
  }
  return result;
}

/**
 * The share of `whole` that `part` covers, counted in whole UTC days: both ends are taken back
 * to 00:00 UTC, so the day of a change belongs to the part that starts on it and adjacent
 * parts add up to exactly 1. `part` must lie within `whole`.
 */
export function dayFraction(part: Period, whole: Period): Dec {
  if (part.start < whole.start || part.end > whole.end || part.end < part.start) {
    throw new RangeError('dayFraction: part must lie within whole');
  }
  const wholeDays = days(whole);
  if (wholeDays === 0) throw new RangeError('dayFraction: whole is shorter than a day');
  return new Money(days(part)).div(wholeDays);
}

function days(p: Period): number {
  const startDay = Math.floor(p.start.getTime() / dayMs);
  const endDay = Math.floor(p.end.getTime() / dayMs);
  return endDay - startDay;
}

// 00:00 UTC on `anchorDay` of month `month` (0-based, may be out of 0..11) of `year`, or on the
// month's last day when it is shorter.
function anchorOn(year: number, month: number, anchorDay: number): Date {
  const y = year + Math.floor(month / 12);
  const m = ((month % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(anchorDay, lastDay)));
}

function checkAnchor(interval: Interval, anchorDay: number, anchorMonth: number): void {
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31) {
    throw new RangeError(`anchorDay must be an integer from 1 to 31, got ${anchorDay}`);
  }
  if (
    interval === 'year' &&
    (!Number.isInteger(anchorMonth) || anchorMonth < 1 || anchorMonth > 12)
  ) {
    throw new RangeError(`anchorMonth must be an integer from 1 to 12, got ${anchorMonth}`);
  }
}

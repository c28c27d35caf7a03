import { parseExpression } from 'cron-parser';
import type { FieldError } from '@sextant/domain';

// Cron expressions of schedules: five fields (minute hour day-of-month month day-of-week) or
// six with seconds first, in an IANA time zone.

/** Problems with a cron expression and zone, as errors on `cron` and `timezone`. */
export function checkCron(cron: string, timezone: string): FieldError[] {
  const errors: FieldError[] = [];
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    errors.push({
      field: 'timezone',
      reason: `unknown time zone ${timezone} (an IANA name, e.g. UTC or Europe/Copenhagen)`,
    });
    return errors;
  }
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    errors.push({
      field: 'cron',
      reason: `expected 5 fields (minute hour day month weekday) or 6 (seconds first), got ${fields.length}`,
    });
    return errors;
  }
  try {
    parseExpression(cron, { tz: timezone }).next();
  } catch (error) {
    errors.push({ field: 'cron', reason: (error as Error).message });
  }
  return errors;
}

/** The first time strictly after `after` that the expression names. */
export function nextFireTime(cron: string, timezone: string, after: Date): Date {
  return parseExpression(cron, { tz: timezone, currentDate: after }).next().toDate();
}

/** The latest time at or before `at` that the expression names. */
export function latestFireTime(cron: string, timezone: string, at: Date): Date {
  return parseExpression(cron, { tz: timezone, currentDate: new Date(at.getTime() + 1) })
    .prev()
    .toDate();
}

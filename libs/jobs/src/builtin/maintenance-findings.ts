import { severities, type Severity } from '@sextant/analytics';
import { assertNever, type MaintenancePriorityName } from '@sextant/domain';
import type { JsonValue } from '../job-type';

// What the predictive-maintenance jobs (wind-performance, solar-performance, rul-predict) share: which
// findings become alerts, at which ticket priority, and analysis results as plain JSON.

/** The severities a job may be asked to raise alerts from. */
export const alertSeverities = ['low', 'medium', 'high', 'critical'] as const;

/** Whether `severity` is at least `minimum` (info < low < medium < high < critical). */
export function atLeast(severity: Severity, minimum: Severity): boolean {
  return severities.indexOf(severity) >= severities.indexOf(minimum);
}

/** The maintenance ticket's priority for a finding's severity. */
export function ticketPriority(severity: Severity): MaintenancePriorityName {
  switch (severity) {
    case 'critical':
      return 'critical';
    case 'high':
      return 'high';
    case 'medium':
      return 'medium';
    case 'low':
    case 'info':
      return 'low';
    default:
      return assertNever(severity);
  }
}

/** A value as the JSON it is stored as (NaN and ±Infinity become null, typed arrays objects). */
export function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}

/** YYYY-MM-DD HH:MM (UTC) of epoch milliseconds, for titles. */
export function minuteOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** Where a window with no `from` starts: before any data the platform holds. */
export const earliest = '1990-01-01T00:00:00.000Z';

import { severities, type Severity } from '@sextant/analytics';
import { assertNever, type MaintenancePriorityName } from '@sextant/domain';
import type { JsonValue, TaskContext } from '@sextant/jobs';
import type { HealthTrend } from './health-trend';

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

/** Orders are raised for a falling health that reaches its threshold within this many days. */
export const healthOrderHorizonDays = 120;

const dayMs = 86_400_000;

/**
 * Records a machine's health and remaining life, and, when its health falls fast enough to
 * reach the threshold within `healthOrderHorizonDays`, raises an open maintenance order with
 * that day as the start of the predicted failure window (once while it is open). Returns
 * whether an order was proposed.
 */
export function recordHealth(
  ctx: TaskContext<unknown>,
  machine: { nodeId: string; name: string },
  trend: HealthTrend,
  at: Date,
  options: { source: string; threshold: number; report: string },
): boolean {
  ctx.recordRemainingLife({
    nodeId: machine.nodeId,
    at,
    remaining: trend.remainingDays,
    unit: 'days',
    health: trend.health,
  });
  if (trend.capped || trend.remainingDays > healthOrderHorizonDays) return false;
  const days = Math.round(trend.remainingDays);
  const priority = days <= 14 ? 'high' : days <= 60 ? 'medium' : 'low';
  const slope = trend.slopePerDay === null ? '' : ` (${round3(trend.slopePerDay * 30)} a month)`;
  ctx.raiseAlert({
    kind: 'maintenance_order',
    nodeId: machine.nodeId,
    title: `Inspect ${machine.name}: health ${round3(trend.health)} falling, ${options.threshold} in about ${days} days`,
    priority,
    description: `Health (daily performance against its reference) is ${round3(trend.health)} on ${trend.lastDate} and falls${slope} over the last ${trend.trendDays} days; at this trend it reaches ${options.threshold} in about ${days} days.`,
    failureFrom: new Date(Date.parse(`${trend.lastDate}T00:00:00Z`) + days * dayMs),
    dedupeKey: `${options.source}:health`,
    metadata: {
      type: options.source,
      kind: 'health-trend',
      health: trend.health,
      slopePerDay: trend.slopePerDay,
      remainingDays: trend.remainingDays,
      report: options.report,
    },
  });
  return true;
}

const round3 = (v: number) => Math.round(v * 1000) / 1000;

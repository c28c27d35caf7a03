import { assertNever } from '@sextant/domain';

// What every analysis hands back to a job: plain, JSON-serializable findings that a job turns
// into alerts and maintenance orders on the machine's node.

export const findingKinds = [
  'underperformance',
  'curtailment',
  'downtime',
  'inverter-underperformance',
  'data-quality',
  'predicted-failure',
] as const;
export type FindingKind = (typeof findingKinds)[number];

export const severities = ['info', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof severities)[number];

/** Suggested maintenance priority, `urgent` first. */
export const priorities = ['urgent', 'high', 'normal', 'low'] as const;
export type Priority = (typeof priorities)[number];

/**
 * A time window: epoch milliseconds (UTC) for time-stamped data, or operating cycles for
 * machines whose data is counted in cycles (C-MAPSS engines); `end` is exclusive.
 */
export interface FindingWindow {
  unit: 'epoch-ms' | 'cycle';
  start: number;
  end: number;
}

/** One finding about one machine, with the figures behind it. */
export interface Finding {
  /** The machine as the data names it (turbine `T1`, inverter `INV-07`, engine `42`). */
  machineId: string;
  kind: FindingKind;
  window: FindingWindow;
  severity: Severity;
  priority: Priority;
  /** One sentence for an alert or a maintenance order. */
  summary: string;
  /** The numbers behind the finding (energy lost, ratios, counts...). */
  figures: Record<string, number>;
}

/** The usual mapping of a severity to a suggested priority. */
export function priorityOf(severity: Severity): Priority {
  switch (severity) {
    case 'critical':
      return 'urgent';
    case 'high':
      return 'high';
    case 'medium':
      return 'normal';
    case 'low':
    case 'info':
      return 'low';
    default:
      return assertNever(severity);
  }
}

// Wind turbine performance from the residual between expected (power curve) and produced power:
// downtime, curtailment and underperformance periods, and a daily health indicator.
import { assertNever } from '@sextant/domain';
import { check } from '../common/errors';
import { priorityOf, type Finding, type Severity } from '../common/findings';
import { round } from '../common/stats';
import { expectedPower, flatRows, learnPowerCurve, type PowerCurve } from './power-curve';
import type { TurbineScada } from './scada';

export const rowStates = [
  'normal',
  'low-wind',
  'downtime',
  'curtailment',
  'underperformance',
] as const;
export type RowState = (typeof rowStates)[number];

export interface PerformanceOptions {
  /** Rows below this share of rated expected power are `low-wind` (default 0.05). */
  minExpectedShare?: number;
  /** Power at most this share of rated, with wind, is downtime (default 0.01). */
  stoppedShare?: number;
  /** Produced / expected below this is underperformance (default 0.8). */
  underperformanceRatio?: number;
  /** A plateau at least this share of rated below expected is curtailment (default 0.02). */
  curtailmentMargin?: number;
  /** Shortest period reported, minutes (default 60). */
  minPeriodMinutes?: number;
  /** Rows further apart than this are not consecutive, minutes (default 20). */
  maxGapMinutes?: number;
}

/** A run of consecutive rows in one abnormal state. */
export interface PerformancePeriod {
  kind: 'downtime' | 'curtailment' | 'underperformance';
  /** Epoch ms of the first row, and of the end of the last row (its time + 10 min). */
  start: number;
  end: number;
  rows: number;
  hours: number;
  meanWindSpeed: number;
  /** Σ (expected − produced) over the period, MWh. */
  lostMWh: number;
  /** Produced / expected energy over the period. */
  energyRatio: number;
  /** Curtailment: the plateau's power, kW. */
  capKw?: number;
}

/** Daily health: produced against expected energy. */
export interface DailyHealth {
  /** UTC date, YYYY-MM-DD. */
  date: string;
  rows: number;
  producedMWh: number;
  expectedMWh: number;
  /** Produced / expected energy over the whole day. */
  energyRatio: number;
  /** The same over rows in normal or underperforming operation (downtime, curtailment out). */
  performanceRatio: number;
  /** Share of windy rows (expected ≥ 5 % of rated) not in downtime. */
  availability: number;
}

export interface TurbinePerformance {
  machineId: string;
  curve: PowerCurve;
  /** Rows in each state. */
  rowCounts: Record<RowState, number>;
  periods: PerformancePeriod[];
  daily: DailyHealth[];
  /** Over the whole data: produced, expected, and lost energy by cause, MWh. */
  totals: {
    producedMWh: number;
    expectedMWh: number;
    lostDowntimeMWh: number;
    lostCurtailmentMWh: number;
    lostUnderperformanceMWh: number;
    availability: number;
    performanceRatio: number;
  };
  findings: Finding[];
}

/**
 * The expected power of each row (from the curve) and its state, as an index into
 * `rowStates`: low wind when the curve expects under 5 % of rated power; downtime when the
 * turbine gives at most 1 % of rated; curtailment when the row is on a flat plateau at least
 * 2 % of rated below the expected power; underperformance when produced / expected < 0.8.
 */
export function classifyRows(
  scada: TurbineScada,
  curve: PowerCurve,
  options: PerformanceOptions = {},
): { expected: Float64Array; state: Uint8Array } {
  const minShare = options.minExpectedShare ?? 0.05;
  const stoppedShare = options.stoppedShare ?? 0.01;
  const ratioLimit = options.underperformanceRatio ?? 0.8;
  const margin = options.curtailmentMargin ?? 0.02;
  check(ratioLimit > 0 && ratioLimit < 1, 'underperformanceRatio', 'must be between 0 and 1');
  const rated = curve.ratedPower;
  const n = scada.time.length;
  const expected = new Float64Array(n);
  const state = new Uint8Array(n);
  const flat = flatRows(scada.power, 0.005 * rated);
  const code = (s: RowState) => rowStates.indexOf(s);
  for (let i = 0; i < n; i++) {
    const e = expectedPower(curve, scada.windSpeed[i]);
    const p = scada.power[i];
    expected[i] = e;
    let s: RowState;
    if (e < minShare * rated) s = 'low-wind';
    else if (p <= stoppedShare * rated) s = 'downtime';
    else if (flat[i] && p < e - margin * rated) s = 'curtailment';
    else if (p < ratioLimit * e) s = 'underperformance';
    else s = 'normal';
    state[i] = code(s);
  }
  return { expected, state };
}

/**
 * Classifies each row (downtime: no power while the curve expects some; curtailment: a flat
 * plateau below the expected power; underperformance: produced / expected under the ratio),
 * gathers consecutive rows into periods, and computes daily health and findings.
 */
export function analyseTurbine(
  scada: TurbineScada,
  machineId: string,
  options: PerformanceOptions & { curve?: PowerCurve } = {},
): TurbinePerformance {
  const curve = options.curve ?? learnPowerCurve(scada);
  const minMinutes = options.minPeriodMinutes ?? 60;
  const maxGap = (options.maxGapMinutes ?? 20) * 60_000;
  const n = scada.time.length;
  const step = n > 1 ? medianStep(scada.time) : 600_000;
  const hoursPerRow = step / 3_600_000;
  const { expected, state } = classifyRows(scada, curve, options);
  const counts = Object.fromEntries(rowStates.map((s) => [s, 0])) as Record<RowState, number>;
  for (let i = 0; i < n; i++) counts[rowStates[state[i]]]++;

  // Periods: consecutive rows (no gap over maxGap) in the same abnormal state.
  const periods: PerformancePeriod[] = [];
  let i = 0;
  while (i < n) {
    const s = rowStates[state[i]];
    let j = i + 1;
    while (j < n && state[j] === state[i] && scada.time[j] - scada.time[j - 1] <= maxGap) j++;
    if (s === 'downtime' || s === 'curtailment' || s === 'underperformance') {
      const rows = j - i;
      if (rows * step >= minMinutes * 60_000) {
        let produced = 0;
        let exp = 0;
        let wind = 0;
        let cap = 0;
        for (let k = i; k < j; k++) {
          produced += Math.max(0, scada.power[k]);
          exp += expected[k];
          wind += scada.windSpeed[k];
          cap += scada.power[k];
        }
        periods.push({
          kind: s,
          start: scada.time[i],
          end: scada.time[j - 1] + step,
          rows,
          hours: round(rows * hoursPerRow, 2),
          meanWindSpeed: round(wind / rows, 2),
          lostMWh: round(((exp - produced) * hoursPerRow) / 1000, 3),
          energyRatio: round(exp > 0 ? produced / exp : 0, 3),
          ...(s === 'curtailment' ? { capKw: round(cap / rows, 1) } : {}),
        });
      }
    }
    i = j;
  }

  // Daily health.
  const days = new Map<
    string,
    { rows: number; p: number; e: number; pOk: number; eOk: number; windy: number; down: number }
  >();
  const totals = { p: 0, e: 0, down: 0, curt: 0, under: 0, windy: 0, downRows: 0, pOk: 0, eOk: 0 };
  for (let k = 0; k < n; k++) {
    const date = new Date(scada.time[k]).toISOString().slice(0, 10);
    const d = days.get(date) ?? { rows: 0, p: 0, e: 0, pOk: 0, eOk: 0, windy: 0, down: 0 };
    const p = Math.max(0, scada.power[k]);
    const e = expected[k];
    d.rows++;
    d.p += p;
    d.e += e;
    totals.p += p;
    totals.e += e;
    const s = rowStates[state[k]];
    if (s === 'normal' || s === 'underperformance') {
      d.pOk += p;
      d.eOk += e;
      totals.pOk += p;
      totals.eOk += e;
    }
    if (s !== 'low-wind') {
      d.windy++;
      totals.windy++;
    }
    if (s === 'downtime') {
      d.down++;
      totals.downRows++;
      totals.down += e - p;
    } else if (s === 'curtailment') totals.curt += e - p;
    else if (s === 'underperformance') totals.under += e - p;
    days.set(date, d);
  }
  const mwh = (kwRows: number) => round((kwRows * hoursPerRow) / 1000, 3);
  const daily: DailyHealth[] = [...days.entries()].map(([date, d]) => ({
    date,
    rows: d.rows,
    producedMWh: mwh(d.p),
    expectedMWh: mwh(d.e),
    energyRatio: round(d.e > 0 ? d.p / d.e : 1, 3),
    performanceRatio: round(d.eOk > 0 ? d.pOk / d.eOk : 1, 3),
    availability: round(d.windy > 0 ? 1 - d.down / d.windy : 1, 3),
  }));

  return {
    machineId,
    curve,
    rowCounts: counts,
    periods,
    daily,
    totals: {
      producedMWh: mwh(totals.p),
      expectedMWh: mwh(totals.e),
      lostDowntimeMWh: mwh(totals.down),
      lostCurtailmentMWh: mwh(totals.curt),
      lostUnderperformanceMWh: mwh(totals.under),
      availability: round(totals.windy > 0 ? 1 - totals.downRows / totals.windy : 1, 4),
      performanceRatio: round(totals.eOk > 0 ? totals.pOk / totals.eOk : 1, 4),
    },
    findings: periods.map((p) => periodFinding(machineId, p)),
  };
}

function medianStep(time: Float64Array): number {
  const steps = new Float64Array(time.length - 1);
  for (let i = 1; i < time.length; i++) steps[i - 1] = time[i] - time[i - 1];
  steps.sort();
  return steps[steps.length >> 1];
}

/** Severity of a period: downtime by its length, underperformance by the energy lost. */
export function periodSeverity(p: PerformancePeriod): Severity {
  switch (p.kind) {
    case 'downtime':
      return p.hours >= 24 ? 'high' : p.hours >= 6 ? 'medium' : 'low';
    case 'underperformance':
      return p.lostMWh >= 5 ? 'high' : p.lostMWh >= 1 ? 'medium' : 'low';
    case 'curtailment':
      // A set point from the grid operator or the owner, not a fault: reported for revenue.
      return 'info';
    default:
      return assertNever(p.kind);
  }
}

function periodFinding(machineId: string, p: PerformancePeriod): Finding {
  const severity = periodSeverity(p);
  const what = {
    downtime: 'no power while the wind blew',
    curtailment: `held at ${p.capKw ?? 0} kW while the wind allowed more`,
    underperformance: `produced ${Math.round(p.energyRatio * 100)} % of the expected energy`,
  }[p.kind];
  return {
    machineId,
    kind: p.kind,
    window: { unit: 'epoch-ms', start: p.start, end: p.end },
    severity,
    priority: priorityOf(severity),
    summary: `${machineId}: ${p.kind} for ${p.hours} h, ${what} (mean wind ${p.meanWindSpeed} m/s, ${p.lostMWh} MWh lost)`,
    figures: {
      hours: p.hours,
      lostMWh: p.lostMWh,
      energyRatio: p.energyRatio,
      meanWindSpeed: p.meanWindSpeed,
      ...(p.capKw !== undefined ? { capKw: p.capKw } : {}),
    },
  };
}

import {
  analyseTurbine,
  periodSeverity,
  round,
  type PerformancePeriod,
  type Severity,
  type TurbinePerformance,
  type TurbineScada,
} from '@sextant/analytics';
import { assertNever, type FieldError } from '@sextant/domain';
import { windSeries } from '@sextant/imports';
import {
  defineJobType,
  fanOut,
  JsonValue,
  params,
  ParamsOf,
  SeriesRef,
  TaskContext,
} from '@sextant/jobs';
import { healthTrend, type HealthTrend } from './health-trend';
import {
  alertSeverities,
  atLeast,
  earliest,
  minuteOf,
  recordHealth,
  ticketPriority,
  toJson,
} from './maintenance-findings';

// wind-performance: a turbine's SCADA (imported by importWindScada) is read, its power curve
// learned from its own normal operation, and each row compared with it: downtime,
// curtailment and underperformance periods, daily health. A report item goes on the turbine,
// significant periods become alerts on it, and its health with a remaining life is recorded.
// Given a wind farm, every turbine below it is analysed in a task of its own (a fan-out) and
// the results are summed up.

const schema = params({
  turbineId: {
    type: 'node',
    title: 'Turbine',
    description:
      'A wind turbine with SCADA series (POST /api/imports/wind-scada/:parentId imports one). Give this or siteId.',
    kinds: ['machine'],
  },
  siteId: {
    type: 'node',
    title: 'Wind farm',
    description:
      'Every turbine with SCADA below this node is analysed, one task each. Give this or turbineId.',
    kinds: ['site', 'organisation'],
  },
  from: { type: 'datetime', title: 'From', description: 'Default: the first row.' },
  to: { type: 'datetime', title: 'To', description: 'Default: submission time.' },
  alertSeverity: {
    type: 'enum',
    title: 'Alerts from severity',
    description:
      'Periods at least this severe become alerts (downtime: 6 h is medium, 24 h high; underperformance: 1 MWh lost is medium, 5 MWh high; curtailment is info, never an alert).',
    values: alertSeverities,
    default: 'medium',
  },
});

type Params = ParamsOf<typeof schema>;

/** The most significant periods kept in the report (all are counted). */
const reportPeriods = 50;

/**
 * Health: the median of the last 30 days' performance ratio (output against the learned curve
 * outside downtime and curtailment: wear, soiling, misalignment; stops are events, not wear);
 * remaining life: the days until its Theil–Sen trend over the last 90 days reaches 0.8 (the
 * ratio that counts as underperformance), at most a year. Days expecting under a tenth of a
 * full day at rated power are too calm to judge.
 */
const healthOptions = {
  healthDays: 30,
  trendDays: 90,
  minTrendDays: 20,
  threshold: 0.8,
  capDays: 365,
};
const calmDayShare = 0.1;

export const windPerformanceJob = defineJobType({
  name: 'wind-performance',
  title: 'Wind turbine performance',
  description:
    "Learns a turbine's power curve from its SCADA (or of each turbine below a wind farm, one task each) and finds downtime, curtailment and underperformance from the residual between expected and produced power. A report goes on the turbine; periods at least as severe as alertSeverity become alerts (once while open). Health is the last 30 days' median performance ratio; the remaining life is the days until its 90-day trend reaches 0.8, capped at 365 days (the cap when health is not falling).",
  params: schema,
  prepare(p, now) {
    return { ...p, from: p.from ?? earliest, to: p.to ?? now.toISOString() };
  },
  check(p) {
    const errors: FieldError[] = [];
    if ((p.turbineId === undefined) === (p.siteId === undefined)) {
      errors.push({ field: 'params.turbineId', reason: 'give either turbineId or siteId' });
    }
    if (p.from && p.to && Date.parse(p.from) >= Date.parse(p.to)) {
      errors.push({ field: 'params.to', reason: 'must be after from' });
    }
    return errors;
  },
  options: { timeoutSeconds: 600, maxAttempts: 2, backoffSeconds: 5 },
  steps: [
    fanOut<Params, TurbineInput>({
      name: 'analyse',
      async inputs(ctx) {
        if (ctx.params.turbineId) return [{ turbineId: ctx.params.turbineId }];
        const series = await ctx.series.find(ctx.params.siteId!, {
          measurement: windSeries.measurement,
          field: windSeries.activePower,
        });
        const turbines = [...new Set(series.flatMap((s) => (s.nodeId ? [s.nodeId] : [])))];
        if (turbines.length === 0) {
          throw new Error(
            `no turbine with ${windSeries.measurement} ${windSeries.activePower} series below ${ctx.params.siteId}: import SCADA first`,
          );
        }
        ctx.log.info(`${turbines.length} turbines below the site`);
        return turbines.map((turbineId) => ({ turbineId }));
      },
      async each(ctx, input) {
        return analyse(ctx, input.turbineId);
      },
    }),
    {
      name: 'summarize',
      dependsOn: ['analyse'],
      async run(ctx: TaskContext<Params>) {
        const turbines = await ctx.results<TurbineResult>('analyse');
        const sum = (pick: (t: TurbineResult) => number) =>
          round(
            turbines.reduce((s, t) => s + pick(t), 0),
            3,
          );
        return {
          turbines: turbines.length,
          alerts: sum((t) => t.alerts),
          producedMWh: sum((t) => t.totals.producedMWh),
          expectedMWh: sum((t) => t.totals.expectedMWh),
          lostMWh: sum(
            (t) =>
              t.totals.lostDowntimeMWh +
              t.totals.lostCurtailmentMWh +
              t.totals.lostUnderperformanceMWh,
          ),
          results: turbines,
        };
      },
    },
  ],
});

interface TurbineInput {
  [key: string]: JsonValue;
  turbineId: string;
}

/** What each turbine's task returns (plain JSON). */
type TurbineResult = { [key: string]: JsonValue } & {
  alerts: number;
  totals: TurbinePerformance['totals'] & { [key: string]: JsonValue };
};

async function analyse(ctx: TaskContext<Params>, turbineId: string): Promise<JsonValue> {
  ctx.progress(1, 'reading');
  const { name, scada } = await readScada(ctx, turbineId);
  ctx.log.info(`read ${scada.time.length} SCADA rows of ${name}`);
  ctx.progress(40, 'analysing');
  const result = analyseTurbine(scada, name);
  ctx.throwIfAborted();
  const n = scada.time.length;
  const from = new Date(scada.time[0]).toISOString();
  const to = new Date(scada.time[n - 1]).toISOString();
  const health = turbineHealth(result);
  const periodCounts = countPeriods(result.periods);
  const significant = [...result.periods]
    .sort((a, b) => b.lostMWh - a.lostMWh || b.hours - a.hours)
    .slice(0, reportPeriods);

  const report = ctx.produce({
    kind: 'report',
    name: `Wind performance ${name} ${from.slice(0, 10)} to ${to.slice(0, 10)}`,
    ownerId: turbineId,
    metadata: {
      type: 'wind-performance',
      turbineId,
      turbine: name,
      from,
      to,
      rows: n,
      powerCurve: toJson(powerCurveWithTheoretical(result, scada)),
      rowCounts: toJson(result.rowCounts),
      periodCounts: toJson(periodCounts),
      periods: toJson(significant.map((p) => ({ ...p, severity: periodSeverity(p) }))),
      periodsListed: significant.length,
      dailyHealth: toJson(result.daily),
      totals: toJson(result.totals),
      health: toJson(health),
      healthMethod: toJson(healthOptions),
    },
  });

  const minimum = ctx.params.alertSeverity as Severity;
  let alerts = 0;
  for (const [k, period] of result.periods.entries()) {
    const severity = periodSeverity(period);
    if (!atLeast(severity, minimum)) continue;
    const finding = result.findings[k];
    ctx.raiseAlert({
      nodeId: turbineId,
      title: alertTitle(name, period),
      priority: ticketPriority(severity),
      description: finding.summary,
      failureFrom: new Date(period.start),
      failureTo: new Date(period.end),
      dedupeKey: `wind-performance:${period.kind}:${new Date(period.start).toISOString()}`,
      metadata: {
        type: 'wind-performance',
        kind: period.kind,
        severity,
        figures: finding.figures,
        report,
      },
    });
    alerts++;
  }

  const healthOrder = health
    ? recordHealth(ctx, { nodeId: turbineId, name }, health, new Date(scada.time[n - 1]), {
        source: 'wind-performance',
        threshold: healthOptions.threshold,
        report,
      })
    : false;
  ctx.log.info(
    `${name}: rated ${result.curve.ratedPower} kW; ${periodCounts.downtime.count} downtime, ${periodCounts.curtailment.count} curtailment, ${periodCounts.underperformance.count} underperformance periods; ${alerts} alerts proposed; report ${report}`,
  );
  return {
    turbineId,
    turbine: name,
    from,
    to,
    rows: n,
    report,
    ratedPowerKw: result.curve.ratedPower,
    cutInSpeed: result.curve.cutInSpeed,
    ratedSpeed: result.curve.ratedSpeed,
    periods: toJson(periodCounts),
    // Proposed: those whose period is still open from an earlier run are not raised again.
    alerts,
    /** Whether a maintenance order was proposed for a falling health. */
    healthOrder,
    totals: toJson(result.totals),
    health: toJson(health),
  };
}

/** The turbine's active power and wind speed (and theoretical power if imported), joined by time. */
async function readScada(
  ctx: TaskContext<Params>,
  turbineId: string,
): Promise<{ name: string; scada: TurbineScada }> {
  const series = await ctx.series.find(turbineId, {
    descendants: false,
    measurement: windSeries.measurement,
  });
  const field = (name: string) => series.find((s) => s.field === name);
  const power = field(windSeries.activePower);
  const speed = field(windSeries.windSpeed);
  if (!power || !speed) {
    throw new Error(
      `the turbine ${turbineId} has no ${windSeries.measurement} ${windSeries.activePower} and ${windSeries.windSpeed} series: import its SCADA first`,
    );
  }
  const from = new Date(ctx.params.from!);
  const to = new Date(ctx.params.to!);
  const read = async (s: SeriesRef | undefined) => {
    if (!s) return new Map<bigint, number>();
    const points = await ctx.series.read(s, from, to);
    return new Map(points.times.map((t, i) => [t, points.values[i] as number]));
  };
  const powerAt = await read(power);
  const speedAt = await read(speed);
  const theoreticalAt = await read(field(windSeries.theoreticalPower));
  const times = [...powerAt.keys()].filter((t) => speedAt.has(t)).sort((a, b) => (a < b ? -1 : 1));
  if (times.length < 2) {
    throw new Error(
      `${times.length} SCADA rows with power and wind speed between ${ctx.params.from} and ${ctx.params.to}`,
    );
  }
  const n = times.length;
  const scada: TurbineScada = {
    time: Float64Array.from(times, (t) => Number(t / 1_000_000n)),
    power: Float64Array.from(times, (t) => powerAt.get(t)!),
    windSpeed: Float64Array.from(times, (t) => speedAt.get(t)!),
    theoreticalPower: Float64Array.from(times, (t) => theoreticalAt.get(t) ?? NaN),
    windDirection: new Float64Array(n).fill(NaN),
  };
  return { name: power.tags.turbine ?? 'turbine', scada };
}

/** The learned curve with, per bin, the mean of the manufacturer's curve (when imported). */
function powerCurveWithTheoretical(result: TurbinePerformance, scada: TurbineScada) {
  const { curve } = result;
  const sums = curve.bins.map(() => ({ sum: 0, count: 0 }));
  for (let i = 0; i < scada.time.length; i++) {
    const v = scada.windSpeed[i];
    const t = scada.theoreticalPower[i];
    if (!Number.isFinite(t)) continue;
    const b = curve.bins.findIndex((bin) => v >= bin.from && v < bin.to);
    if (b >= 0) {
      sums[b].sum += t;
      sums[b].count++;
    }
  }
  return {
    ...curve,
    bins: curve.bins.map((bin, b) => ({
      ...bin,
      theoreticalPower: sums[b].count ? round(sums[b].sum / sums[b].count, 1) : null,
    })),
  };
}

function countPeriods(periods: PerformancePeriod[]) {
  const count = (kind: PerformancePeriod['kind']) => {
    const of = periods.filter((p) => p.kind === kind);
    return {
      count: of.length,
      hours: round(
        of.reduce((s, p) => s + p.hours, 0),
        2,
      ),
      lostMWh: round(
        of.reduce((s, p) => s + p.lostMWh, 0),
        3,
      ),
    };
  };
  return {
    downtime: count('downtime'),
    curtailment: count('curtailment'),
    underperformance: count('underperformance'),
  };
}

function turbineHealth(result: TurbinePerformance): HealthTrend | null {
  const fullDayMWh = (result.curve.ratedPower * 24) / 1000;
  const days = result.daily
    .filter((d) => d.expectedMWh >= calmDayShare * fullDayMWh)
    .map((d) => ({ date: d.date, value: d.performanceRatio }));
  return healthTrend(days, healthOptions);
}

function alertTitle(name: string, p: PerformancePeriod): string {
  const when = `${p.hours} h from ${minuteOf(p.start)}`;
  switch (p.kind) {
    case 'downtime':
      return `${name} stopped in ${round(p.meanWindSpeed, 1)} m/s wind for ${when}`;
    case 'underperformance':
      return `${name} gave ${Math.round(p.energyRatio * 100)} % of its expected power for ${when}`;
    case 'curtailment':
      return `${name} held at ${p.capKw ?? 0} kW for ${when}`;
    default:
      return assertNever(p.kind);
  }
}

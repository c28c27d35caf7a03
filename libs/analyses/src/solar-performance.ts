import {
  analyseSolarPlant,
  round,
  type Finding,
  type SolarGeneration,
  type SolarWeather,
} from '@sextant/analytics';
import { assertNever, type FieldError } from '@sextant/domain';
import { solarSeries } from '@sextant/imports';
import { defineJobType, JsonValue, params, ParamsOf, SeriesRef, TaskContext } from '@sextant/jobs';
import { healthTrend } from './health-trend';
import {
  alertSeverities,
  atLeast,
  earliest,
  minuteOf,
  recordHealth,
  ticketPriority,
  toJson,
} from './maintenance-findings';

// solar-performance: a plant's inverters (imported by importSolarGeneration) are read with the
// plant's irradiation (importSolarWeather) and compared with the sun and with each other:
// chronic underperformance, outages while the peers produce, and whether DC and AC are in the
// same unit. A report goes on the plant; findings at least as severe as alertSeverity become
// alerts on the inverter concerned, the unit finding on the plant; each inverter's health
// against its peers is recorded.

const schema = params({
  plantId: {
    type: 'node',
    title: 'Plant',
    description:
      'A solar plant with inverters and a weather sensor (POST /api/imports/solar-generation/:parentId and solar-weather import them).',
    kinds: ['site'],
    required: true,
  },
  from: { type: 'datetime', title: 'From', description: 'Default: the first slot.' },
  to: { type: 'datetime', title: 'To', description: 'Default: submission time.' },
  alertSeverity: {
    type: 'enum',
    title: 'Alerts from severity',
    description:
      'Findings at least this severe become alerts (an inverter 5-10 % under its peers is medium, more high; an outage of 2 h or more medium, shorter low; the DC/AC unit finding medium).',
    values: alertSeverities,
    default: 'medium',
  },
});

type Params = ParamsOf<typeof schema>;

/**
 * Health of an inverter: the median of its last 7 days' energy against its peers' median
 * (1 = as its peers); remaining life: days until the Theil–Sen trend over the whole window
 * reaches 0.8, capped at 90 days, since a few weeks of data say little about a year.
 */
const healthOptions = {
  healthDays: 7,
  trendDays: 366,
  minTrendDays: 14,
  threshold: 0.8,
  capDays: 90,
};

export const solarPerformanceJob = defineJobType({
  name: 'solar-performance',
  title: 'Solar plant performance',
  description:
    "Compares a plant's inverters with the irradiation and with each other: inverters that underperform, outages while the peers produce, and the consistency of the DC and AC units. A report goes on the plant; findings at least as severe as alertSeverity become alerts on the inverter (the unit finding on the plant), once while open. Health per inverter is its last 7 days' energy against its peers; the remaining life is the days until its trend reaches 0.8, capped at 90 days.",
  params: schema,
  prepare(p, now) {
    return { ...p, from: p.from ?? earliest, to: p.to ?? now.toISOString() };
  },
  check(p) {
    const errors: FieldError[] = [];
    if (p.from && p.to && Date.parse(p.from) >= Date.parse(p.to)) {
      errors.push({ field: 'params.to', reason: 'must be after from' });
    }
    return errors;
  },
  options: { timeoutSeconds: 600, maxAttempts: 2, backoffSeconds: 5 },
  steps: [
    {
      name: 'analyse',
      async run(ctx: TaskContext<Params>) {
        return analyse(ctx);
      },
    },
  ],
});

/** An inverter as read: its node and name (SOURCE_KEY or INV-nn). */
interface InverterNode {
  nodeId: string;
  name: string;
}

async function analyse(ctx: TaskContext<Params>): Promise<JsonValue> {
  const { plantId } = ctx.params;
  ctx.progress(1, 'reading');
  const { gen, inverters } = await readGeneration(ctx);
  const weather = await readWeather(ctx);
  ctx.log.info(
    `read ${gen.time.length} rows of ${inverters.length} inverters and ${weather.time.length} weather slots`,
  );
  ctx.progress(60, 'analysing');
  const result = analyseSolarPlant(gen, weather);
  ctx.throwIfAborted();
  const nodeOf = new Map(inverters.map((i) => [i.name, i.nodeId]));
  const { first, last } = span(gen.time);
  const from = new Date(first).toISOString();
  const to = new Date(last).toISOString();

  const health = result.inverters.map((inv) => ({
    inverter: inv.id,
    trend: healthTrend(
      inv.daily.map((d) => ({ date: d.date, value: d.ratio })),
      healthOptions,
    ),
  }));
  const report = ctx.produce({
    kind: 'report',
    name: `Solar performance plant ${gen.plantId} ${from.slice(0, 10)} to ${to.slice(0, 10)}`,
    ownerId: plantId,
    metadata: {
      type: 'solar-performance',
      plantId,
      plant: gen.plantId,
      from,
      to,
      rows: gen.time.length,
      // Rows are told apart by the inverter nodes the import made; the counters' agreement with
      // the daily yields is still the evidence that they were told apart right.
      identity: {
        method: 'inverter-nodes',
        inverters: result.identity.inverters,
        dailyYieldAgreement: result.identity.dailyYieldAgreement,
      },
      plantAcPerIrradiation: result.plantAcPerIrradiation,
      inverters: toJson(
        result.inverters.map((inv, k) => ({
          ...inv,
          nodeId: nodeOf.get(inv.id) ?? null,
          health: health[k].trend,
        })),
      ),
      outages: toJson(result.outages),
      dataQuality: toJson(result.dataQuality),
      findings: toJson(result.findings),
      healthMethod: toJson(healthOptions),
    },
  });

  const minimum = ctx.params.alertSeverity as Finding['severity'];
  let alerts = 0;
  let underperformanceOrders = 0;
  for (const finding of result.findings) {
    if (!atLeast(finding.severity, minimum)) continue;
    // The unit finding is about the plant's data, not a machine: it goes on the plant, as a
    // ticket so that someone corrects the logger and closes it; the report keeps its figures.
    const nodeId = finding.kind === 'data-quality' ? plantId : nodeOf.get(finding.machineId);
    if (!nodeId) continue;
    const alert = ctx.raiseAlert({
      nodeId,
      title: alertTitle(finding),
      priority: ticketPriority(finding.severity),
      description: finding.summary,
      failureFrom: new Date(finding.window.start),
      failureTo: new Date(finding.window.end),
      dedupeKey: dedupeKey(finding),
      metadata: {
        type: 'solar-performance',
        kind: finding.kind,
        severity: finding.severity,
        figures: finding.figures,
        report,
      },
    });
    alerts++;
    // A chronic deficit is work for someone on site: an order answering the alert.
    if (finding.kind === 'inverter-underperformance') {
      ctx.raiseAlert({
        kind: 'maintenance_order',
        nodeId,
        title: `Inspect ${finding.machineId}: strings, modules and the inverter itself`,
        priority: ticketPriority(finding.severity),
        description: `${finding.summary}. Check for soiled or shaded modules, failed strings or fuses, and the inverter's derating.`,
        dedupeKey: dedupeKey(finding),
        answers: alert,
        metadata: { type: 'solar-performance', kind: finding.kind, report },
      });
      underperformanceOrders++;
    }
  }

  const at = new Date(last);
  let orders = 0;
  for (const { inverter, trend } of health) {
    const nodeId = nodeOf.get(inverter);
    if (!nodeId || !trend) continue;
    const ordered = recordHealth(ctx, { nodeId, name: inverter }, trend, at, {
      source: 'solar-performance',
      threshold: healthOptions.threshold,
      report,
    });
    if (ordered) orders++;
  }

  const q = result.dataQuality;
  const underperforming = result.inverters.filter((i) => i.underperforming).map((i) => i.id);
  ctx.log.info(
    `plant ${gen.plantId}: ${underperforming.length} inverters underperform (${underperforming.join(', ') || 'none'}), ${result.outages.length} outages, DC/AC ${q.dcAcRatio.median}; ${alerts} alerts proposed; report ${report}`,
  );
  return {
    plantId,
    plant: gen.plantId,
    from,
    to,
    rows: gen.time.length,
    report,
    inverters: result.inverters.length,
    plantAcPerIrradiation: result.plantAcPerIrradiation,
    underperforming: toJson(
      result.inverters
        .filter((i) => i.underperforming)
        .map((i) => ({
          inverter: i.id,
          deficit: i.deficit,
          relativeToPeers: i.relativeToPeers,
          lostMWh: i.lostMWh,
        })),
    ),
    outages: result.outages.length,
    outageHours: round(
      result.outages.reduce((s, o) => s + o.hours, 0),
      2,
    ),
    dataQuality: {
      dcAcRatio: q.dcAcRatio.median,
      dcUnitInconsistent: q.dcUnitInconsistent,
      dcScaleFactor: q.dcScaleFactor,
      efficiencyWithDcDividedBy10: q.efficiencyWithDcDividedBy10,
    },
    // Proposed: those still open from an earlier run are not raised again.
    alerts,
    /** Orders: one per underperforming inverter, and for each health falling fast. */
    orders: underperformanceOrders + orders,
  };
}

/** Every inverter's DC, AC and yield series joined by time, as one generation table. */
async function readGeneration(
  ctx: TaskContext<Params>,
): Promise<{ gen: SolarGeneration; inverters: InverterNode[] }> {
  const series = await ctx.series.find(ctx.params.plantId, {
    measurement: solarSeries.generation,
  });
  const byNode = new Map<string, SeriesRef[]>();
  for (const s of series) {
    if (s.nodeId) byNode.set(s.nodeId, [...(byNode.get(s.nodeId) ?? []), s]);
  }
  const fields = [
    solarSeries.dcPower,
    solarSeries.acPower,
    solarSeries.dailyYield,
    solarSeries.totalYield,
  ];
  const columns = { time: [] as number[], dc: [] as number[], ac: [] as number[] };
  const yields = { daily: [] as number[], total: [] as number[] };
  const keys: string[] = [];
  const inverters: InverterNode[] = [];
  let plant = '';
  for (const [nodeId, own] of byNode) {
    const refs = fields.map((f) => own.find((s) => s.field === f));
    if (refs.some((r) => !r)) {
      ctx.log.warn(`node ${nodeId} lacks some of ${fields.join(', ')}: left out`);
      continue;
    }
    const [dc, ac, daily, total] = await Promise.all(refs.map((r) => readByTime(ctx, r!)));
    const name = refs[0]!.tags.inverter ?? nodeId;
    plant ||= refs[0]!.tags.plant ?? '';
    inverters.push({ nodeId, name });
    for (const [t, a] of ac) {
      const d = dc.get(t);
      const dy = daily.get(t);
      const ty = total.get(t);
      if (d === undefined || dy === undefined || ty === undefined) continue;
      columns.time.push(Number(t / 1_000_000n));
      columns.dc.push(d);
      columns.ac.push(a);
      yields.daily.push(dy);
      yields.total.push(ty);
      keys.push(name);
    }
  }
  if (keys.length === 0) {
    throw new Error(
      `the plant ${ctx.params.plantId} has no inverter with ${fields.join(', ')} series in the window: import its generation file first`,
    );
  }
  return {
    gen: {
      time: Float64Array.from(columns.time),
      plantId: plant,
      dcPower: Float64Array.from(columns.dc),
      acPower: Float64Array.from(columns.ac),
      dailyYield: Float64Array.from(yields.daily),
      totalYield: Float64Array.from(yields.total),
      // The inverters are told apart by their nodes now, whatever the file had.
      sourceKey: keys,
    },
    inverters,
  };
}

/** The plant's irradiation (the analysis uses no temperature). */
async function readWeather(ctx: TaskContext<Params>): Promise<SolarWeather> {
  const [irradiation, ...others] = await ctx.series.find(ctx.params.plantId, {
    measurement: solarSeries.weather,
    field: solarSeries.irradiation,
  });
  if (!irradiation) {
    throw new Error(
      `the plant ${ctx.params.plantId} has no ${solarSeries.weather} ${solarSeries.irradiation} series: import its weather file first`,
    );
  }
  if (others.length)
    ctx.log.warn(`${others.length + 1} irradiation series: ${irradiation.key} used`);
  const points = await readByTime(ctx, irradiation);
  const times = [...points.keys()];
  return {
    time: Float64Array.from(times, (t) => Number(t / 1_000_000n)),
    ambientTemperature: new Float64Array(times.length).fill(NaN),
    moduleTemperature: new Float64Array(times.length).fill(NaN),
    irradiation: Float64Array.from(times, (t) => points.get(t)!),
  };
}

async function readByTime(
  ctx: TaskContext<Params>,
  series: SeriesRef,
): Promise<Map<bigint, number>> {
  const points = await ctx.series.read(
    series,
    new Date(ctx.params.from!),
    new Date(ctx.params.to!),
  );
  return new Map(points.times.map((t, i) => [t, points.values[i] as number]));
}

function span(time: Float64Array): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const t of time) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return { first, last };
}

function alertTitle(f: Finding): string {
  switch (f.kind) {
    case 'inverter-underperformance':
      return `${f.machineId} gives ${Math.round(f.figures.deficit * 1000) / 10} % less than its peers per irradiation`;
    case 'downtime':
      return `${f.machineId} gave no power for ${f.figures.hours} h from ${minuteOf(f.window.start)} while its peers produced`;
    case 'data-quality':
      return `Plant ${f.machineId}: DC power is reported ${f.figures.dcAcRatioMedian}× AC power (a unit error)`;
    case 'underperformance':
    case 'curtailment':
    case 'predicted-failure':
      return f.summary.slice(0, 200);
    default:
      return assertNever(f.kind);
  }
}

/** One open alert per inverter for chronic findings; one per outage; one for the unit error. */
function dedupeKey(f: Finding): string {
  const start = new Date(f.window.start).toISOString();
  return f.kind === 'downtime'
    ? `solar-performance:downtime:${start}`
    : `solar-performance:${f.kind}`;
}

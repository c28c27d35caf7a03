import type { FieldError } from '@sextant/domain';
import { defineJobType, fanOut, JsonValue, params, ParamsOf, TaskContext } from '@sextant/jobs';
import { SeriesHealth, seriesHealth } from './series-health-stats';

// series-health: per series of a node (and the nodes under it), count the points, gaps and
// staleness over a window, then merge into a report item; machines with stale series get an
// alert (once while it is open).

const schema = params({
  nodeId: {
    type: 'node',
    title: 'Node',
    description: 'The series of this node and of the nodes under it are checked.',
    required: true,
  },
  from: {
    type: 'datetime',
    title: 'From',
    description: 'Start of the window (default: `days` before its end).',
  },
  to: {
    type: 'datetime',
    title: 'To',
    description: 'End of the window (default: when the run is submitted).',
  },
  days: {
    type: 'integer',
    title: 'Days',
    description: 'Length of the window when `from` is not given.',
    default: 7,
    minimum: 1,
    maximum: 366,
  },
  gapFactor: {
    type: 'number',
    title: 'Gap factor',
    description: "An interval longer than this many times the series' usual interval is a gap.",
    default: 3,
    minimum: 1.5,
    maximum: 1000,
  },
  staleAfterMinutes: {
    type: 'integer',
    title: 'Stale after (minutes)',
    description: 'A series whose last point is older than this at the end of the window is stale.',
    default: 120,
    minimum: 1,
    maximum: 527_040,
  },
  raiseAlerts: {
    type: 'boolean',
    title: 'Raise alerts',
    description: 'Raise an alert on each machine with stale series.',
    default: true,
  },
});

type Params = ParamsOf<typeof schema>;

interface ScanInput {
  [key: string]: JsonValue;
  seriesId: string;
  key: string;
  nodeId: string | null;
  /** String series are events (state changes): counted, not judged for gaps or age. */
  events: boolean;
}

type ScanResult = ScanInput & SeriesHealth & { [key: string]: JsonValue };

const day = 86_400_000;

export const seriesHealthJob = defineJobType({
  name: 'series-health',
  title: 'Series health',
  description:
    'Counts points, gaps and stale data per series of a node and the nodes under it (event series: points only), then merges them into a report item; machines with stale series get an alert.',
  params: schema,
  prepare(p, now) {
    const to = p.to ?? now.toISOString();
    const from = p.from ?? new Date(new Date(to).getTime() - p.days * day).toISOString();
    return { ...p, from, to };
  },
  check(p) {
    const errors: FieldError[] = [];
    if (p.from && p.to && Date.parse(p.from) >= Date.parse(p.to)) {
      errors.push({ field: 'params.to', reason: 'must be after from' });
    }
    return errors;
  },
  options: { timeoutSeconds: 300, maxAttempts: 3, backoffSeconds: 5 },
  steps: [
    fanOut<Params, ScanInput>({
      name: 'scan',
      async inputs(ctx) {
        const series = await ctx.series.find(ctx.params.nodeId);
        ctx.log.info(`${series.length} series under the node`);
        return series.map((s) => ({
          seriesId: s.id,
          key: s.key,
          nodeId: s.nodeId,
          events: s.valueType === 'string',
        }));
      },
      async each(ctx, input) {
        const { from, to } = window(ctx);
        const series = await ctx.series.get(input.seriesId);
        if (!series) {
          ctx.log.warn(`series ${input.key} no longer exists`);
          return { ...input, ...seriesHealth([], from, to, options(ctx, input)) };
        }
        const points = await ctx.series.read(series, from, to);
        ctx.progress(90);
        const health = seriesHealth(points.times, from, to, options(ctx, input));
        return { ...input, ...health } satisfies ScanResult;
      },
    }),
    {
      name: 'summarize',
      dependsOn: ['scan'],
      async run(ctx: TaskContext<Params>) {
        const results = await ctx.results<ScanResult>('scan');
        const { from, to } = window(ctx);
        const stale = results.filter((r) => r.stale);
        const summary = {
          from: from.toISOString(),
          to: to.toISOString(),
          series: results.length,
          points: results.reduce((n, r) => n + r.points, 0),
          gaps: results.reduce((n, r) => n + r.gaps, 0),
          gapHours: Math.round(results.reduce((n, r) => n + r.gapSeconds, 0) / 36) / 100,
          stale: stale.length,
          empty: results.filter((r) => r.points === 0).length,
          eventSeries: results.filter((r) => r.events).length,
          worst: [...results]
            .sort((a, b) => b.gapSeconds - a.gapSeconds || b.ageSeconds - a.ageSeconds)
            .slice(0, 10)
            .map((r) => ({
              key: r.key,
              gaps: r.gaps,
              gapSeconds: r.gapSeconds,
              coverage: r.coverage,
              stale: r.stale,
            })),
        };
        const report = ctx.produce({
          kind: 'report',
          name: `Series health ${summary.from.slice(0, 10)} to ${summary.to.slice(0, 10)}`,
          ownerId: ctx.params.nodeId,
          metadata: { type: 'series-health', ...summary },
        });
        if (ctx.params.raiseAlerts) {
          const byNode = new Map<string, ScanResult[]>();
          for (const r of stale) {
            if (r.nodeId) byNode.set(r.nodeId, [...(byNode.get(r.nodeId) ?? []), r]);
          }
          for (const [nodeId, series] of byNode) {
            const hours = Math.round(Math.min(...series.map((s) => s.ageSeconds)) / 360) / 10;
            ctx.raiseAlert({
              nodeId,
              title: `No recent data from ${series.length} series`,
              priority: hours >= 24 ? 'high' : 'medium',
              description: `Stale at ${summary.to}: ${series.map((s) => s.key).join(', ')} (the freshest for ${hours} h).`,
              dedupeKey: 'series-health:stale',
              metadata: { series: series.map((s) => s.key) },
            });
          }
        }
        ctx.log.info(
          `${summary.series} series, ${summary.gaps} gaps, ${summary.stale} stale: report ${report}`,
        );
        return { ...summary, report };
      },
    },
  ],
});

function window(ctx: TaskContext<Params>): { from: Date; to: Date } {
  // prepare() settled both at submission.
  return { from: new Date(ctx.params.from!), to: new Date(ctx.params.to!) };
}

function options(ctx: TaskContext<Params>, input: ScanInput) {
  return {
    regular: !input.events,
    gapFactor: ctx.params.gapFactor,
    staleAfterSeconds: ctx.params.staleAfterMinutes * 60,
  };
}

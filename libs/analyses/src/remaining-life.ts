import {
  cmapssColumns,
  evaluateRul,
  predictRul,
  RUL_CAP,
  rulFindings,
  type CmapssColumn,
  type EngineRun,
  type RulModel,
} from '@sextant/analytics';
import {
  defineJobType,
  ItemRef,
  jsonBody,
  JsonValue,
  NodeRef,
  params,
  ParamsOf,
  SeriesRef,
  TaskContext,
} from '@sextant/jobs';
import { cmapssMeasurement, type EngineMetadata } from '@sextant/imports';
import { atLeast, ticketPriority } from './maintenance-findings';

// Remaining useful life of turbofan engines imported by importCmapss.
// rul-train: the run-to-failure engines under a node train gradient-boosted trees; a share of
// the engines is held out and the model's error on them is its metrics. The model is an item
// of kind model on the node (metadata: version, metrics; body: the trees, gzipped JSON).
// rul-predict: the newest model on the node or above it estimates the remaining life of each
// in-service engine at its last cycle, with an interval; engines near failure get an alert,
// and those nearest an open maintenance order answering it, both with the predicted failure
// window as dates.

export const rulModelType = 'rul-gbt';

const epoch = new Date(0);

/** The engines below a node, with their dating, of the histories wanted. */
async function engines(
  ctx: TaskContext<unknown>,
  nodeId: string,
  histories: EngineMetadata['history'][],
): Promise<Engine[]> {
  const machines = await ctx.nodes.descendants(nodeId, { kind: 'machine' });
  return machines.flatMap((node) => {
    const engine = node.metadata as unknown as EngineMetadata;
    return engine.type === 'turbofan' && histories.includes(engine.history)
      ? [{ ...node, engine }]
      : [];
  });
}

type Engine = NodeRef & { engine: EngineMetadata };

/** An engine's history as read: its node, its run and when its last cycle was. */
interface ReadEngine {
  machine: Engine;
  run: EngineRun;
  lastCycleAt: Date;
}

/**
 * Reads the C-MAPSS series of the engines (every point up to `to`) as engine runs; engines
 * with a column missing are left out with a warning.
 */
async function readRuns(
  ctx: TaskContext<unknown>,
  nodeId: string,
  machines: Engine[],
  to: Date,
  progress: [number, number],
): Promise<ReadEngine[]> {
  const series = await ctx.series.find(nodeId, { measurement: cmapssMeasurement, limit: 100_000 });
  const byNode = new Map<string, Map<string, SeriesRef>>();
  for (const s of series) {
    if (!s.nodeId) continue;
    const columns = byNode.get(s.nodeId) ?? new Map<string, SeriesRef>();
    columns.set(s.field, s);
    byNode.set(s.nodeId, columns);
  }
  const engines: ReadEngine[] = [];
  let done = 0;
  for (const machine of machines) {
    ctx.throwIfAborted();
    const columns = byNode.get(machine.id);
    const missing = cmapssColumns.filter((c) => !columns?.has(c));
    if (missing.length) {
      ctx.log.warn(`${machine.name}: no series for ${missing.join(', ')}; left out`);
      continue;
    }
    const read = await Promise.all(
      cmapssColumns.map((c) => ctx.series.read(columns!.get(c)!, epoch, to)),
    );
    const n = read[0].times.length;
    if (n === 0 || read.some((r) => r.times.length !== n)) {
      ctx.log.warn(`${machine.name}: columns of unequal length (${n} points); left out`);
      continue;
    }
    const run: EngineRun = {
      unit: machine.engine.unit,
      cycles: Int32Array.from({ length: n }, (_, i) => i + 1),
      columns: {} as Record<CmapssColumn, Float64Array>,
    };
    cmapssColumns.forEach((c, k) => {
      run.columns[c] = Float64Array.from(read[k].values as number[]);
    });
    engines.push({
      machine,
      run,
      lastCycleAt: new Date(Number(read[0].times[n - 1] / 1_000_000n)),
    });
    done++;
    ctx.progress(
      progress[0] + ((progress[1] - progress[0]) * done) / machines.length,
      `read ${done}/${machines.length} engines`,
    );
  }
  return engines;
}

const trainSchema = params({
  fleetId: {
    type: 'node',
    title: 'Fleet',
    description:
      'The run-to-failure engines under this node train the model (POST /api/imports/cmapss/:parentId imports them); the model is stored on it.',
    required: true,
  },
  testFraction: {
    type: 'number',
    title: 'Held-out share',
    description: 'Share of the engines held out of training to measure the error.',
    default: 0.2,
    minimum: 0.1,
    maximum: 0.5,
  },
  trees: {
    type: 'integer',
    title: 'Trees',
    description: 'Boosting rounds.',
    default: 300,
    minimum: 20,
    maximum: 2000,
  },
  seed: {
    type: 'integer',
    title: 'Seed',
    description: 'The same engines and seed give the same model.',
    default: 42,
    minimum: 0,
    maximum: 2_147_483_647,
  },
  estimate: {
    type: 'boolean',
    title: 'Then estimate',
    description:
      'After training, estimate the in-service engines under the node with the new model (as rul-predict does, alerts and orders included).',
    default: false,
  },
});

type TrainResult = { [key: string]: JsonValue; model: string };

export const rulTrainJob = defineJobType({
  name: 'rul-train',
  title: 'Train a remaining-life model',
  description:
    'Trains gradient-boosted trees on the run-to-failure engines under a node (RUL capped at 125 cycles), holds a share of the engines out to measure the error (RMSE over all cycles and at cut points) and stores the model as an item of kind model with its version and metrics.',
  params: trainSchema,
  options: { timeoutSeconds: 900, maxAttempts: 2, backoffSeconds: 5 },
  steps: [
    {
      name: 'train',
      async run(ctx: TaskContext<ParamsOf<typeof trainSchema>>) {
        const p = ctx.params;
        ctx.progress(1, 'finding engines');
        const fleet = await engines(ctx, p.fleetId, ['run-to-failure']);
        if (fleet.length < 10) {
          throw new Error(
            `${fleet.length} run-to-failure engines under ${p.fleetId}: training needs at least 10 (import a C-MAPSS train file with history=run-to-failure)`,
          );
        }
        const runs = (await readRuns(ctx, p.fleetId, fleet, ctx.createdAt, [2, 40])).map(
          (e) => e.run,
        );
        ctx.log.info(
          `read ${runs.length} engines, ${runs.reduce((s, r) => s + r.cycles.length, 0)} cycles`,
        );
        ctx.progress(40, 'training');
        const previous = await ctx.items.find({
          ownerId: p.fleetId,
          kind: 'model',
          type: rulModelType,
          limit: 1,
        });
        const version = Number(previous[0]?.metadata.version ?? 0) + 1;
        const model = evaluateRul(runs, {
          testFraction: p.testFraction,
          seed: p.seed,
          version,
          gbt: { trees: p.trees },
        });
        ctx.throwIfAborted();
        const metrics = model.metrics!;
        const fleetName = fleet[0].engine.fleet;
        const reference = ctx.produce({
          kind: 'model',
          name: `RUL model v${version} (${fleetName}, ${runs.length} engines)`,
          ownerId: p.fleetId,
          metadata: {
            type: rulModelType,
            version,
            fleet: fleetName,
            cap: model.cap,
            coverage: model.coverage,
            trees: model.gbt.trees.length,
            features: model.featureNames.length,
            metrics: metrics as unknown as JsonValue,
            training: model.training as unknown as JsonValue,
            bands: model.bands as unknown as JsonValue,
          },
          content: jsonBody(model),
        });
        ctx.log.info(
          `model v${version}: held-out RMSE ${metrics.rmseAllCycles} (all cycles), ${metrics.rmseCutPoints} (cut points) on ${metrics.testEngines.length} engines`,
        );
        const result: TrainResult = {
          model: reference,
          version,
          engines: runs.length,
          heldOut: metrics.testEngines.length,
          rmseAllCycles: metrics.rmseAllCycles,
          rmseCutPoints: metrics.rmseCutPoints,
          maeAllCycles: metrics.maeAllCycles,
          intervalCoverage: metrics.intervalCoverage,
        };
        return result;
      },
    },
    {
      name: 'estimate',
      dependsOn: ['train'],
      async run(ctx: TaskContext<ParamsOf<typeof trainSchema>>) {
        const [trained] = await ctx.results<TrainResult>('train');
        if (!ctx.params.estimate) return trained;
        const item = await ctx.items.get(trained.model);
        if (!item) throw new Error(`model ${trained.model} not found`);
        const estimate = await estimateFleet(ctx, ctx.params.fleetId, item, {
          includeRunToFailure: false,
          raiseAlerts: true,
        });
        return { ...trained, estimate };
      },
    },
  ],
});

/**
 * Estimates the engines under `fleetId` with the model item: an estimate each, and alerts and
 * orders for those near failure (see the file's comment).
 */
async function estimateFleet(
  ctx: TaskContext<unknown>,
  fleetId: string,
  item: ItemRef,
  options: { includeRunToFailure: boolean; raiseAlerts: boolean },
) {
  const body = await ctx.items.content(item.id);
  if (!body) throw new Error(`model ${item.reference} has no body`);
  const model = JSON.parse(Buffer.from(body.bytes).toString('utf8')) as RulModel;
  ctx.log.info(`model ${item.name} (${item.reference})`);

  const histories: EngineMetadata['history'][] = options.includeRunToFailure
    ? ['in-service', 'run-to-failure']
    : ['in-service'];
  const fleet = await engines(ctx, fleetId, histories);
  if (!fleet.length) {
    throw new Error(`no ${histories.join(' or ')} engines under ${fleetId}`);
  }
  const read = await readRuns(ctx, fleetId, fleet, ctx.createdAt, [5, 80]);
  ctx.progress(80, 'estimating');
  const predictions = read.map(({ run }) => predictRul(model, run));
  const hourMs = 3_600_000;
  let alerts = 0;
  let orders = 0;
  const findings = rulFindings(predictions);
  predictions.forEach((prediction, i) => {
    const { machine, lastCycleAt: at } = read[i];
    const cycleMs = machine.engine.cycleHours * hourMs;
    const after = (cycles: number) => new Date(at.getTime() + cycles * cycleMs);
    ctx.recordRemainingLife({
      nodeId: machine.id,
      at,
      remaining: prediction.rul,
      lower: prediction.lower,
      upper: prediction.upper,
      unit: 'cycles',
      health: Math.round((prediction.rul / (model.cap ?? RUL_CAP)) * 1000) / 1000,
      modelReference: item.reference,
    });
    const finding = findings[i];
    if (!options.raiseAlerts || !atLeast(finding.severity, 'medium')) return;
    const priority = ticketPriority(finding.severity);
    const failureFrom = after(prediction.lower);
    const failureTo = prediction.upperOpen ? undefined : after(prediction.upper);
    const metadata = {
      type: 'predicted-failure',
      unit: prediction.unit,
      cycle: prediction.cycle,
      rul: prediction.rul,
      lower: prediction.lower,
      upper: prediction.upper,
      model: item.reference,
    };
    const alert = ctx.raiseAlert({
      nodeId: machine.id,
      title: `${machine.name}: failure predicted in ${Math.round(prediction.lower)}–${Math.round(prediction.upper)} cycles`,
      priority,
      description: finding.summary,
      failureFrom,
      failureTo,
      dedupeKey: 'rul:predicted-failure',
      metadata,
    });
    alerts++;
    if (!atLeast(finding.severity, 'high')) return;
    ctx.raiseAlert({
      kind: 'maintenance_order',
      nodeId: machine.id,
      title: `Overhaul ${machine.name} before cycle ${Math.floor(prediction.cycle + prediction.lower)}`,
      priority,
      description: `${finding.summary}. Plan the overhaul before ${failureFrom.toISOString().slice(0, 10)}.`,
      failureFrom,
      failureTo,
      dedupeKey: 'rul:overhaul',
      answers: alert,
      metadata,
    });
    orders++;
  });
  const lowest = predictions
    .map((p, i) => ({ engine: read[i].machine.name, rul: p.rul, lower: p.lower, upper: p.upper }))
    .sort((a, b) => a.rul - b.rul)
    .slice(0, 10);
  ctx.log.info(
    `${predictions.length} engines estimated; ${alerts} alerts and ${orders} orders raised (before deduplication)`,
  );
  return {
    model: item.reference,
    modelVersion: Number(item.metadata.version ?? 0),
    engines: predictions.length,
    alertsRaised: alerts,
    ordersRaised: orders,
    lowest,
  };
}

const predictSchema = params({
  fleetId: {
    type: 'node',
    title: 'Fleet',
    description: 'The in-service engines under this node are estimated.',
    required: true,
  },
  modelId: {
    type: 'item',
    kinds: ['model'],
    title: 'Model',
    description:
      'Id of a model item (rul-train); default: the newest on the fleet node or the nearest node above it.',
  },
  includeRunToFailure: {
    type: 'boolean',
    title: 'Run-to-failure engines too',
    description: 'Also estimate engines imported as run-to-failure (at their last cycle).',
    default: false,
  },
  raiseAlerts: {
    type: 'boolean',
    title: 'Raise alerts and orders',
    description:
      'An alert when the interval’s lower bound is 50 cycles or less, and an open maintenance order when it is 25 or less (once while open).',
    default: true,
  },
});

export const rulPredictJob = defineJobType({
  name: 'rul-predict',
  title: 'Predict remaining life',
  description:
    "Estimates each in-service engine's remaining useful life (cycles, with an interval) with a rul-train model; the estimates feed the remaining-life dashboard, and engines near failure get alerts and maintenance orders with the predicted failure window.",
  params: predictSchema,
  options: { timeoutSeconds: 600, maxAttempts: 3, backoffSeconds: 5 },
  steps: [
    {
      name: 'predict',
      async run(ctx: TaskContext<ParamsOf<typeof predictSchema>>) {
        const p = ctx.params;
        ctx.progress(1, 'loading the model');
        const item = p.modelId
          ? await ctx.items.get(p.modelId)
          : (
              await ctx.items.find({
                ownerId: p.fleetId,
                kind: 'model',
                type: rulModelType,
                ancestors: true,
                limit: 1,
              })
            )[0];
        if (!item || item.kind !== 'model' || item.metadata.type !== rulModelType) {
          // The same words for an item that does not exist, is out of reach or is another kind.
          throw new Error(
            p.modelId
              ? `no ${rulModelType} model with id ${p.modelId} in this organisation`
              : `no ${rulModelType} model on ${p.fleetId} or above it: run rul-train first`,
          );
        }
        return estimateFleet(ctx, p.fleetId, item, p);
      },
    },
  ],
});

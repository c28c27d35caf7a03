// Remaining useful life of turbofan engines (C-MAPSS): gradient-boosted trees on window
// features, prediction intervals from residuals of engines the trees did not see, an evaluation
// on held-out engines, and findings with a predicted failure window.
import { check } from '../common/errors';
import { priorityOf, type Finding, type Severity } from '../common/findings';
import { quantileSorted, round, shuffled } from '../common/stats';
import { predictGbt, trainGbt, type GbtModel, type GbtOptions } from '../ml/gbt';
import { remainingLife, truncateRun, type EngineRun } from './cmapss';
import { defaultFeatureSpec, engineFeatures, featureNames, type FeatureSpec } from './features';

/** RUL targets are capped (the usual piecewise-linear target for C-MAPSS). */
export const RUL_CAP = 125;

/** Residual quantiles for one range of predicted RUL. */
export interface ResidualBand {
  /** Predictions in [from, to) use this band. */
  from: number;
  to: number;
  /** Quantiles of (true − predicted) at (1 − coverage)/2 and (1 + coverage)/2. */
  lower: number;
  upper: number;
  samples: number;
}

/** A trained RUL model as plain JSON: store it as an item of kind `model`. */
export interface RulModel {
  kind: 'rul-gbt';
  version: number;
  cap: number;
  featureSpec: FeatureSpec;
  featureNames: string[];
  gbt: GbtModel;
  /** Nominal coverage of the prediction interval (e.g. 0.8). */
  coverage: number;
  bands: ResidualBand[];
  training: { engines: number[]; calibrationEngines: number[]; rows: number; seed: number };
  /** Filled by `evaluateRul`: figures on engines held out from training. */
  metrics?: RulMetrics;
}

export interface TrainRulOptions {
  featureSpec?: FeatureSpec;
  gbt?: GbtOptions;
  cap?: number;
  /** Fraction of the training engines kept aside to measure residuals (default 0.2). */
  calibrationFraction?: number;
  /** Coverage of the prediction interval (default 0.8). */
  coverage?: number;
  seed?: number;
  version?: number;
}

function stack(runs: EngineRun[], spec: FeatureSpec, cap: number) {
  const width = featureNames(spec).length;
  const total = runs.reduce((s, r) => s + r.cycles.length, 0);
  const x = new Float64Array(total * width);
  const y = new Float64Array(total);
  let row = 0;
  for (const run of runs) {
    x.set(engineFeatures(run, spec), row * width);
    y.set(remainingLife(run, cap), row);
    row += run.cycles.length;
  }
  return { x, y, width };
}

/**
 * Trains a RUL model on run-to-failure engines: trees on all cycles of most engines, residual
 * quantiles (in three bands of predicted RUL) on the engines kept aside for calibration.
 */
export function trainRul(runs: EngineRun[], options: TrainRulOptions = {}): RulModel {
  const spec = options.featureSpec ?? defaultFeatureSpec;
  const cap = options.cap ?? RUL_CAP;
  const seed = options.seed ?? 42;
  const coverage = options.coverage ?? 0.8;
  check(runs.length >= 5, 'engines', 'needs at least 5 run-to-failure engines');
  check(coverage > 0 && coverage < 1, 'coverage', 'must be between 0 and 1');
  const order = shuffled(runs, seed + 1);
  const nCal = Math.max(1, Math.round((options.calibrationFraction ?? 0.2) * runs.length));
  const calibration = order.slice(0, nCal);
  const fit = order.slice(nCal);
  const train = stack(fit, spec, cap);
  const gbt = trainGbt(train.x, train.y, train.width, { seed, ...options.gbt });

  // Residuals on the calibration engines, every cycle, in bands of predicted RUL.
  const cal = stack(calibration, spec, cap);
  const predicted = clip(predictGbt(gbt, cal.x), cap);
  const edges = [0, 40, 90, Infinity];
  const bands: ResidualBand[] = [];
  for (let b = 0; b < edges.length - 1; b++) {
    const residuals: number[] = [];
    for (let i = 0; i < predicted.length; i++) {
      if (predicted[i] >= edges[b] && predicted[i] < edges[b + 1]) {
        residuals.push(cal.y[i] - predicted[i]);
      }
    }
    const sorted = Float64Array.from(residuals).sort();
    bands.push({
      from: edges[b],
      to: edges[b + 1] === Infinity ? cap + 1 : edges[b + 1],
      lower: round(quantileSorted(sorted, (1 - coverage) / 2), 3),
      upper: round(quantileSorted(sorted, (1 + coverage) / 2), 3),
      samples: sorted.length,
    });
  }
  return {
    kind: 'rul-gbt',
    version: options.version ?? 1,
    cap,
    featureSpec: spec,
    featureNames: featureNames(spec),
    gbt,
    coverage,
    bands,
    training: {
      engines: fit.map((r) => r.unit).sort((a, b) => a - b),
      calibrationEngines: calibration.map((r) => r.unit).sort((a, b) => a - b),
      rows: train.y.length,
      seed,
    },
  };
}

function clip(values: Float64Array, cap: number): Float64Array {
  for (let i = 0; i < values.length; i++) values[i] = Math.min(cap, Math.max(0, values[i]));
  return values;
}

/** RUL predicted at every cycle of a run (what was known at each cycle), capped. */
export function predictRulSeries(model: RulModel, run: EngineRun): Float64Array {
  return clip(predictGbt(model.gbt, engineFeatures(run, model.featureSpec)), model.cap);
}

/** The RUL of an engine at its last observed cycle, with an interval and a failure window. */
export interface RulPrediction {
  unit: number;
  /** Last observed cycle. */
  cycle: number;
  rul: number;
  lower: number;
  upper: number;
  /** At the cap the model only says "at least this much": the upper bound is open. */
  upperOpen: boolean;
  /** Cycles between which failure is predicted (cycle + lower, cycle + upper). */
  failureWindow: { start: number; end: number };
  coverage: number;
}

/** Predicts the remaining life of an engine from its history so far. */
export function predictRul(model: RulModel, run: EngineRun): RulPrediction {
  check(run.cycles.length > 0, 'cycles', 'an engine needs at least one cycle');
  const series = predictRulSeries(model, run);
  const rul = series[series.length - 1];
  const band =
    model.bands.find((b) => rul >= b.from && rul < b.to) ?? model.bands[model.bands.length - 1];
  const lower = Math.max(0, rul + band.lower);
  const upperOpen = rul >= model.cap - 5;
  const upper = Math.max(lower, rul + band.upper);
  const cycle = run.cycles[run.cycles.length - 1];
  return {
    unit: run.unit,
    cycle,
    rul: round(rul, 2),
    lower: round(lower, 2),
    upper: round(upper, 2),
    upperOpen,
    failureWindow: { start: round(cycle + lower, 1), end: round(cycle + upper, 1) },
    coverage: model.coverage,
  };
}

/** Figures of a model on engines it was not trained on. */
export interface RulMetrics {
  testEngines: number[];
  /** RMSE over every cycle of the held-out engines (targets capped at `cap`). */
  rmseAllCycles: number;
  /** RMSE at cut points, as in the C-MAPSS test protocol (history cut before failure). */
  rmseCutPoints: number;
  cutPoints: number;
  /** PHM08 score at the cut points (late predictions cost more). */
  phmScoreCutPoints: number;
  /** MAE over every cycle. */
  maeAllCycles: number;
  /** Share of held-out cycles whose true RUL lies inside the interval. */
  intervalCoverage: number;
  rows: number;
}

export interface EvaluateRulOptions extends TrainRulOptions {
  /** Fraction of engines held out (default 0.2). */
  testFraction?: number;
  /** Cut points per held-out engine (default 10). */
  cutsPerEngine?: number;
}

/**
 * Holds out a seeded fraction of the engines, trains on the rest and measures the held-out
 * error two ways: over every cycle, and at random cut points (each engine's history cut at a
 * uniformly drawn cycle, predicted at the cut, as in the C-MAPSS test sets). Returns the model
 * with its metrics.
 */
export function evaluateRul(runs: EngineRun[], options: EvaluateRulOptions = {}): RulModel {
  const seed = options.seed ?? 42;
  const cap = options.cap ?? RUL_CAP;
  const order = shuffled(runs, seed);
  const nTest = Math.max(1, Math.round((options.testFraction ?? 0.2) * runs.length));
  const test = order.slice(0, nTest);
  const model = trainRul(order.slice(nTest), options);

  let se = 0;
  let ae = 0;
  let rows = 0;
  let inside = 0;
  for (const run of test) {
    const truth = remainingLife(run, cap);
    const predicted = predictRulSeries(model, run);
    for (let i = 0; i < truth.length; i++) {
      const e = predicted[i] - truth[i];
      se += e * e;
      ae += Math.abs(e);
      rows++;
      const band =
        model.bands.find((b) => predicted[i] >= b.from && predicted[i] < b.to) ??
        model.bands[model.bands.length - 1];
      const lower = predicted[i] + band.lower;
      const upper = predicted[i] >= cap - 5 ? Infinity : predicted[i] + band.upper;
      if (truth[i] >= lower && truth[i] <= upper) inside++;
    }
  }

  // Cut points: drawn uniformly between 31 cycles (enough history) and the last cycle.
  const cuts = options.cutsPerEngine ?? 10;
  let cutSe = 0;
  let score = 0;
  let cutCount = 0;
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  for (const run of test) {
    const n = run.cycles.length;
    for (let c = 0; c < cuts; c++) {
      const length = 31 + Math.floor(random() * Math.max(1, n - 31));
      const truth = Math.min(cap, n - length);
      const { rul } = predictRul(model, truncateRun(run, length));
      const d = rul - truth;
      cutSe += d * d;
      score += d < 0 ? Math.exp(-d / 13) - 1 : Math.exp(d / 10) - 1;
      cutCount++;
    }
  }
  model.metrics = {
    testEngines: test.map((r) => r.unit).sort((a, b) => a - b),
    rmseAllCycles: round(Math.sqrt(se / rows), 3),
    rmseCutPoints: round(Math.sqrt(cutSe / cutCount), 3),
    cutPoints: cutCount,
    phmScoreCutPoints: round(score / cutCount, 3),
    maeAllCycles: round(ae / rows, 3),
    intervalCoverage: round(inside / rows, 3),
    rows,
  };
  return model;
}

/** Severity of an engine from the lower bound of its remaining life (cycles). */
export function rulSeverity(lower: number): Severity {
  if (lower <= 10) return 'critical';
  if (lower <= 25) return 'high';
  if (lower <= 50) return 'medium';
  if (lower <= 90) return 'low';
  return 'info';
}

/**
 * Findings from predictions: one `predicted-failure` per engine, its window the predicted
 * failure cycles, severity and priority from the interval's lower bound.
 */
export function rulFindings(predictions: RulPrediction[]): Finding[] {
  return predictions.map((p) => {
    const severity = rulSeverity(p.lower);
    return {
      machineId: String(p.unit),
      kind: 'predicted-failure',
      window: { unit: 'cycle', start: p.failureWindow.start, end: p.failureWindow.end },
      severity,
      priority: priorityOf(severity),
      summary:
        `engine ${p.unit}: ${p.rul.toFixed(0)} cycles of life left at cycle ${p.cycle} ` +
        `(${Math.round(p.coverage * 100)} % interval ${p.lower.toFixed(0)}–` +
        `${p.upperOpen ? 'more' : p.upper.toFixed(0)})`,
      figures: { rul: p.rul, lower: p.lower, upper: p.upper, cycle: p.cycle },
    };
  });
}

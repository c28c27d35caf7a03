// Window features of an engine's history at each cycle, computed only from that cycle and the
// ones before it (what is known at prediction time), in O(1) per cycle from prefix sums.
import type { CmapssColumn, EngineRun } from './cmapss';

/** What the features are made of; stored with a model so that prediction computes the same. */
export interface FeatureSpec {
  /** Sensor columns used (FD001: the 14 that are not constant). */
  sensors: CmapssColumn[];
  /** Window lengths (cycles) of the trailing means. */
  meanWindows: number[];
  /** Window lengths (cycles) of the trailing least-squares slopes. */
  slopeWindows: number[];
  /** Cycles at the start of a run averaged as the engine's own baseline. */
  baselineCycles: number;
}

/** FD001: sensors that vary (the data README lists setting 3, s1, s5, s10, s16, s18, s19 as constant). */
export const defaultFeatureSpec: FeatureSpec = {
  sensors: [
    's2',
    's3',
    's4',
    's7',
    's8',
    's9',
    's11',
    's12',
    's13',
    's14',
    's15',
    's17',
    's20',
    's21',
  ],
  meanWindows: [5, 15, 30],
  slopeWindows: [15, 40],
  baselineCycles: 15,
};

/** Names of the features `engineFeatures` computes, in column order. */
export function featureNames(spec: FeatureSpec): string[] {
  const names = ['cycle'];
  for (const s of spec.sensors) {
    for (const w of spec.meanWindows) names.push(`${s}.mean${w}`);
    for (const w of spec.slopeWindows) names.push(`${s}.slope${w}`);
    names.push(`${s}.drift`);
  }
  return names;
}

/**
 * Features at every cycle of a run, row-major (`cycles × featureNames(spec).length`): the
 * cycle number; per sensor the trailing means, trailing slopes and the drift (shortest trailing
 * mean − the mean of the run's first `baselineCycles` cycles, which removes the engine's
 * initial wear and manufacturing offset).
 */
export function engineFeatures(run: EngineRun, spec: FeatureSpec): Float64Array {
  const n = run.cycles.length;
  const width = featureNames(spec).length;
  const out = new Float64Array(n * width);
  for (let k = 0; k < n; k++) out[k * width] = run.cycles[k];
  let column = 1;
  const ps = new Float64Array(n + 1); // Σx
  const pt = new Float64Array(n + 1); // Σk·x
  for (const sensor of spec.sensors) {
    const x = run.columns[sensor];
    for (let k = 0; k < n; k++) {
      ps[k + 1] = ps[k] + x[k];
      pt[k + 1] = pt[k] + k * x[k];
    }
    const mean = (from: number, to: number) => (ps[to] - ps[from]) / (to - from);
    for (const w of spec.meanWindows) {
      for (let k = 0; k < n; k++) out[k * width + column] = mean(Math.max(0, k + 1 - w), k + 1);
      column++;
    }
    for (const w of spec.slopeWindows) {
      for (let k = 0; k < n; k++) {
        const from = Math.max(0, k + 1 - w);
        const m = k + 1 - from;
        if (m < 3) {
          out[k * width + column] = 0;
          continue;
        }
        // Least squares over indices from..k: slope = (m·Σkx − Σk·Σx) / (m·Σk² − (Σk)²).
        const sk = ((from + k) * m) / 2;
        const skk = (k * (k + 1) * (2 * k + 1) - (from - 1) * from * (2 * from - 1)) / 6;
        const sx = ps[k + 1] - ps[from];
        const skx = pt[k + 1] - pt[from];
        out[k * width + column] = (m * skx - sk * sx) / (m * skk - sk * sk);
      }
      column++;
    }
    const shortest = Math.min(...spec.meanWindows);
    for (let k = 0; k < n; k++) {
      const baseline = mean(0, Math.min(n, spec.baselineCycles, k + 1));
      out[k * width + column] = mean(Math.max(0, k + 1 - shortest), k + 1) - baseline;
    }
    column++;
  }
  return out;
}

// Gradient-boosted regression trees (squared error) on histogram-binned features, seeded:
// the same data and seed give the same model. Trees are flat arrays, so a model is plain JSON.
import { check } from '../common/errors';
import { seededRandom } from '../common/stats';

export interface GbtOptions {
  trees?: number;
  learningRate?: number;
  maxDepth?: number;
  minLeaf?: number;
  /** L2 regularisation of leaf values. */
  lambda?: number;
  /** Fraction of rows drawn (without replacement) for each tree. */
  subsample?: number;
  /** Fraction of features tried at each tree. */
  featureFraction?: number;
  /** Histogram bins per feature (≤ 256). */
  bins?: number;
  seed?: number;
}

/** One tree: node i splits on `feature[i]` at `threshold[i]` (≤ goes left) or is a leaf (−1). */
export interface GbtTree {
  feature: number[];
  threshold: number[];
  left: number[];
  right: number[];
  value: number[];
}

/** A trained ensemble: prediction = base + Σ tree(x). */
export interface GbtModel {
  base: number;
  features: number;
  trees: GbtTree[];
}

const defaults: Required<GbtOptions> = {
  trees: 300,
  learningRate: 0.05,
  maxDepth: 5,
  minLeaf: 20,
  lambda: 1,
  subsample: 0.7,
  featureFraction: 0.8,
  bins: 64,
  seed: 1,
};

/**
 * Fits gradient-boosted trees to rows of `x` (row-major, `features` values a row) and targets
 * `y`.
 */
export function trainGbt(
  x: Float64Array,
  y: Float64Array,
  features: number,
  options: GbtOptions = {},
): GbtModel {
  const o = { ...defaults, ...options };
  const n = y.length;
  check(x.length === n * features, 'x', 'must hold `features` values for each target');
  check(n >= 2 * o.minLeaf, 'y', `needs at least ${2 * o.minLeaf} rows`);
  check(o.bins >= 2 && o.bins <= 256, 'bins', 'must be between 2 and 256');
  const random = seededRandom(o.seed);

  // Quantile bin edges per feature; binned values row-major (a row's bins are contiguous, as
  // the histograms are built row by row).
  const edges: Float64Array[] = [];
  const binned = new Uint8Array(n * features);
  const column = new Float64Array(n);
  for (let f = 0; f < features; f++) {
    for (let i = 0; i < n; i++) column[i] = x[i * features + f];
    const sorted = column.slice().sort();
    const cuts: number[] = [];
    for (let b = 1; b < o.bins; b++) {
      const v = sorted[Math.min(n - 1, Math.floor((b * n) / o.bins))];
      if (cuts.length === 0 || v > cuts[cuts.length - 1]) cuts.push(v);
    }
    // Edge b is the largest value of bin b: values ≤ edge go left of a split after bin b.
    const e = new Float64Array(cuts.length);
    for (let b = 0; b < cuts.length; b++) {
      const at = lowerBound(sorted, cuts[b]);
      e[b] = at > 0 ? sorted[at - 1] : cuts[b];
    }
    edges.push(e);
    for (let i = 0; i < n; i++) binned[i * features + f] = binOf(e, column[i]);
  }

  let base = 0;
  for (let i = 0; i < n; i++) base += y[i];
  base /= n;
  const pred = new Float64Array(n).fill(base);
  const residual = new Float64Array(n);
  const trees: GbtTree[] = [];
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const sampleSize = Math.max(2 * o.minLeaf, Math.round(o.subsample * n));
  const featureCount = Math.max(1, Math.round(o.featureFraction * features));
  const featureIds = Array.from({ length: features }, (_, f) => f);
  const pool = histogramPool(features, o);

  for (let t = 0; t < o.trees; t++) {
    for (let i = 0; i < n; i++) residual[i] = y[i] - pred[i];
    // Partial Fisher–Yates: the first sampleSize entries are the sample.
    for (let i = 0; i < sampleSize; i++) {
      const j = i + Math.floor(random() * (n - i));
      const tmp = all[i];
      all[i] = all[j];
      all[j] = tmp;
    }
    const rows = all.slice(0, sampleSize);
    for (let i = 0; i < featureCount; i++) {
      const j = i + Math.floor(random() * (features - i));
      [featureIds[i], featureIds[j]] = [featureIds[j], featureIds[i]];
    }
    const tried = featureIds.slice(0, featureCount).sort((a, b) => a - b);
    const tree = growTree(pool, rows, residual, binned, features, edges, tried, o);
    trees.push(tree);
    for (let i = 0; i < n; i++) pred[i] += evalTree(tree, x, i * features);
  }
  return { base, features, trees };
}

function lowerBound(sorted: Float64Array, v: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (sorted[m] < v) a = m + 1;
    else b = m;
  }
  return a;
}

function binOf(edges: Float64Array, v: number): number {
  let a = 0;
  let b = edges.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (edges[m] < v) a = m + 1;
    else b = m;
  }
  return a;
}

/**
 * Histogram buffers (sum of residuals, then counts, per feature and bin: [f·bins + bin]), two
 * per depth (left and right child), reused across nodes and trees.
 */
function histogramPool(features: number, o: Required<GbtOptions>): Float64Array[][] {
  return Array.from({ length: o.maxDepth + 2 }, () => [
    new Float64Array(2 * features * o.bins),
    new Float64Array(2 * features * o.bins),
  ]);
}

function growTree(
  pool: Float64Array[][],
  rows: Uint32Array,
  residual: Float64Array,
  binned: Uint8Array,
  features: number,
  edges: Float64Array[],
  tried: number[],
  o: Required<GbtOptions>,
): GbtTree {
  const tree: GbtTree = { feature: [], threshold: [], left: [], right: [], value: [] };
  const B = o.bins;
  const size = features * B;

  const build = (hist: Float64Array, from: number, to: number) => {
    hist.fill(0);
    for (let i = from; i < to; i++) {
      const r = rows[i];
      const g = residual[r];
      const base = r * features;
      for (let k = 0; k < tried.length; k++) {
        const f = tried[k];
        const at = f * B + binned[base + f];
        hist[at] += g;
        hist[size + at]++;
      }
    }
  };

  const grow = (from: number, to: number, depth: number, hist: Float64Array): number => {
    const id = tree.feature.length;
    let sum = 0;
    for (let i = from; i < to; i++) sum += residual[rows[i]];
    const count = to - from;
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push((o.learningRate * sum) / (count + o.lambda));
    if (depth >= o.maxDepth || count < 2 * o.minLeaf) return id;

    const parentScore = (sum * sum) / (count + o.lambda);
    let bestGain = 1e-12;
    let bestFeature = -1;
    let bestBin = 0;
    for (const f of tried) {
      const nb = edges[f].length + 1;
      let sl = 0;
      let cl = 0;
      for (let b = 0; b < nb - 1; b++) {
        sl += hist[f * B + b];
        cl += hist[size + f * B + b];
        const cr = count - cl;
        if (cl < o.minLeaf) continue;
        if (cr < o.minLeaf) break;
        const sr = sum - sl;
        const gain = (sl * sl) / (cl + o.lambda) + (sr * sr) / (cr + o.lambda) - parentScore;
        if (gain > bestGain) {
          bestGain = gain;
          bestFeature = f;
          bestBin = b;
        }
      }
    }
    if (bestFeature < 0) return id;
    // Partition rows[from, to) in place: bins ≤ bestBin first.
    let i = from;
    let j = to - 1;
    while (i <= j) {
      if (binned[rows[i] * features + bestFeature] <= bestBin) i++;
      else {
        const tmp = rows[i];
        rows[i] = rows[j];
        rows[j] = tmp;
        j--;
      }
    }
    tree.feature[id] = bestFeature;
    tree.threshold[id] = edges[bestFeature][bestBin];
    // The smaller child's histogram is built; the larger one is the parent's minus it.
    const [leftHist, rightHist] = pool[depth + 1];
    const leftSmaller = i - from <= to - i;
    const small = leftSmaller ? leftHist : rightHist;
    const large = leftSmaller ? rightHist : leftHist;
    if (leftSmaller) build(small, from, i);
    else build(small, i, to);
    for (let k = 0; k < 2 * size; k++) large[k] = hist[k] - small[k];
    tree.left[id] = grow(from, i, depth + 1, leftHist);
    tree.right[id] = grow(i, to, depth + 1, rightHist);
    return id;
  };
  const root = pool[0][0];
  build(root, 0, rows.length);
  grow(0, rows.length, 0, root);
  return tree;
}

function evalTree(tree: GbtTree, x: Float64Array, offset: number): number {
  let node = 0;
  while (tree.feature[node] >= 0) {
    node =
      x[offset + tree.feature[node]] <= tree.threshold[node] ? tree.left[node] : tree.right[node];
  }
  return tree.value[node];
}

/** Predictions of a model for rows of `x` (row-major, `model.features` values a row). */
export function predictGbt(model: GbtModel, x: Float64Array): Float64Array {
  const rows = x.length / model.features;
  const out = new Float64Array(rows).fill(model.base);
  for (const tree of model.trees) {
    for (let r = 0; r < rows; r++) out[r] += evalTree(tree, x, r * model.features);
  }
  return out;
}

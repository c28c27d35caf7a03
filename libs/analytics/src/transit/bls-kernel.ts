// The box-least-squares kernel, shared by the main thread and the worker threads.
//
// It must stay self-contained — no imports, no helpers from outside its body — because the
// worker threads receive it as source text (Function.prototype.toString): the library then
// works the same from TypeScript sources (tests) and from the compiled dist/ (apps).

/** Values written per trial period into the output array by `blsKernel`. */
export const BLS_STRIDE = 7;
/** Offsets inside one period's record of the output array. */
export const BLS_FIELDS = {
  power: 0,
  depth: 1,
  depthErr: 2,
  duration: 3,
  transitTime: 4,
  depthSnr: 5,
  logLikelihood: 6,
} as const;

/**
 * Box-least-squares over trial periods `from` ≤ p < `to`, written on typed arrays:
 * for each period the points are binned in phase (bins of `binDuration`), the bins are summed
 * cumulatively (wrapping around phase 0), and every box of every duration starting at every
 * bin is evaluated from two differences of the cumulative sums. The objective is the log
 * likelihood gain of a box model `0.5·Σw_in·depth²` (or, with `useSnr`, the depth's
 * signal-to-noise), over positive depths (dips) only; the comparison is done without a
 * division (`num² > best·W_in·W_out²`), the winner's figures computed once per period.
 *
 * `t` are times relative to the first point, `wy` = y·w and `w` = 1/σ² per point,
 * `sumWy` and `sumW` their totals. Writes `BLS_STRIDE` values per period into `out` at
 * `p·BLS_STRIDE`: power, depth, depth error, duration, transit time (mid-transit, relative to
 * the first point, in [0, period)), depth SNR and log likelihood. `fill` chooses how bins are
 * filled: 0 by the density of points (default), 1 per point, 2 per bin edge.
 */
export function blsKernel(
  t: Float64Array,
  wy: Float64Array,
  w: Float64Array,
  sumWy: number,
  sumW: number,
  periods: Float64Array,
  from: number,
  to: number,
  durations: Float64Array,
  binDuration: number,
  useSnr: boolean,
  out: Float64Array,
  fill = 0,
): void {
  const n = t.length;
  const nDur = durations.length;
  const durBins = new Int32Array(nDur);
  let maxDurBins = 1;
  for (let k = 0; k < nDur; k++) {
    const d = Math.max(1, Math.round(durations[k] / binDuration));
    durBins[k] = d;
    if (d > maxDurBins) maxDurBins = d;
  }
  let maxPeriod = 0;
  for (let p = from; p < to; p++) if (periods[p] > maxPeriod) maxPeriod = periods[p];
  const capacity = Math.ceil(maxPeriod / binDuration) + maxDurBins + 2;
  // Interleaved (weight, weighted value) per bin, then their cumulative sums.
  const bins = new Float64Array(2 * capacity);
  const cumW = new Float64Array(capacity + 1);
  const cumY = new Float64Array(capacity + 1);

  // Two exact ways to fill the phase bins. Per point: each point's bin from its phase (cost ∝
  // points). Per bin edge: prefix sums over the time-sorted points, and for every bin of every
  // cycle the index where its edge falls, found through a lookup grid; the bin gets the
  // difference of the prefix sums (cost ∝ baseline / bin width). Densely sampled light curves
  // (several points per bin) take the second.
  const span = n > 0 ? t[n - 1] - t[0] : 0;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) sorted = t[i] >= t[i - 1];
  // fill: 0 chooses, 1 forces per point, 2 per bin edge (when the times allow it).
  const edgesPossible = sorted && n > 0 && t[0] >= 0;
  const byEdges = edgesPossible && (fill === 2 || (fill === 0 && span / binDuration < 0.5 * n));
  let prefW = bins;
  let prefY = bins;
  let first = new Int32Array(0);
  const cell = binDuration / 4;
  const invCell = 1 / cell;
  let lastCell = 0;
  if (byEdges) {
    prefW = new Float64Array(n + 1);
    prefY = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) {
      prefW[i + 1] = prefW[i] + w[i];
      prefY[i + 1] = prefY[i] + wy[i];
    }
    // first[k]: index of the first point at or after time k·cell.
    lastCell = Math.floor(t[n - 1] * invCell) + 1;
    first = new Int32Array(lastCell + 1);
    for (let k = 0, i = 0; k <= lastCell; k++) {
      const edge = k * cell;
      while (i < n && t[i] < edge) i++;
      first[k] = i;
    }
  }
  const tEnd = n > 0 ? t[n - 1] : 0;

  for (let p = from; p < to; p++) {
    const period = periods[p];
    const invPeriod = 1 / period;
    const binsPerPeriod = period / binDuration;
    const nb = Math.ceil(binsPerPeriod);
    bins.fill(0, 0, 2 * nb);
    if (byEdges) {
      let i = 0;
      for (let start = 0; start <= tEnd && i < n; start += period) {
        for (let b = 0; b < nb; b++) {
          const edge = b + 1 < nb ? start + (b + 1) * binDuration : start + period;
          let k = (edge * invCell) | 0;
          if (k > lastCell) k = lastCell;
          let j = first[k];
          if (j < i) j = i;
          while (j < n && t[j] < edge) j++;
          if (j > i) {
            bins[2 * b] += prefW[j] - prefW[i];
            bins[2 * b + 1] += prefY[j] - prefY[i];
            i = j;
            if (i >= n) break;
          }
        }
      }
    } else {
      for (let i = 0; i < n; i++) {
        const phase = t[i] * invPeriod;
        let b = ((phase - Math.floor(phase)) * binsPerPeriod) | 0;
        if (b >= nb) b = nb - 1;
        bins[2 * b] += w[i];
        bins[2 * b + 1] += wy[i];
      }
    }
    // Cumulative sums over nb + maxDurBins bins: boxes that straddle phase 0 wrap around.
    const total = nb + maxDurBins;
    let cw = 0;
    let cy = 0;
    for (let j = 0; j < total; j++) {
      const src = j % nb;
      cw += bins[2 * src];
      cy += bins[2 * src + 1];
      cumW[j + 1] = cw;
      cumY[j + 1] = cy;
    }

    let best = 0;
    let bestK = -1;
    let bestN = 0;
    let bestWin = 0;
    let bestYin = 0;
    for (let k = 0; k < nDur; k++) {
      const d = durBins[k];
      for (let s = 0; s < nb; s++) {
        const win = cumW[s + d] - cumW[s];
        const wout = sumW - win;
        if (win <= 0 || wout <= 0) continue;
        const yin = cumY[s + d] - cumY[s];
        // depth = num / (win·wout) > 0 is a dip.
        const num = sumWy * win - yin * sumW;
        if (num <= 0) continue;
        const num2 = num * num;
        // likelihood: 0.5·num²/(win·wout²); snr: num/√(win·wout·sumW), compared squared.
        const scale = useSnr ? win * wout * sumW : win * wout * wout;
        if (bestK < 0 || num2 > best * scale) {
          best = num2 / scale;
          bestK = k;
          bestN = s;
          bestWin = win;
          bestYin = yin;
        }
      }
    }
    const o = p * 7;
    if (bestK < 0) {
      out[o] = 0;
      out[o + 1] = 0;
      out[o + 2] = Infinity;
      out[o + 3] = durations[0];
      out[o + 4] = 0;
      out[o + 5] = 0;
      out[o + 6] = 0;
      continue;
    }
    const wout = sumW - bestWin;
    const depth = (sumWy - bestYin) / wout - bestYin / bestWin;
    const depthErr = Math.sqrt(1 / bestWin + 1 / wout);
    const logLikelihood = 0.5 * bestWin * depth * depth;
    const snr = depth / depthErr;
    let mid = (bestN + 0.5 * durBins[bestK]) * binDuration;
    mid -= Math.floor(mid * invPeriod) * period;
    out[o] = useSnr ? snr : logLikelihood;
    out[o + 1] = depth;
    out[o + 2] = depthErr;
    out[o + 3] = durations[bestK];
    out[o + 4] = mid;
    out[o + 5] = snr;
    out[o + 6] = logLikelihood;
  }
}

// Transit search: detrend, BLS periodogram, candidate, mask its transits, search again.
import { check } from '../common/errors';
import { meanStd, median, robustSigma, round } from '../common/stats';
import {
  argMax,
  blsPeriodogramPrepared,
  periodGrid,
  prepareBls,
  type BlsOptions,
  type BlsPeriodogram,
} from './bls';
import type { BlsPool } from './bls-pool';
import { detrend, type DetrendOptions } from './detrend';
import { downsamplePeriodogram, type PeriodogramChart } from './fold';

/** A periodic transit-like signal found by the search (plain numbers, JSON-serializable). */
export interface TransitCandidate {
  /** 1 for the strongest signal, 2 for the next found after masking the first... */
  rank: number;
  /** Days. */
  period: number;
  /** Mid-transit time of the first transit in the data, on the light curve's time scale. */
  epoch: number;
  /** Fractional depth (1 − in-transit / out-of-transit flux) and in ppm. */
  depth: number;
  depthPpm: number;
  depthErrPpm: number;
  durationHours: number;
  /** depth / (σ_out / √points in transit), σ_out the robust scatter out of transit. */
  snr: number;
  /** Signal detection efficiency: (peak − mean power) / standard deviation of the power. */
  sde: number;
  /** The same with median and MAD: what the search's threshold applies to. */
  sdeRobust: number;
  /** BLS objective at the peak (log likelihood gain). */
  power: number;
  /** Transits with at least one point inside, and points inside all of them. */
  transits: number;
  pointsInTransit: number;
  /**
   * Depth of odd over even transits (far from 1 hints at an eclipsing binary at twice the
   * period); null without both odd and even transits.
   */
  oddEvenRatio: number | null;
  /** When this signal relates to an earlier candidate: its rank and how. */
  relatedTo?: { rank: number; relation: 'alias' | 'secondary-eclipse' };
}

/** One round of the search: the periodogram (thinned for charts) and what was found. */
export interface SearchIteration {
  iteration: number;
  points: number;
  sde: number;
  sdeRobust: number;
  bestPeriod: number;
  accepted: boolean;
  periodogram: PeriodogramChart;
}

export interface TransitSearchResult {
  candidates: TransitCandidate[];
  iterations: SearchIteration[];
  /** Why the search stopped. */
  stoppedBecause: string;
  points: number;
  baselineDays: number;
  periodsSearched: number;
  minPeriod: number;
  maxPeriod: number;
  durationsHours: number[];
  /** Robust σ of the detrended relative flux, ppm. */
  noisePpm: number;
}

export interface TransitSearchOptions {
  /** Detrending before the search (default: running median over 0.75 d); false: none. */
  detrend?: DetrendOptions | false;
  /** Trial durations in hours (default 1, 1.5, 2, 3, 4, 5, 6). */
  durationsHours?: number[];
  /** Default 0.5 d. */
  minPeriod?: number;
  /** Default: baseline / (minTransits − 1). */
  maxPeriod?: number;
  /** Transits a period must show at least (default 3). */
  minTransits?: number;
  /** Multiplies the frequency step of the grid (default 1). */
  frequencyFactor?: number;
  oversample?: number;
  /**
   * A candidate needs at least this robust SDE (default 12; noise peaks of the three real light
   * curves reach 4–8, their planets 28–122) and this SNR (default 7).
   */
  minSde?: number;
  minSnr?: number;
  /** Most candidates to look for (default 3). */
  maxCandidates?: number;
  /** Points within this many durations of a found mid-transit are masked (default 1). */
  maskDurations?: number;
  /** Points kept for each periodogram chart (default 2000). */
  chartPoints?: number;
  /** Worker threads to share each periodogram; without, the calling thread computes. */
  pool?: BlsPool;
  /** Called after each round with the fraction done (at most `maxCandidates` rounds). */
  onProgress?: (fraction: number, message: string) => void;
}

/**
 * Searches a light curve for periodic transits: detrending, a BLS periodogram over a
 * frequency-uniform period grid and several durations, the best peak refined on a finer grid,
 * a candidate if its SDE and SNR pass, then its transits masked and the search repeated for
 * further planets until a peak falls below the thresholds.
 */
export async function searchTransits(
  lc: { time: Float64Array; flux: Float64Array; fluxErr?: Float64Array },
  options: TransitSearchOptions = {},
): Promise<TransitSearchResult> {
  const durationsHours = options.durationsHours ?? [1, 1.5, 2, 3, 4, 5, 6];
  const durations = durationsHours.map((h) => h / 24);
  const minSde = options.minSde ?? 12;
  const minSnr = options.minSnr ?? 7;
  const maxCandidates = options.maxCandidates ?? 3;
  const maskDurations = options.maskDurations ?? 1;
  check(durations.length > 0, 'durationsHours', 'needs at least one duration');
  check(maxCandidates >= 1, 'maxCandidates', 'must be at least 1');

  const data =
    options.detrend === false
      ? {
          time: lc.time,
          flux: lc.flux,
          fluxErr: lc.fluxErr ?? new Float64Array(lc.time.length).fill(robustSigma(lc.flux)),
        }
      : detrend(lc, options.detrend);
  const n0 = data.time.length;
  const baseline = data.time[n0 - 1] - data.time[0];
  const minPeriod = options.minPeriod ?? Math.max(0.5, 2 * Math.max(...durations));
  const maxPeriod = options.maxPeriod ?? baseline / Math.max(1, (options.minTransits ?? 3) - 1);
  const periods = periodGrid({
    baseline,
    minDuration: Math.min(...durations),
    minPeriod,
    maxPeriod,
    frequencyFactor: options.frequencyFactor,
  });
  const blsOptions = (p: Float64Array): BlsOptions => ({
    periods: p,
    durations,
    oversample: options.oversample,
  });
  const run = async (input: ReturnType<typeof prepareBls>, p: Float64Array) =>
    options.pool
      ? options.pool.periodogramPrepared(input, blsOptions(p))
      : blsPeriodogramPrepared(input, blsOptions(p));

  const keep = new Uint8Array(n0).fill(1);
  const candidates: TransitCandidate[] = [];
  const iterations: SearchIteration[] = [];
  let stoppedBecause = `found ${maxCandidates} candidates (the most asked for)`;
  for (let iteration = 1; iteration <= maxCandidates; iteration++) {
    const sub = select(data, keep);
    if (sub.time.length < 50) {
      stoppedBecause = `fewer than 50 points left after masking`;
      break;
    }
    const input = prepareBls(sub.time, sub.flux, sub.fluxErr, options.pool !== undefined);
    const pg = await run(input, periods);
    const peak = argMax(pg.power);
    const sde = signalDetectionEfficiency(pg.power, peak);
    const sdeRobust = robustSignalDetectionEfficiency(pg.power, peak);
    const refined = await refine(pg, peak, input, run);
    const candidate = describe(sub, refined, iteration, sde, sdeRobust);
    const accepted = sdeRobust >= minSde && candidate.snr >= minSnr;
    iterations.push({
      iteration,
      points: sub.time.length,
      sde: round(sde, 2),
      sdeRobust: round(sdeRobust, 2),
      bestPeriod: candidate.period,
      accepted,
      periodogram: downsamplePeriodogram(pg, options.chartPoints ?? 2000),
    });
    options.onProgress?.(
      iteration / maxCandidates,
      `round ${iteration}: ${candidate.period.toFixed(4)} d, robust SDE ${sdeRobust.toFixed(1)}`,
    );
    if (!accepted) {
      stoppedBecause =
        `round ${iteration}: the best peak (${candidate.period.toFixed(4)} d) has robust SDE ` +
        `${sdeRobust.toFixed(1)} and SNR ${candidate.snr.toFixed(1)}; the thresholds are ` +
        `${minSde} and ${minSnr}`;
      break;
    }
    const related = relate(candidate, candidates);
    if (related) candidate.relatedTo = related;
    candidates.push(candidate);
    // Mask this signal's transits for the next round.
    const half = (maskDurations * candidate.durationHours) / 24;
    for (let i = 0; i < n0; i++) {
      if (!keep[i]) continue;
      const x = (data.time[i] - candidate.epoch) / candidate.period;
      if (Math.abs(x - Math.round(x)) * candidate.period < half) keep[i] = 0;
    }
  }
  options.onProgress?.(1, 'done');
  return {
    candidates,
    iterations,
    stoppedBecause,
    points: n0,
    baselineDays: round(baseline, 4),
    periodsSearched: periods.length,
    minPeriod: round(periods[0], 4),
    maxPeriod: round(periods[periods.length - 1], 4),
    durationsHours,
    noisePpm: round(robustSigma(data.flux) * 1e6, 1),
  };
}

interface Series {
  time: Float64Array;
  flux: Float64Array;
  fluxErr: Float64Array;
}

function select(data: Series, keep: Uint8Array): Series {
  let n = 0;
  for (let i = 0; i < keep.length; i++) n += keep[i];
  const out = {
    time: new Float64Array(n),
    flux: new Float64Array(n),
    fluxErr: new Float64Array(n),
  };
  for (let i = 0, j = 0; i < keep.length; i++) {
    if (!keep[i]) continue;
    out.time[j] = data.time[i];
    out.flux[j] = data.flux[i];
    out.fluxErr[j] = data.fluxErr[i];
    j++;
  }
  return out;
}

interface Peak {
  period: number;
  epoch: number;
  duration: number;
  power: number;
}

/** The peak on a grid 50× finer between the neighbours of the coarse peak. */
async function refine(
  pg: BlsPeriodogram,
  peak: number,
  input: ReturnType<typeof prepareBls>,
  run: (input: ReturnType<typeof prepareBls>, p: Float64Array) => Promise<BlsPeriodogram>,
): Promise<Peak> {
  const n = pg.period.length;
  const lo = pg.period[Math.max(0, peak - 1)];
  const hi = pg.period[Math.min(n - 1, peak + 1)];
  let best: Peak = {
    period: pg.period[peak],
    epoch: pg.transitTime[peak],
    duration: pg.duration[peak],
    power: pg.power[peak],
  };
  if (hi <= lo) return best;
  const count = 101;
  const fine = new Float64Array(count);
  for (let i = 0; i < count; i++) fine[i] = 1 / (1 / hi + ((1 / lo - 1 / hi) * i) / (count - 1));
  const fg = await run(input, fine);
  const k = argMax(fg.power);
  if (fg.power[k] > best.power) {
    best = {
      period: fine[k],
      epoch: fg.transitTime[k],
      duration: fg.duration[k],
      power: fg.power[k],
    };
  }
  return best;
}

/** A candidate's figures measured on the points themselves with the peak's box. */
function describe(
  data: Series,
  peak: Peak,
  rank: number,
  sde: number,
  sdeRobust: number,
): TransitCandidate {
  const { period, duration } = peak;
  const n = data.time.length;
  // Epoch: the first mid-transit at or after the first point.
  const t0 = data.time[0];
  const epoch = peak.epoch - Math.floor((peak.epoch - t0) / period) * period;
  let sumIn = 0;
  let wIn = 0;
  let sumOut = 0;
  let wOut = 0;
  const odd = { s: 0, w: 0 };
  const even = { s: 0, w: 0 };
  const outValues: number[] = [];
  const transitsSeen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const x = (data.time[i] - epoch) / period;
    const cycle = Math.round(x);
    const w = 1 / (data.fluxErr[i] * data.fluxErr[i]);
    if (Math.abs(x - cycle) * period < duration / 2) {
      sumIn += w * data.flux[i];
      wIn += w;
      transitsSeen.add(cycle);
      const side = cycle % 2 === 0 ? even : odd;
      side.s += w * data.flux[i];
      side.w += w;
    } else {
      sumOut += w * data.flux[i];
      wOut += w;
      outValues.push(data.flux[i]);
    }
  }
  const out = wOut > 0 ? sumOut / wOut : 1;
  const depth = wIn > 0 ? 1 - sumIn / wIn / out : 0;
  const pointsInTransit = n - outValues.length;
  const sigma = robustSigma(outValues);
  const snr = pointsInTransit > 0 && sigma > 0 ? (depth * Math.sqrt(pointsInTransit)) / sigma : 0;
  const depthErr = Math.sqrt(1 / Math.max(wIn, 1e-300) + 1 / Math.max(wOut, 1e-300));
  let oddEvenRatio: number | null = null;
  if (odd.w > 0 && even.w > 0) {
    const dOdd = 1 - odd.s / odd.w / out;
    const dEven = 1 - even.s / even.w / out;
    if (dEven !== 0) oddEvenRatio = round(dOdd / dEven, 3);
  }
  return {
    rank,
    period: round(period, 7),
    epoch: round(epoch, 5),
    depth: round(depth, 7),
    depthPpm: round(depth * 1e6, 1),
    depthErrPpm: round(depthErr * 1e6, 1),
    durationHours: round(duration * 24, 3),
    snr: round(snr, 2),
    sde: round(sde, 2),
    sdeRobust: round(sdeRobust, 2),
    power: round(peak.power, 4),
    transits: transitsSeen.size,
    pointsInTransit,
    oddEvenRatio,
  };
}

/**
 * Signal detection efficiency of the peak at `peak`: (power_peak − mean) / standard deviation
 * of the periodogram (the classic definition, on the likelihood periodogram).
 */
export function signalDetectionEfficiency(power: Float64Array, peak: number): number {
  const { mean, std } = meanStd(power);
  return std > 0 ? (power[peak] - mean) / std : 0;
}

/**
 * The robust SDE: (power_peak − median) / (1.4826 · median absolute deviation). A strong
 * transit lifts the whole periodogram (boxes catching one of its transits at many periods),
 * which inflates the standard deviation and caps the classic SDE near 7–15 on short light
 * curves; median and MAD ignore that floor.
 */
export function robustSignalDetectionEfficiency(power: Float64Array, peak: number): number {
  const spread = robustSigma(power);
  return spread > 0 ? (power[peak] - median(power)) / spread : 0;
}

/** An earlier candidate this one is an alias or the secondary eclipse of. */
function relate(
  c: TransitCandidate,
  earlier: TransitCandidate[],
): TransitCandidate['relatedTo'] | undefined {
  for (const e of earlier) {
    for (const ratio of [1 / 3, 1 / 2, 1, 2, 3]) {
      if (Math.abs(c.period / e.period - ratio) > 0.002 * ratio) continue;
      if (ratio === 1) {
        const x = (c.epoch - e.epoch) / e.period;
        const phase = x - Math.floor(x);
        if (Math.abs(phase - 0.5) < 0.05) return { rank: e.rank, relation: 'secondary-eclipse' };
      }
      return { rank: e.rank, relation: 'alias' };
    }
  }
  return undefined;
}

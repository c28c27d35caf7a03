import { readFile } from 'node:fs/promises';
import {
  binFold,
  BlsPool,
  detrend,
  foldLightCurve,
  koiForStar,
  matchCandidate,
  parseKoiCatalogue,
  searchTransits,
  type BinnedFold,
  type KnownPlanetMatch,
  type KoiEntry,
  type PeriodogramChart,
  type TransitCandidate,
} from '@sextant/analytics';
import type { FieldError } from '@sextant/domain';
import {
  defineJobType,
  JobType,
  JsonValue,
  params,
  ParamsOf,
  SeriesRef,
  TaskContext,
} from '@sextant/jobs';
import { lightCurveSeries, nsToLightCurveTimes } from '@sextant/imports';

// transit-search: the light curve of a star (imported by importLightCurve) is read, detrended
// and searched with BLS periodograms on the worker's thread pool; each signal found is masked
// and the search repeated. The merge step turns the candidates into items of kind candidate on
// the star's node, matched with the KOI catalogue when the worker has one, each with its
// periodogram and its light curve folded on its period (thinned for charts).

const schema = params({
  starId: {
    type: 'node',
    title: 'Star',
    description: 'A star node with a light curve (POST /api/lightcurves imports one).',
    kinds: ['star'],
    required: true,
  },
  minPeriod: {
    type: 'number',
    title: 'Shortest period (days)',
    default: 0.5,
    minimum: 0.2,
    maximum: 100,
  },
  maxPeriod: {
    type: 'number',
    title: 'Longest period (days)',
    description: 'Default: half the light curve (at least three transits).',
    minimum: 0.3,
    maximum: 1000,
  },
  durationsHours: {
    type: 'string',
    title: 'Durations (hours)',
    description: 'Trial transit durations, separated by commas.',
    default: '1,1.5,2,3,4,5,6',
    pattern: '^\\s*\\d+(\\.\\d+)?(\\s*,\\s*\\d+(\\.\\d+)?)*\\s*$',
    maxLength: 200,
  },
  maxPlanets: {
    type: 'integer',
    title: 'Most candidates',
    description: 'Rounds of search, each after masking the transits found.',
    default: 3,
    minimum: 1,
    maximum: 6,
  },
  detrendWindowDays: {
    type: 'number',
    title: 'Detrending window (days)',
    description: 'Width of the running median the flux is divided by (> 3× the longest transit).',
    default: 0.75,
    minimum: 0.1,
    maximum: 10,
  },
  from: { type: 'datetime', title: 'From', description: 'Default: the first point.' },
  to: { type: 'datetime', title: 'To', description: 'Default: submission time.' },
});

type Params = ParamsOf<typeof schema>;

export interface TransitSearchJobOptions {
  /** Path of the KOI cumulative table (CSV); without, candidates are not matched. */
  koiCatalogue?: string | null;
}

/** What the search step hands to the merge step (plain JSON). */
interface SearchResult {
  [key: string]: JsonValue;
  target: string;
  catalog: string;
  timeReference: string;
  points: number;
  baselineDays: number;
  noisePpm: number;
  periodsSearched: number;
  stoppedBecause: string;
  candidates: (TransitCandidate & { [key: string]: JsonValue })[];
  /** One per candidate, by rank. */
  periodograms: (PeriodogramChart & { [key: string]: JsonValue })[];
  folds: (BinnedFold & { [key: string]: JsonValue })[];
}

const chartPoints = 1000;
const foldBins = 200;
const earliest = '1990-01-01T00:00:00.000Z';

let blsPool: BlsPool | null = null;
/** One pool of BLS threads per worker process, started on first use (idle, it holds nothing). */
function sharedBlsPool(): BlsPool {
  blsPool ??= new BlsPool();
  return blsPool;
}

const catalogues = new Map<string, Promise<KoiEntry[]>>();
function koiCatalogue(file: string): Promise<KoiEntry[]> {
  let loaded = catalogues.get(file);
  if (!loaded) {
    loaded = readFile(file, 'utf8').then(parseKoiCatalogue);
    loaded.catch(() => catalogues.delete(file));
    catalogues.set(file, loaded);
  }
  return loaded;
}

/** Parses the durations parameter (hours). */
export function parseDurations(text: string): number[] {
  return text
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((h) => h > 0);
}

/** The transit-search job type, matching candidates with the KOI table at `koiCatalogue`. */
export function createTransitSearchJob(options: TransitSearchJobOptions = {}): JobType {
  return defineJobType({
    name: 'transit-search',
    title: 'Transit search',
    description:
      "Searches a star's light curve for planetary transits: detrending, BLS periodograms on a thread pool, masking and re-search; candidates become items on the star, compared with the KOI catalogue.",
    params: schema,
    prepare(p, now) {
      return { ...p, from: p.from ?? earliest, to: p.to ?? now.toISOString() };
    },
    check(p) {
      const errors: FieldError[] = [];
      const durations = parseDurations(p.durationsHours);
      if (durations.length === 0 || durations.some((h) => h > 24)) {
        errors.push({ field: 'params.durationsHours', reason: 'needs durations of 0-24 hours' });
      }
      if (p.maxPeriod !== undefined && p.maxPeriod <= p.minPeriod) {
        errors.push({ field: 'params.maxPeriod', reason: 'must be longer than minPeriod' });
      }
      if (p.from && p.to && Date.parse(p.from) >= Date.parse(p.to)) {
        errors.push({ field: 'params.to', reason: 'must be after from' });
      }
      return errors;
    },
    options: { timeoutSeconds: 900, maxAttempts: 2, backoffSeconds: 5 },
    steps: [
      {
        name: 'search',
        async run(ctx: TaskContext<Params>) {
          return search(ctx);
        },
      },
      {
        name: 'merge',
        dependsOn: ['search'],
        async run(ctx: TaskContext<Params>) {
          const [found] = await ctx.results<SearchResult>('search');
          const koi = await knownSignals(ctx, found, options.koiCatalogue ?? null);
          const candidates = found.candidates.map((c, i) => {
            const match = koi ? (matchCandidate(c, koi)[0] ?? null) : null;
            const item = ctx.produce({
              kind: 'candidate',
              name: `${found.catalog} ${found.target} candidate ${c.rank} (P ${c.period.toFixed(4)} d)`,
              ownerId: ctx.params.starId,
              metadata: {
                type: 'transit-candidate',
                starId: ctx.params.starId,
                timeReference: found.timeReference,
                ...c,
                koi: match ? koiSummary(match) : null,
                knownPlanet: match?.knownPlanet ?? false,
                periodogram: found.periodograms[i],
                folded: found.folds[i],
              },
            });
            return {
              reference: item,
              rank: c.rank,
              period: c.period,
              epoch: c.epoch,
              depthPpm: c.depthPpm,
              durationHours: c.durationHours,
              snr: c.snr,
              sde: c.sde,
              koi: match?.kepoiName ?? null,
              knownPlanet: match?.knownPlanet ?? false,
            };
          });
          ctx.log.info(
            `${candidates.length} candidates: ${candidates.map((c) => `${c.period} d${c.koi ? ` (${c.koi})` : ''}`).join(', ') || 'none'}`,
          );
          return {
            starId: ctx.params.starId,
            target: `${found.catalog} ${found.target}`,
            points: found.points,
            baselineDays: found.baselineDays,
            noisePpm: found.noisePpm,
            periodsSearched: found.periodsSearched,
            stoppedBecause: found.stoppedBecause,
            catalogue: koi ? 'KOI cumulative' : null,
            candidates,
          };
        },
      },
    ],
  });
}

async function readLightCurveSeries(ctx: TaskContext<Params>) {
  const series = await ctx.series.find(ctx.params.starId, {
    descendants: false,
    measurement: lightCurveSeries.measurement,
  });
  const flux = series.find((s) => s.field === lightCurveSeries.flux);
  if (!flux) {
    throw new Error(
      `the star ${ctx.params.starId} has no ${lightCurveSeries.measurement} ${lightCurveSeries.flux} series: import a light curve first`,
    );
  }
  const fluxErr = series.find(
    (s) => s.field === lightCurveSeries.fluxErr && sameTags(s.tags, flux.tags),
  );
  const from = new Date(ctx.params.from!);
  const to = new Date(ctx.params.to!);
  const points = await ctx.series.read(flux, from, to);
  const errors = fluxErr ? await ctx.series.read(fluxErr, from, to) : null;
  const bjdReference = Number(flux.tags.bjdref);
  if (!Number.isFinite(bjdReference)) throw new Error(`series ${flux.key} has no bjdref tag`);
  const time = nsToLightCurveTimes(points.times, bjdReference);
  const values = Float64Array.from(points.values as number[]);
  // The error series has the same timestamps when both came from one file.
  const sameTimes =
    errors &&
    errors.times.length === points.times.length &&
    errors.times.every((t, i) => t === points.times[i]);
  return {
    flux,
    lc: {
      time,
      flux: values,
      fluxErr: sameTimes ? Float64Array.from(errors.values as number[]) : undefined,
    },
  };
}

function sameTags(a: SeriesRef['tags'], b: SeriesRef['tags']): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

async function search(ctx: TaskContext<Params>): Promise<SearchResult> {
  const p = ctx.params;
  ctx.progress(1, 'reading');
  const { flux, lc } = await readLightCurveSeries(ctx);
  ctx.log.info(`read ${lc.time.length} points of ${flux.key}`);
  if (lc.time.length < 100) {
    throw new Error(`${lc.time.length} points in the window: a search needs at least 100`);
  }
  ctx.progress(5, 'detrending');
  const detrended = detrend(lc, { windowDays: p.detrendWindowDays });
  ctx.throwIfAborted();
  ctx.progress(10, 'periodograms');
  const result = await searchTransits(detrended, {
    detrend: false,
    durationsHours: parseDurations(p.durationsHours),
    minPeriod: p.minPeriod,
    maxPeriod: p.maxPeriod,
    maxCandidates: p.maxPlanets,
    chartPoints,
    pool: sharedBlsPool(),
    onProgress: (fraction, message) => {
      ctx.throwIfAborted();
      ctx.progress(10 + 85 * fraction, message);
    },
  });
  const folds = result.candidates.map((c) => {
    // ±2.5 durations around mid-transit: the transit and its shoulders.
    const windowDays = Math.min(c.period, (5 * c.durationHours) / 24);
    return binFold(foldLightCurve(detrended, c.period, c.epoch), foldBins, windowDays);
  });
  ctx.log.info(`${result.stoppedBecause}; ${result.periodsSearched} periods per round`);
  return {
    target: flux.tags.target ?? 'unknown',
    catalog: flux.tags.catalog ?? 'unknown',
    timeReference: flux.tags.bjdref ? `BJD-${flux.tags.bjdref}` : 'unknown',
    points: result.points,
    baselineDays: result.baselineDays,
    noisePpm: result.noisePpm,
    periodsSearched: result.periodsSearched,
    stoppedBecause: result.stoppedBecause,
    candidates: result.candidates as SearchResult['candidates'],
    periodograms: result.candidates.map(
      (c) => result.iterations[c.rank - 1].periodogram,
    ) as SearchResult['periodograms'],
    folds: folds as SearchResult['folds'],
  };
}

/** The KOI entries of the star (Kepler targets only), or null without a catalogue. */
async function knownSignals(
  ctx: TaskContext<Params>,
  found: SearchResult,
  file: string | null,
): Promise<KoiEntry[] | null> {
  if (!file) return null;
  if (found.catalog !== 'KIC') {
    ctx.log.info(`${found.catalog} ${found.target} is not a Kepler target: no KOI match`);
    return null;
  }
  try {
    return koiForStar(await koiCatalogue(file), Number(found.target));
  } catch (error) {
    ctx.log.warn(`KOI catalogue ${file} unreadable: ${(error as Error).message}`);
    return null;
  }
}

function koiSummary(match: KnownPlanetMatch): { [key: string]: JsonValue } {
  return {
    kepoiName: match.kepoiName,
    keplerName: match.keplerName,
    disposition: match.disposition,
    catalogPeriod: match.catalogPeriod,
    harmonic: match.harmonic,
    periodError: match.periodError,
    epochOffsetHours: Math.round(match.epochOffsetHours * 1000) / 1000,
  };
}

export const transitSearchJob = createTransitSearchJob();

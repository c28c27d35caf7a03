// The Kepler Objects of Interest catalogue (NASA Exoplanet Archive, cumulative table) and the
// matching of transit candidates with its planets.
import { columnIndex, numberCell, parseCsv } from '../common/csv';
import { check } from '../common/errors';

/** One KOI: a transit signal of a Kepler target, with the archive's disposition. */
export interface KoiEntry {
  kepid: number;
  /** e.g. `K00002.01`. */
  kepoiName: string;
  /** e.g. `Kepler-2 b`, empty when not confirmed. */
  keplerName: string;
  /** `CONFIRMED`, `CANDIDATE` or `FALSE POSITIVE`. */
  disposition: string;
  /** Days. */
  period: number;
  /** Mid-transit time, BKJD (BJD − 2454833). */
  epoch: number;
  depthPpm: number;
  durationHours: number;
}

/**
 * Parses the cumulative KOI table (CSV with `#` comment lines). Rows without a period or
 * epoch are skipped; other errors name the line and column.
 */
export function parseKoiCatalogue(text: string): KoiEntry[] {
  const field = 'catalogue';
  const table = parseCsv(text, { comment: '#', field });
  const col = (name: string) => columnIndex(table, name, field);
  const c = {
    kepid: col('kepid'),
    name: col('kepoi_name'),
    kepler: col('kepler_name'),
    disposition: col('koi_disposition'),
    period: col('koi_period'),
    epoch: col('koi_time0bk'),
    depth: col('koi_depth'),
    duration: col('koi_duration'),
  };
  const out: KoiEntry[] = [];
  for (let r = 0; r < table.rows.length; r++) {
    const row = table.rows[r];
    const period = numberCell(table, r, c.period, field);
    const epoch = numberCell(table, r, c.epoch, field);
    if (!Number.isFinite(period) || !Number.isFinite(epoch)) continue;
    out.push({
      kepid: numberCell(table, r, c.kepid, field),
      kepoiName: row[c.name].trim(),
      keplerName: row[c.kepler].trim(),
      disposition: row[c.disposition].trim(),
      period,
      epoch,
      depthPpm: numberCell(table, r, c.depth, field),
      durationHours: numberCell(table, r, c.duration, field),
    });
  }
  return out;
}

/** What a candidate needs for matching: period and epoch on the catalogue's time scale. */
export interface MatchableCandidate {
  period: number;
  epoch: number;
  durationHours?: number;
}

/** A catalogued planet a candidate agrees with. */
export interface KnownPlanetMatch {
  kepoiName: string;
  keplerName: string;
  disposition: string;
  catalogPeriod: number;
  /** Candidate period / catalogue period: 1, 0.5 (half) or 2 (double). */
  harmonic: number;
  /** |candidate period − harmonic × catalogue period| / (harmonic × catalogue period). */
  periodError: number;
  /** Hours between the candidate's transit and the nearest catalogued one. */
  epochOffsetHours: number;
  /** A known planet: the match is at the catalogue's period and the planet is confirmed. */
  knownPlanet: boolean;
}

export interface MatchOptions {
  /** Relative period tolerance (default 0.002 = 0.2 %). */
  periodTolerance?: number;
  /** Epoch tolerance in hours (default: the candidate's duration, at least 1 h). */
  epochToleranceHours?: number;
  /** Harmonics tried, candidate/catalogue period ratios (default 1, 1/2, 2). */
  harmonics?: number[];
}

/**
 * The catalogued signals of `entries` (usually those of the candidate's star) that a candidate
 * matches by period — at the catalogue's period or a harmonic — and by epoch, best first.
 * Catalogued epochs are carried forward or back by whole periods to the candidate's.
 */
export function matchCandidate(
  candidate: MatchableCandidate,
  entries: readonly KoiEntry[],
  options: MatchOptions = {},
): KnownPlanetMatch[] {
  const tolerance = options.periodTolerance ?? 0.002;
  const harmonics = options.harmonics ?? [1, 0.5, 2];
  const epochTolerance = options.epochToleranceHours ?? Math.max(1, candidate.durationHours ?? 1);
  check(candidate.period > 0, 'period', 'must be positive');
  const out: KnownPlanetMatch[] = [];
  for (const entry of entries) {
    for (const harmonic of harmonics) {
      const expected = harmonic * entry.period;
      const periodError = Math.abs(candidate.period - expected) / expected;
      if (periodError > tolerance) continue;
      // Transits of both coincide when the epochs differ by a multiple of the shorter period
      // (taken from the catalogue, the more precise).
      const modulus = Math.min(1, harmonic) * entry.period;
      const x = (candidate.epoch - entry.epoch) / modulus;
      const offsetDays = Math.abs(x - Math.round(x)) * modulus;
      const epochOffsetHours = offsetDays * 24;
      if (epochOffsetHours > epochTolerance) continue;
      out.push({
        kepoiName: entry.kepoiName,
        keplerName: entry.keplerName,
        disposition: entry.disposition,
        catalogPeriod: entry.period,
        harmonic,
        periodError,
        epochOffsetHours,
        knownPlanet: harmonic === 1 && entry.disposition === 'CONFIRMED',
      });
    }
  }
  return out.sort(
    (a, b) =>
      Number(b.knownPlanet) - Number(a.knownPlanet) ||
      a.periodError - b.periodError ||
      a.epochOffsetHours - b.epochOffsetHours,
  );
}

/** The catalogue's entries for one Kepler target. */
export function koiForStar(entries: readonly KoiEntry[], kepid: number): KoiEntry[] {
  return entries.filter((e) => e.kepid === kepid);
}

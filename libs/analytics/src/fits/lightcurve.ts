// Kepler and TESS light curves from their FITS files (MAST's *_slc.fits, *_llc.fits,
// *_lc.fits): time, PDCSAP flux, its error and the quality flags, with the star's metadata.
import { AnalyticsInputError } from '../common/errors';
import { findBinTable, readFits, type FitsHeader } from './fits';

/** Where a light curve comes from and how its time is counted. */
export interface LightCurveMeta {
  /** OBJECT card, e.g. `KIC 10666592`, `TIC 25155310`. */
  object: string;
  /** `KIC` (Kepler) or `TIC` (TESS) and the id in that catalogue. */
  catalog: 'KIC' | 'TIC' | 'unknown';
  targetId: number | null;
  mission: 'Kepler' | 'K2' | 'TESS' | 'unknown';
  /**
   * `BKJD` (BJD − 2454833, Kepler) or `BTJD` (BJD − 2457000, TESS), else `BJD-<reference>`;
   * `time` is in days on this scale.
   */
  timeReference: string;
  /** The Barycentric Julian Date of time 0 (BJDREFI + BJDREFF). */
  bjdReference: number;
  /** Sampling interval (TIMEDEL) in seconds. */
  cadenceSeconds: number;
  /** `short` (Kepler 1-min), `long` (Kepler 30-min) or the TESS cadence, e.g. `2-min`. */
  cadence: string;
  /** Kepler quarter or TESS sector, when the header says. */
  quarter: number | null;
  sector: number | null;
  ra: number | null;
  dec: number | null;
  fluxUnit: string;
  /** Rows in the file, rows kept, and why the others were dropped. */
  rows: number;
  kept: number;
  droppedQuality: number;
  droppedNonFinite: number;
}

/** A light curve on typed arrays: one entry per kept cadence, time ascending. */
export interface LightCurve {
  /** Days on the scale of `meta.timeReference`. */
  time: Float64Array;
  flux: Float64Array;
  fluxErr: Float64Array;
  /** SAP_QUALITY (Kepler) or QUALITY (TESS) bit flags; all 0 for the default selection. */
  quality: Int32Array;
  meta: LightCurveMeta;
}

export interface ReadLightCurveOptions {
  /** Flux column (default `PDCSAP_FLUX`; its error is `<column>_ERR`). */
  fluxColumn?: string;
  /**
   * `good` (default): only rows with quality 0 and finite time and flux; `finite`: rows with
   * finite time and flux whatever their quality; `all`: every row.
   */
  keep?: 'good' | 'finite' | 'all';
  /** Name of the input in errors (default `file`). */
  field?: string;
}

/**
 * Reads a Kepler or TESS light curve from the bytes of its FITS file. Errors name what is
 * wrong: not FITS, truncated, no LIGHTCURVE table, a missing column.
 */
export function readLightCurve(bytes: Uint8Array, options: ReadLightCurveOptions = {}): LightCurve {
  const field = options.field ?? 'file';
  const fluxColumn = options.fluxColumn ?? 'PDCSAP_FLUX';
  const file = readFits(bytes, field);
  const primary = file.hdus[0].header;
  const hasLightCurve = file.hdus.some((h) => h.name === 'LIGHTCURVE');
  const table = findBinTable(file, hasLightCurve ? 'LIGHTCURVE' : undefined, field);
  const qualityColumn = table.hasColumn('SAP_QUALITY')
    ? 'SAP_QUALITY'
    : table.hasColumn('QUALITY')
      ? 'QUALITY'
      : null;
  if (!qualityColumn) {
    throw new AnalyticsInputError(
      field,
      `missing column SAP_QUALITY (Kepler) or QUALITY (TESS) in HDU ${table.hdu.index} ` +
        `(${table.hdu.name})`,
      { hdu: table.hdu.index },
    );
  }
  const time = table.numbers('TIME');
  const flux = table.numbers(fluxColumn);
  const fluxErr = table.numbers(`${fluxColumn}_ERR`);
  const quality = table.numbers(qualityColumn);
  const keep = options.keep ?? 'good';

  let kept = 0;
  let droppedQuality = 0;
  let droppedNonFinite = 0;
  const mask = new Uint8Array(table.rows);
  for (let i = 0; i < table.rows; i++) {
    const finite = Number.isFinite(time[i]) && Number.isFinite(flux[i]);
    const good = quality[i] === 0;
    if (keep === 'all' || (finite && (good || keep === 'finite'))) {
      mask[i] = 1;
      kept++;
    } else if (!finite) droppedNonFinite++;
    else droppedQuality++;
  }
  const out = {
    time: new Float64Array(kept),
    flux: new Float64Array(kept),
    fluxErr: new Float64Array(kept),
    quality: new Int32Array(kept),
  };
  for (let i = 0, j = 0; i < table.rows; i++) {
    if (!mask[i]) continue;
    out.time[j] = time[i];
    out.flux[j] = flux[i];
    out.fluxErr[j] = fluxErr[i];
    out.quality[j] = quality[i];
    j++;
  }
  // Rows of unknown time cannot be ordered; the others are (MAST files are already).
  if (keep !== 'all') sortByTime(out);

  const ext = table.hdu.header;
  const pick = (key: string) => ext.get(key) ?? primary.get(key);
  const bjdReference = (numberOf(pick('BJDREFI')) ?? 0) + (numberOf(pick('BJDREFF')) ?? 0) || NaN;
  const mission = missionOf(primary, ext);
  const cadenceSeconds = (numberOf(pick('TIMEDEL')) ?? NaN) * 86400;
  const object = stringOf(pick('OBJECT')) ?? '';
  const keplerId = numberOf(pick('KEPLERID'));
  const ticId = numberOf(pick('TICID'));
  return {
    ...out,
    meta: {
      object,
      catalog: keplerId !== undefined ? 'KIC' : ticId !== undefined ? 'TIC' : 'unknown',
      targetId: keplerId ?? ticId ?? null,
      mission,
      timeReference:
        bjdReference === 2454833
          ? 'BKJD'
          : bjdReference === 2457000
            ? 'BTJD'
            : `BJD-${Number.isNaN(bjdReference) ? '?' : bjdReference}`,
      bjdReference,
      cadenceSeconds,
      cadence: cadenceOf(mission, stringOf(pick('OBSMODE')), cadenceSeconds),
      quarter: numberOf(pick('QUARTER')) ?? null,
      sector: numberOf(pick('SECTOR')) ?? null,
      ra: numberOf(pick('RA_OBJ')) ?? null,
      dec: numberOf(pick('DEC_OBJ')) ?? null,
      fluxUnit: table.column(fluxColumn).unit ?? '',
      rows: table.rows,
      kept,
      droppedQuality,
      droppedNonFinite,
    },
  };
}

const numberOf = (v: unknown) => (typeof v === 'number' ? v : undefined);
const stringOf = (v: unknown) => (typeof v === 'string' ? v : undefined);

function missionOf(primary: FitsHeader, ext: FitsHeader): LightCurveMeta['mission'] {
  const name = (primary.string('MISSION') ?? primary.string('TELESCOP') ?? ext.string('TELESCOP'))
    ?.trim()
    .toUpperCase();
  if (name === 'KEPLER') return 'Kepler';
  if (name === 'K2') return 'K2';
  if (name === 'TESS') return 'TESS';
  return 'unknown';
}

function cadenceOf(mission: string, obsmode: string | undefined, seconds: number): string {
  if (obsmode === 'short cadence') return 'short';
  if (obsmode === 'long cadence') return 'long';
  if (!Number.isFinite(seconds)) return 'unknown';
  if (mission === 'Kepler' || mission === 'K2') return seconds < 300 ? 'short' : 'long';
  return seconds < 60 ? `${Math.round(seconds)}-s` : `${Math.round(seconds / 60)}-min`;
}

function sortByTime(lc: {
  time: Float64Array;
  flux: Float64Array;
  fluxErr: Float64Array;
  quality: Int32Array;
}) {
  let sorted = true;
  for (let i = 1; i < lc.time.length && sorted; i++) sorted = lc.time[i - 1] <= lc.time[i];
  if (sorted) return;
  const order = Array.from(lc.time.keys()).sort((a, b) => lc.time[a] - lc.time[b]);
  const time = lc.time.slice();
  const flux = lc.flux.slice();
  const fluxErr = lc.fluxErr.slice();
  const quality = lc.quality.slice();
  order.forEach((from, to) => {
    lc.time[to] = time[from];
    lc.flux[to] = flux[from];
    lc.fluxErr[to] = fluxErr[from];
    lc.quality[to] = quality[from];
  });
}

/**
 * Converts light-curve times (days since the BJD reference) to Unix epoch milliseconds.
 * BJD is barycentric TDB; the ~69 s TDB−UTC offset is not removed (a job storing series only
 * needs a consistent clock).
 */
export function lightCurveTimeToEpochMs(
  time: number,
  meta: Pick<LightCurveMeta, 'bjdReference'>,
): number {
  return (time + meta.bjdReference - 2440587.5) * 86_400_000;
}

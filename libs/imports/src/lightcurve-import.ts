import {
  lightCurveTimeToEpochMs,
  readLightCurve,
  type LightCurve,
  type LightCurveMeta,
} from '@sextant/analytics';
import { DomainError } from '@sextant/domain';
import type { Pool } from 'pg';
import {
  ensureNodes,
  ensureResources,
  requireNode,
  writeAccounted,
  type ImportedSeries,
  type ResourceDefinition,
} from './import-writer';

// Light-curve import: a Kepler or TESS FITS file becomes a star node (kind star, under a given
// node) with two series, PDCSAP flux and its error, timestamps from BJD; the points written are
// accounted as movements from the star to the node it was imported under, in the write's
// transaction. Importing the same file again writes no new point and accounts none.

/** Where light curves live in the store. */
export const lightCurveSeries = {
  measurement: 'lightcurve',
  flux: 'pdcsap_flux',
  fluxErr: 'pdcsap_flux_err',
} as const;

export const lightCurveResources = {
  flux: 'lightcurve.pdcsap_flux',
  fluxErr: 'lightcurve.pdcsap_flux_err',
} as const;

const lightCurveResourceDefinitions: ResourceDefinition[] = [
  {
    reference: lightCurveResources.flux,
    name: 'Light curve flux (PDCSAP)',
    unit: 'e-/s',
    description: 'Pre-search data conditioned simple aperture photometry of a star (Kepler, TESS)',
  },
  {
    reference: lightCurveResources.fluxErr,
    name: 'Light curve flux error (PDCSAP)',
    unit: 'e-/s',
    description: 'The 1σ error of the PDCSAP flux',
  },
];

export interface LightCurveImport {
  /** The bytes of the FITS file. */
  bytes: Uint8Array;
  /** The node the star goes under (an observatory, a telescope, a site). */
  parentId: string;
  /** The star's name (default: the file's OBJECT, e.g. `KIC 10666592`). */
  name?: string;
}

export type LightCurveSeriesImport = Pick<ImportedSeries, 'id' | 'field' | 'points' | 'newPoints'>;

export interface LightCurveImportResult {
  starId: string;
  starName: string;
  /** Whether the star node was created by this import. */
  createdStar: boolean;
  series: LightCurveSeriesImport[];
  meta: LightCurveMeta;
}

const nsPerMs = 1_000_000n;

/** Unix time of the BJD reference in nanoseconds (a whole or half day: exact in milliseconds). */
function referenceNs(bjdReference: number): bigint {
  return BigInt(Math.round(lightCurveTimeToEpochMs(0, { bjdReference }))) * nsPerMs;
}

/**
 * Nanosecond timestamps of light-curve times (days since the file's BJD reference), counted
 * from the reference so that the days keep their precision (BJD itself has ~40 µs steps).
 */
export function lightCurveTimesToNs(time: Float64Array, meta: LightCurveMeta): BigInt64Array {
  const ref = referenceNs(meta.bjdReference);
  const out = new BigInt64Array(time.length);
  for (let i = 0; i < time.length; i++) out[i] = ref + BigInt(Math.round(time[i] * 86_400e9));
  return out;
}

/** The reverse: nanosecond timestamps to days since `bjdReference`. */
export function nsToLightCurveTimes(times: readonly bigint[], bjdReference: number): Float64Array {
  const ref = referenceNs(bjdReference);
  const out = new Float64Array(times.length);
  for (let i = 0; i < times.length; i++) out[i] = Number(times[i] - ref) / 86_400e9;
  return out;
}

/** Series tags of a star's light curve: who it is and the time scale of its file. */
export function lightCurveTags(meta: LightCurveMeta): Record<string, string> {
  return {
    catalog: meta.catalog,
    target: meta.targetId === null ? meta.object || 'unknown' : String(meta.targetId),
    mission: meta.mission,
    bjdref: String(meta.bjdReference),
  };
}

/** Reads a FITS light curve and writes it under `parentId` (see the file's comment). */
export async function importLightCurve(
  pool: Pool,
  input: LightCurveImport,
): Promise<LightCurveImportResult> {
  const lc = readLightCurve(input.bytes, { field: 'file' });
  if (lc.time.length === 0) {
    throw DomainError.validation([
      {
        field: 'file',
        reason: `no cadence with quality 0 and a finite flux (${lc.meta.rows} rows)`,
      },
    ]);
  }
  if (!Number.isFinite(lc.meta.bjdReference)) {
    throw DomainError.validation([
      { field: 'file', reason: 'no BJDREFI/BJDREFF cards: the times cannot be dated' },
    ]);
  }
  await requireNode(pool, input.parentId);
  const resources = await ensureResources(pool, lightCurveResourceDefinitions);
  const star = await ensureStar(pool, input, lc);
  const times = lightCurveTimesToNs(lc.time, lc.meta);
  const tags = lightCurveTags(lc.meta);
  const owner = (reference: string) => ({ nodeId: star.id, resourceId: resources.get(reference)! });
  const series = await writeAccounted(
    pool,
    [
      {
        measurement: lightCurveSeries.measurement,
        field: lightCurveSeries.flux,
        tags,
        type: 'float',
        times,
        values: lc.flux,
        owner: owner(lightCurveResources.flux),
      },
      {
        measurement: lightCurveSeries.measurement,
        field: lightCurveSeries.fluxErr,
        tags,
        type: 'float',
        times,
        values: lc.fluxErr,
        owner: owner(lightCurveResources.fluxErr),
      },
    ],
    input.parentId,
    'lightcurve',
  );
  return {
    starId: star.id,
    starName: star.name,
    createdStar: star.created,
    series: series.map(({ id, field, points, newPoints }) => ({ id, field, points, newPoints })),
    meta: lc.meta,
  };
}

/** The star under the parent with the file's catalogue id, created when missing. */
async function ensureStar(
  pool: Pool,
  input: LightCurveImport,
  lc: LightCurve,
): Promise<{ id: string; name: string; created: boolean }> {
  const { meta } = lc;
  const target = lightCurveTags(meta).target;
  const reference = `star:${meta.catalog.toLowerCase()}-${target}:${input.parentId}`;
  const name = input.name?.trim() || meta.object || `${meta.catalog} ${target}`;
  const metadata = {
    catalog: meta.catalog,
    targetId: meta.targetId,
    object: meta.object,
    mission: meta.mission,
    ra: meta.ra,
    dec: meta.dec,
    timeReference: meta.timeReference,
    bjdReference: meta.bjdReference,
  };
  const [star] = await ensureNodes(pool, [
    { kind: 'star', name, reference, parentId: input.parentId, metadata },
  ]);
  return star;
}

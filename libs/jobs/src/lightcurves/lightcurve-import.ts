import {
  lightCurveTimeToEpochMs,
  readLightCurve,
  type LightCurve,
  type LightCurveMeta,
} from '@sextant/analytics';
import { DomainError } from '@sextant/domain';
import { uuidv7 } from '@sextant/ingest';
import { TimeSeriesStore, type AcceptedBatch } from '@sextant/timeseries';
import type { Pool, PoolClient } from 'pg';

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

export interface LightCurveImport {
  /** The bytes of the FITS file. */
  bytes: Uint8Array;
  /** The node the star goes under (an observatory, a telescope, a site). */
  parentId: string;
  /** The star's name (default: the file's OBJECT, e.g. `KIC 10666592`). */
  name?: string;
}

export interface ImportedSeries {
  id: string;
  field: string;
  points: number;
  /** Points at timestamps the series did not hold before (accounted). */
  newPoints: number;
}

export interface LightCurveImportResult {
  starId: string;
  starName: string;
  /** Whether the star node was created by this import. */
  createdStar: boolean;
  series: ImportedSeries[];
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
  const { rows: parents } = await pool.query(`SELECT 1 FROM node WHERE id = $1`, [input.parentId]);
  if (!parents.length) {
    throw DomainError.validation([
      { field: 'parentId', reason: `no node with id ${input.parentId}` },
    ]);
  }
  const resources = await ensureLightCurveResources(pool);
  const star = await ensureStar(pool, input, lc);
  const times = lightCurveTimesToNs(lc.time, lc.meta);
  const tags = lightCurveTags(lc.meta);
  const accepted: AcceptedBatch[] = [];
  await new TimeSeriesStore(pool).writeColumns(
    [
      {
        measurement: lightCurveSeries.measurement,
        field: lightCurveSeries.flux,
        tags,
        type: 'float',
        times,
        values: lc.flux,
        owner: { nodeId: star.id, resourceId: resources.flux },
      },
      {
        measurement: lightCurveSeries.measurement,
        field: lightCurveSeries.fluxErr,
        tags,
        type: 'float',
        times,
        values: lc.fluxErr,
        owner: { nodeId: star.id, resourceId: resources.fluxErr },
      },
    ],
    {},
    {
      countNew: true,
      inTransaction: async (client, batches) => {
        accepted.push(...batches);
        await accountImport(client, batches, star.id, input.parentId);
      },
    },
  );
  return {
    starId: star.id,
    starName: star.name,
    createdStar: star.created,
    series: accepted.map((a) => ({
      id: a.series.id.toString(),
      field: a.series.field,
      points: a.points,
      newPoints: a.newPoints,
    })),
    meta: lc.meta,
  };
}

async function ensureLightCurveResources(pool: Pool): Promise<{ flux: string; fluxErr: string }> {
  await pool.query(
    `INSERT INTO resource (id, reference, name, unit, value_type, description, updated_at)
     VALUES ($1, $3, 'Light curve flux (PDCSAP)', 'e-/s', 'float',
             'Pre-search data conditioned simple aperture photometry of a star (Kepler, TESS)', now()),
            ($2, $4, 'Light curve flux error (PDCSAP)', 'e-/s', 'float',
             'The 1σ error of the PDCSAP flux', now())
     ON CONFLICT (reference) DO NOTHING`,
    [uuidv7(), uuidv7(), lightCurveResources.flux, lightCurveResources.fluxErr],
  );
  const { rows } = await pool.query<{ reference: string; id: string }>(
    `SELECT reference, id FROM resource WHERE reference = ANY($1::text[])`,
    [[lightCurveResources.flux, lightCurveResources.fluxErr]],
  );
  const id = (reference: string) => rows.find((r) => r.reference === reference)!.id;
  return { flux: id(lightCurveResources.flux), fluxErr: id(lightCurveResources.fluxErr) };
}

/** The star under the parent with the file's catalogue id, created when missing. */
async function ensureStar(
  pool: Pool,
  input: LightCurveImport,
  lc: LightCurve,
): Promise<{ id: string; name: string; created: boolean }> {
  const { meta } = lc;
  const target = lightCurveTags(meta).target;
  const reference = `star:${meta.catalog.toLowerCase()}-${target}:${input.parentId}`.slice(0, 120);
  const name = (input.name?.trim() || meta.object || `${meta.catalog} ${target}`).slice(0, 200);
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
  const { rows } = await pool.query<{ id: string; name: string; created: boolean }>(
    `INSERT INTO node (id, kind, name, reference, parent_id, metadata, updated_at)
     VALUES ($1, 'star', $2, $3, $4, $5, now())
     ON CONFLICT (reference) DO UPDATE SET updated_at = node.updated_at
     RETURNING id, name, (xmax = 0) AS created`,
    [uuidv7(), name, reference, input.parentId, JSON.stringify(metadata)],
  );
  return rows[0];
}

/** One movement per resource: the new points, from the star to the node it is under. */
async function accountImport(
  client: PoolClient,
  batches: AcceptedBatch[],
  starId: string,
  destinationId: string,
): Promise<void> {
  const movements = batches
    .filter((b) => b.newPoints > 0 && b.series.resourceId)
    .map((b) => ({
      id: uuidv7(),
      resource_id: b.series.resourceId,
      quantity: b.newPoints,
      start: new Date(Number(b.firstTime / nsPerMs)),
      // [start, stop): the last point's millisecond is inside.
      stop: new Date(Number(b.lastTime / nsPerMs) + 1),
      external_id: `lightcurve:${b.series.id}:${uuidv7()}`,
    }));
  if (!movements.length) return;
  await client.query(
    `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop,
                           unit_price, origin, external_id)
     SELECT m.id, m.resource_id, $2, $3, m.quantity, m.start, m.stop, r.unit_price, 'ingest',
            m.external_id
       FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, resource_id uuid, quantity numeric,
            start timestamptz, stop timestamptz, external_id text)
       JOIN resource r ON r.id = m.resource_id`,
    [JSON.stringify(movements), starId, destinationId],
  );
}

import { AnalyticsInputError } from '@sextant/analytics';
import { DomainError } from '@sextant/domain';
import type { ColumnBatch, SeriesOwner } from '@sextant/timeseries';
import type { Pool } from 'pg';
import { writeAccounted, type ResourceDefinition } from './import-writer';

// What the CSV imports (wind SCADA, solar plants) share on top of the writer: parser errors
// as 400s on `file` naming the line, table columns as store columns, and the series written
// described with their resource and unit.

/** A series an import wrote: what the file gave it and what was new. */
export interface ImportedColumn {
  /** Null when the file had no value for it. */
  id: string | null;
  field: string;
  resource: string;
  unit: string;
  points: number;
  newPoints: number;
}

/** Runs a parser; its input errors become a 400 on `file` whose reason names the line. */
export function parseFile<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof AnalyticsInputError)) throw error;
    const at = Object.entries(error.where)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    throw DomainError.validation([
      { field: 'file', reason: at ? `${error.reason} (${at})` : error.reason },
    ]);
  }
}

/** The earliest and latest of epoch-ms times, ISO 8601. */
export function timeRange(time: ArrayLike<number>): { from: string; to: string } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < time.length; i++) {
    if (time[i] < min) min = time[i];
    if (time[i] > max) max = time[i];
  }
  return { from: new Date(min).toISOString(), to: new Date(max).toISOString() };
}

/** The 400 for a file with a header and no data row. */
export function noRows(): DomainError {
  return DomainError.validation([{ field: 'file', reason: 'no data rows after the header' }]);
}

const nsPerMs = 1_000_000n;

/** A column to write and the resource its series is of. */
export interface ImportColumn {
  batch: ColumnBatch & { owner: SeriesOwner & { nodeId: string } };
  resource: ResourceDefinition;
}

/**
 * A store column from epoch-ms times and values (of `rows` only, when given); rows without a
 * value (an empty cell, NaN) are left out, as the store keeps no NaN.
 */
export function columnOf(
  time: ArrayLike<number>,
  values: Float64Array,
  series: {
    measurement: string;
    field: string;
    tags: Record<string, string>;
    nodeId: string;
    resource: ResourceDefinition;
    resourceIds: Map<string, string>;
  },
  rows?: ArrayLike<number>,
): ImportColumn {
  const count = rows ? rows.length : time.length;
  const times: bigint[] = [];
  const kept: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = rows ? rows[k] : k;
    if (Number.isNaN(values[i])) continue;
    times.push(BigInt(time[i]) * nsPerMs);
    kept.push(values[i]);
  }
  return {
    batch: {
      measurement: series.measurement,
      field: series.field,
      tags: series.tags,
      type: 'float',
      times,
      values: Float64Array.from(kept),
      owner: {
        nodeId: series.nodeId,
        resourceId: series.resourceIds.get(series.resource.reference)!,
      },
    },
    resource: series.resource,
  };
}

/**
 * Writes the columns (those with points) with their accounting movements to `destinationId`
 * (see writeAccounted) and describes each series in the order of `columns`.
 */
export async function writeColumns(
  pool: Pool,
  columns: ImportColumn[],
  destinationId: string,
  label: string,
): Promise<ImportedColumn[]> {
  const written = await writeAccounted(
    pool,
    columns.filter((c) => c.batch.times.length > 0).map((c) => c.batch),
    destinationId,
    label,
  );
  return columns.map(({ batch, resource }) => {
    const s = written.find((w) => w.nodeId === batch.owner.nodeId && w.field === batch.field);
    return {
      id: s?.id ?? null,
      field: batch.field,
      resource: resource.reference,
      unit: resource.unit,
      points: s?.points ?? 0,
      newPoints: s?.newPoints ?? 0,
    };
  });
}

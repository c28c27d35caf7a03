import { seriesKey, sortedTags } from './series-key';
import type { Point, PointValue, RejectedPoint, SeriesValueType } from './types';

/** The points of one series in a write, in arrival order. */
export interface SeriesBatch {
  key: string;
  measurement: string;
  tags: Record<string, string>;
  field: string;
  type: SeriesValueType;
  times: bigint[];
  values: PointValue[];
  /** Index in the original batch of each point, to report rejections. */
  indexes: number[];
}

function inferType(value: PointValue): SeriesValueType {
  switch (typeof value) {
    case 'number':
      return 'float';
    case 'bigint':
      return 'integer';
    case 'boolean':
      return 'boolean';
    default:
      return 'string';
  }
}

const maxNameLength = 200;

/** Why a measurement or field name cannot be stored, or null when it can. */
export function nameProblem(measurement: unknown, field: unknown): string | null {
  if (typeof measurement !== 'string' || !measurement || measurement.length > maxNameLength)
    return `measurement must be 1-${maxNameLength} characters`;
  if (typeof field !== 'string' || !field || field.length > maxNameLength)
    return `field must be 1-${maxNameLength} characters`;
  return null;
}

const maxKeyLength = 1000;
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a series (its canonical key, tags included) cannot be registered, or null when it can:
 * Postgres text holds no NUL character, and keys are at most 1,000 characters.
 */
export function keyProblem(key: string): string | null {
  if (key.length > maxKeyLength)
    return `series key (measurement, tags and field) is ${key.length} characters; at most ${maxKeyLength}`;
  if (key.includes('\u0000')) return 'measurement, tags and field may not contain a NUL character';
  if (loneSurrogate.test(key))
    return 'measurement, tags and field must be valid Unicode (a lone surrogate was found)';
  return null;
}

/** Why a value cannot be stored in a series of the type, or null when it can. */
export function valueProblem(value: unknown, type: SeriesValueType): string | null {
  switch (type) {
    case 'float':
      if (typeof value !== 'number') return `value ${String(value)} is not a float`;
      if (Number.isNaN(value)) return 'value is NaN; NaN and ±Infinity cannot be stored';
      if (!Number.isFinite(value)) return `value is ${value}; NaN and ±Infinity cannot be stored`;
      return null;
    case 'integer':
      if (typeof value === 'bigint')
        return value >= -(2n ** 63n) && value < 2n ** 63n
          ? null
          : 'integer out of the signed 64-bit range';
      return Number.isSafeInteger(value) ? null : `value ${String(value)} is not an integer`;
    case 'unsigned':
      if (typeof value === 'bigint')
        return value >= 0n && value < 2n ** 64n ? null : 'unsigned out of the 0..2^64-1 range';
      return Number.isSafeInteger(value) && (value as number) >= 0
        ? null
        : `value ${String(value)} is not an unsigned integer`;
    case 'boolean':
      return typeof value === 'boolean' ? null : `value ${String(value)} is not a boolean`;
    case 'string':
      return typeof value === 'string' ? null : `value ${String(value)} is not a string`;
  }
}

/** Why a point cannot be stored, or null when it can. */
export function pointProblem(point: Point, type: SeriesValueType): string | null {
  return (
    nameProblem(point.measurement, point.field) ??
    (typeof point.time !== 'bigint'
      ? 'time must be a bigint of nanoseconds since the epoch'
      : valueProblem(point.value, type))
  );
}

/**
 * Groups a batch by series, rejecting invalid points and points whose type differs from the
 * first point of their series in the batch.
 */
export function groupBySeries(points: readonly Point[]): {
  batches: Map<string, SeriesBatch>;
  rejected: RejectedPoint[];
} {
  const batches = new Map<string, SeriesBatch>();
  const rejected: RejectedPoint[] = [];
  for (let index = 0; index < points.length; index++) {
    const point = points[index];
    const type = point.type ?? inferType(point.value);
    let problem = pointProblem(point, type);
    const key = problem ? '' : seriesKey(point.measurement, point.tags, point.field);
    problem ??= keyProblem(key);
    if (problem) {
      rejected.push({
        index,
        reason: `${point.measurement ?? '?'} ${point.field ?? '?'}: ${problem}`,
      });
      continue;
    }
    let batch = batches.get(key);
    if (!batch) {
      batch = {
        key,
        measurement: point.measurement,
        tags: sortedTags(point.tags),
        field: point.field,
        type,
        times: [],
        values: [],
        indexes: [],
      };
      batches.set(key, batch);
    } else if (batch.type !== type) {
      rejected.push({
        index,
        reason: `${key}: field type conflict: ${type} point for a ${batch.type} field`,
      });
      continue;
    }
    batch.times.push(point.time);
    batch.values.push(point.value);
    batch.indexes.push(index);
  }
  return { batches, rejected };
}

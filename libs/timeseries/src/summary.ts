import type { SeriesValueType } from './types';

/** What a chunk row carries beside its data, so aggregates can skip decoding it. */
export interface ChunkSummary {
  count: number;
  startTime: bigint;
  endTime: bigint;
  min: number | null;
  max: number | null;
  sum: number | null;
  sumSq: number | null;
  first: number | null;
  last: number | null;
}

/** Numeric view of a value for summaries; strings have none. */
export function numeric(value: unknown, type: SeriesValueType): number | null {
  switch (type) {
    case 'float':
      return value as number;
    case 'integer':
    case 'unsigned':
      return Number(value as number | bigint);
    case 'boolean':
      return value ? 1 : 0;
    case 'string':
      return null;
  }
}

/** Summary of sorted, deduplicated points. */
export function summarise(
  type: SeriesValueType,
  times: ArrayLike<bigint>,
  values: ArrayLike<unknown>,
): ChunkSummary {
  const count = times.length;
  const summary: ChunkSummary = {
    count,
    startTime: times[0],
    endTime: times[count - 1],
    min: null,
    max: null,
    sum: null,
    sumSq: null,
    first: null,
    last: null,
  };
  if (type === 'string') return summary;
  if (type === 'float' && values instanceof Float64Array) {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < count; i++) {
      const v = values[i];
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      sumSq += v * v;
    }
    return { ...summary, min, max, sum, sumSq, first: values[0], last: values[count - 1] };
  }
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < count; i++) {
    const v = numeric(values[i], type)!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    sumSq += v * v;
  }
  return {
    ...summary,
    min,
    max,
    sum,
    sumSq,
    first: numeric(values[0], type),
    last: numeric(values[count - 1], type),
  };
}

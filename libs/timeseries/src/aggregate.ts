import type { ChunkSummary } from './summary';
import type { PointValue } from './types';

export const aggregateNames = [
  'count',
  'sum',
  'mean',
  'min',
  'max',
  'first',
  'last',
  'stddev',
] as const;
export type AggregateName = (typeof aggregateNames)[number] | `p${number}`;

/** Running aggregates of one bucket. */
export class Accumulator {
  count = 0;
  sum = 0;
  sumSq = 0;
  min = Infinity;
  max = -Infinity;
  firstTime: bigint | null = null;
  first: number | null = null;
  lastTime: bigint | null = null;
  last: number | null = null;
  /** Kept only when percentiles are asked for. */
  values: number[] | null;

  constructor(keepValues: boolean) {
    this.values = keepValues ? [] : null;
  }

  add(time: bigint, value: number): void {
    this.count++;
    this.sum += value;
    this.sumSq += value * value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (this.firstTime === null || time < this.firstTime) {
      this.firstTime = time;
      this.first = value;
    }
    if (this.lastTime === null || time >= this.lastTime) {
      this.lastTime = time;
      this.last = value;
    }
    this.values?.push(value);
  }

  /** Adds a whole chunk from its summary, without decoding it. */
  addSummary(chunk: ChunkSummary): void {
    this.count += chunk.count;
    this.sum += chunk.sum!;
    this.sumSq += chunk.sumSq!;
    if (chunk.min! < this.min) this.min = chunk.min!;
    if (chunk.max! > this.max) this.max = chunk.max!;
    if (this.firstTime === null || chunk.startTime < this.firstTime) {
      this.firstTime = chunk.startTime;
      this.first = chunk.first;
    }
    if (this.lastTime === null || chunk.endTime >= this.lastTime) {
      this.lastTime = chunk.endTime;
      this.last = chunk.last;
    }
  }

  merge(other: Accumulator): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.sum += other.sum;
    this.sumSq += other.sumSq;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    if (this.firstTime === null || (other.firstTime !== null && other.firstTime < this.firstTime)) {
      this.firstTime = other.firstTime;
      this.first = other.first;
    }
    if (this.lastTime === null || (other.lastTime !== null && other.lastTime >= this.lastTime)) {
      this.lastTime = other.lastTime;
      this.last = other.last;
    }
    if (this.values && other.values) for (const v of other.values) this.values.push(v);
  }

  result(name: AggregateName): number | null {
    if (this.count === 0) return name === 'count' ? 0 : null;
    switch (name) {
      case 'count':
        return this.count;
      case 'sum':
        return this.sum;
      case 'mean':
        return this.sum / this.count;
      case 'min':
        return this.min;
      case 'max':
        return this.max;
      case 'first':
        return this.first;
      case 'last':
        return this.last;
      case 'stddev': {
        // Sample standard deviation, as InfluxQL's STDDEV.
        if (this.count < 2) return null;
        const variance = (this.sumSq - (this.sum * this.sum) / this.count) / (this.count - 1);
        return Math.sqrt(Math.max(0, variance));
      }
      default:
        return percentile(this.values ?? [], Number(name.slice(1)));
    }
  }
}

/** Nearest-rank percentile (as InfluxQL's PERCENTILE). */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function numericValue(value: PointValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

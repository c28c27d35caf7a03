/** Value types of a series, as resources declare them. */
export type SeriesValueType = 'float' | 'integer' | 'unsigned' | 'boolean' | 'string';

export type PointValue = number | bigint | boolean | string;

/** One point as clients send it (Influx style); time in nanoseconds since the epoch. */
export interface Point {
  measurement: string;
  tags?: Record<string, string>;
  field: string;
  time: bigint;
  value: PointValue;
  /** Required to tell integer and unsigned from float; inferred otherwise. */
  type?: SeriesValueType;
}

/** Where new series are attached in the model. */
export interface SeriesOwner {
  nodeId?: string | null;
  resourceId?: string | null;
  /** The path the series is written through. */
  pathId?: string | null;
}

export interface RejectedPoint {
  /** Index in the batch given to write(). */
  index: number;
  reason: string;
}

export interface WriteResult {
  accepted: number;
  rejected: RejectedPoint[];
  series: number;
  chunks: number;
}

export interface SeriesInfo {
  id: bigint;
  key: string;
  measurement: string;
  tags: Record<string, string>;
  field: string;
  valueType: SeriesValueType;
  nodeId: string | null;
  resourceId: string | null;
}

export class TimeSeriesError extends Error {
  constructor(
    readonly code: 'InvalidRange' | 'SeriesNotFound' | 'LimitExceeded' | 'InvalidQuery',
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'TimeSeriesError';
  }
}

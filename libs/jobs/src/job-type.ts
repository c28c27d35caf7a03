import type { FieldError, JobLogLevelName, MaintenancePriorityName } from '@sextant/domain';
import type { PointValue } from '@sextant/timeseries';
import type { ParamShape, ParamsOf } from './params';

/** What tasks take and return: plain JSON. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** How a task is run: deadline, attempts and the delay before the first retry. */
export interface TaskOptions {
  /** An attempt still running after this is aborted and counts as failed. */
  timeoutSeconds: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Delay before the second attempt; each further retry waits twice as long as the last. */
  backoffSeconds: number;
}

export const defaultTaskOptions: TaskOptions = {
  timeoutSeconds: 600,
  maxAttempts: 3,
  backoffSeconds: 5,
};

interface StepBase {
  /** Unique in the job type: [a-z][a-z0-9-]*. */
  name: string;
  /** Steps whose tasks must all have succeeded first. */
  dependsOn?: string[];
  options?: Partial<TaskOptions>;
}

/** A step run by one task. */
export interface SingleStep<P> extends StepBase {
  run(ctx: TaskContext<P>): Promise<JsonValue>;
}

/**
 * A step fanned out over inputs: one task lists them (`inputs`), then one task per input runs
 * `each`. A step depending on it sees their results in input order (`ctx.results(name)`).
 */
export interface FanOutStep<P, I extends JsonValue = JsonValue> extends StepBase {
  inputs(ctx: TaskContext<P>): Promise<I[]>;
  each(ctx: TaskContext<P>, input: I): Promise<JsonValue>;
}

export type StepDefinition<P> = SingleStep<P> | FanOutStep<P, never>;

export function isFanOut<P>(step: StepDefinition<P>): step is FanOutStep<P, never> {
  return 'each' in step;
}

/** A job type: a parameter schema and a small workflow of steps. */
export interface JobType<Shape extends ParamShape = ParamShape> {
  /** [a-z][a-z0-9-]*, e.g. series-health. */
  name: string;
  title: string;
  description: string;
  params: Shape;
  /**
   * Settles parameters at submission, e.g. a window ending "now" becomes fixed times, so that
   * retries and re-runs read the same data.
   */
  prepare?(params: ParamsOf<Shape>, now: Date): ParamsOf<Shape>;
  /** Checks across parameters (from before to...), as errors on `params.<name>`. */
  check?(params: ParamsOf<Shape>): FieldError[];
  steps: StepDefinition<ParamsOf<Shape>>[];
  /** The step whose result is the run's (default: the last). */
  resultStep?: string;
  /** Defaults of every step's tasks (each step may override). */
  options?: Partial<TaskOptions>;
}

/** Declares a job type with its parameters typed from the schema. */
export function defineJobType<const Shape extends ParamShape>(type: JobType<Shape>): JobType {
  return type as unknown as JobType;
}

/** Declares a fan-out step with its input type. */
export function fanOut<P, I extends JsonValue>(step: FanOutStep<P, I>): StepDefinition<P> {
  return step as unknown as StepDefinition<P>;
}

/** A series a task may read. */
export interface SeriesRef {
  id: string;
  key: string;
  measurement: string;
  field: string;
  tags: Record<string, string>;
  valueType: string;
  nodeId: string | null;
  resourceId: string | null;
}

export interface SeriesPoints {
  times: bigint[];
  values: PointValue[];
}

/** Reads of the time-series store; every read is recorded for lineage and accounting. */
export interface SeriesReader {
  /** Series attached to a node (and, by default, to the nodes under it). */
  find(
    nodeId: string,
    options?: { descendants?: boolean; measurement?: string; field?: string; limit?: number },
  ): Promise<SeriesRef[]>;
  /** One series by id (null if it no longer exists). */
  get(seriesId: string): Promise<SeriesRef | null>;
  /** All points of a series in [from, to), recorded as read. */
  read(series: SeriesRef, from: Date, to: Date): Promise<SeriesPoints>;
}

export interface ProducedItem {
  kind: 'model' | 'candidate' | 'report' | 'data_set' | 'other';
  name: string;
  /** Default: the run's owner. */
  ownerId?: string;
  metadata?: Record<string, JsonValue>;
  /** A body too large for metadata (a trained model), stored gzipped with the item. */
  content?: ItemBody;
}

/** The body of an item: bytes and what they are. */
export interface ItemBody {
  mediaType: string;
  bytes: Uint8Array;
}

/** An item a task may read (e.g. a model another run trained). */
export interface ItemRef {
  id: string;
  kind: string;
  reference: string;
  name: string;
  ownerId: string;
  metadata: Record<string, JsonValue>;
  createdAt: Date;
}

/** A node a task may look at (its kind, place and metadata). */
export interface NodeRef {
  id: string;
  kind: string;
  name: string;
  reference: string;
  parentId: string | null;
  metadata: Record<string, JsonValue>;
}

export interface NodeReader {
  /** The nodes below a node (not itself), of a kind if given, by reference. */
  descendants(nodeId: string, options?: { kind?: string; limit?: number }): Promise<NodeRef[]>;
}

/** Reads of items; reading a body is logged with the item's id. */
export interface ItemReader {
  /**
   * Items of a kind owned by the node or, with `ancestors`, by the nodes above it (nearest
   * first), newest first; `type` matches `metadata.type`.
   */
  find(query: {
    ownerId: string;
    kind: ProducedItem['kind'];
    type?: string;
    ancestors?: boolean;
    limit?: number;
  }): Promise<ItemRef[]>;
  /** One item by id or reference (null if it does not exist). */
  get(idOrReference: string): Promise<ItemRef | null>;
  /** The body of an item, decoded (null without one). */
  content(itemId: string): Promise<ItemBody | null>;
}

export interface RaisedAlert {
  /** An alert (default) or a maintenance order. */
  kind?: 'alert' | 'maintenance_order';
  /** The machine's node. */
  nodeId: string;
  title: string;
  priority: MaintenancePriorityName;
  description?: string;
  failureFrom?: Date;
  failureTo?: Date;
  /** Not raised again on the node while a ticket of its kind with this key is open or planned. */
  dedupeKey?: string;
  /** For an order: the reference raiseAlert returned for the alert it answers. */
  answers?: string;
  metadata?: Record<string, JsonValue>;
}

export interface RemainingLife {
  nodeId: string;
  at: Date;
  remaining: number;
  lower?: number;
  upper?: number;
  unit: string;
  /** 1 = as new, 0 = failed. */
  health?: number;
  /** Reference of the item (a model, produced by this task or read) that made the estimate. */
  modelReference?: string;
}

export type TaskLogger = Record<
  JobLogLevelName,
  (message: string, data?: Record<string, JsonValue>) => void
>;

/**
 * What a task sees. Everything it records (reads, items, alerts, estimates, its result) is
 * written in one transaction when it succeeds, and only if this attempt is still the task's
 * current one, so a result is written exactly once however often the task ran.
 */
export interface TaskContext<P> {
  readonly runId: string;
  readonly taskId: string;
  readonly step: string;
  /** The step's name, or step[position] for a fan-out's task. */
  readonly key: string;
  readonly attempt: number;
  readonly params: P;
  /** The node that owns the run: results are delivered and billed to it. */
  readonly ownerId: string;
  readonly createdAt: Date;
  /** Aborted when the run is cancelled, the attempt times out or the worker stops. */
  readonly signal: AbortSignal;
  readonly log: TaskLogger;
  readonly series: SeriesReader;
  readonly items: ItemReader;
  readonly nodes: NodeReader;
  /** Progress of this task, 0-100 (written at most a few times a second). */
  progress(percent: number, message?: string): void;
  /** Results of a step this one depends on; for a fan-out step one per input, in order. */
  results<T extends JsonValue = JsonValue>(step: string): Promise<T[]>;
  /** Records a read done without `series.read` (e.g. straight SQL). */
  recordRead(read: { seriesId: string; from: Date; to: Date; points: number }): void;
  /** An item this task produces; returns the reference it will have. */
  produce(item: ProducedItem): string;
  /** Raises an alert or an order (a ticket); returns the reference it will have. */
  raiseAlert(alert: RaisedAlert): string;
  recordRemainingLife(estimate: RemainingLife): void;
  /** Throws if the signal was aborted: call between units of work. */
  throwIfAborted(): void;
}

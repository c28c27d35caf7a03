// The portal talks to the API through its own origin (/api is proxied by app/api/[...path]).

export interface FieldError {
  field: string;
  reason: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: FieldError[] = [],
  ) {
    super(message);
  }

  /** The reasons given for one field, joined. */
  forField(field: string): string | undefined {
    const reasons = this.errors.filter((e) => e.field === field).map((e) => e.reason);
    return reasons.length ? reasons.join('; ') : undefined;
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** The CSRF token of the session (a cookie scripts may read), sent back on every change. */
export function csrfToken(): string | null {
  if (typeof document === 'undefined') return null;
  const match = /(?:^|;\s*)sextant_csrf=([^;]*)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : null;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const csrf = method === 'GET' ? null : csrfToken();
  if (csrf) headers['x-csrf-token'] = csrf;
  const response = await fetch(path, {
    method,
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: 'no-store',
  });
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(
      response.status,
      'BadResponse',
      `the API answered ${response.status} with a body that is not JSON`,
    );
  }
  if (!response.ok) {
    const error = (body ?? {}) as { code?: string; message?: string; errors?: FieldError[] };
    throw new ApiError(
      response.status,
      error.code ?? 'Error',
      error.message ?? `HTTP ${response.status}`,
      error.errors ?? [],
    );
  }
  return body as T;
}

/** Builds a query string from defined, non-empty values. */
export function query(
  params: Record<string, string | number | boolean | undefined | null>,
): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface Node {
  id: string;
  parentId: string | null;
  kind: string;
  name: string;
  reference: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface Resource {
  id: string;
  reference: string;
  name: string;
  unit: string;
  valueType: string;
  description: string;
  unitPrice: string | null;
  retentionDays: number | null;
}

export interface Path {
  id: string;
  name: string;
  sourceId: string;
  destinationId: string;
  protocol: string;
  state: string;
  mapping: Record<string, unknown>;
  settings: Record<string, unknown>;
}

export interface Item {
  id: string;
  kind: string;
  reference: string;
  name: string;
  ownerId: string;
  metadata: Record<string, unknown>;
}

export interface Movement {
  id: string;
  resourceId: string;
  sourceId: string;
  destinationId: string;
  itemId: string | null;
  pathId: string | null;
  quantity: string;
  start: string;
  stop: string;
  unitPrice: string | null;
  origin: string;
  externalId: string | null;
}

export interface SummaryRow {
  resourceId: string;
  resourceReference: string;
  unit: string;
  day: string;
  quantity: string;
  amount: string | null;
  movements: number;
}

export interface PathToken {
  id: string;
  pathId: string;
  name: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

/** A token as created: the only time its secret is seen. */
export interface CreatedPathToken extends PathToken {
  token: string;
}

export interface PathIngestStatus {
  pathId: string;
  points: number;
  /** Averaged over the last 60 seconds. */
  pointsPerSecond: number;
  lastSeenAt: string | null;
  rejectedLines: number;
  lastError: string | null;
  lastErrorAt: string | null;
  updatedAt: string | null;
}

export interface IngestEndpoints {
  httpUrl: string;
  forwardHost: string;
  forwardPort: number;
}

/** What the process running a CDC source does; waiting: no process has taken it yet. */
export type CdcRunState =
  'starting' | 'snapshotting' | 'streaming' | 'paused' | 'retrying' | 'stopped' | 'waiting';

export interface CdcSourceStatus {
  state: CdcRunState;
  confirmedLsn: string | null;
  sourceLsn: string | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  changesPerSecond: number;
  changesApplied: number;
  lastError: string | null;
  lastErrorAt: string | null;
  nextRetryAt: string | null;
  pausedReason: string | null;
  problems: string[];
  runner: string | null;
  updatedAt: string | null;
}

/** A Postgres database captured into lake_<name>: a path of protocol cdc. */
export interface CdcSource {
  id: string;
  name: string;
  /** The path's state: active, paused or revoked. */
  state: string;
  sourceId: string;
  destinationId: string;
  /** The connection string without its password. */
  connection: string;
  tables: string[];
  keys: Record<string, string[]>;
  slot: string;
  publication: string;
  mirrorSchema: string;
  createdAt: string;
  status: CdcSourceStatus;
}

export interface CdcCommand {
  id: string;
  kind: string;
  table: string | null;
  state: 'pending' | 'running' | 'done' | 'failed';
  requestedAt: string;
  finishedAt: string | null;
  error: string | null;
}

export interface CdcLagSample {
  at: string;
  lagBytes: number | null;
  lagSeconds: number | null;
  changesPerSecond: number;
}

export interface CdcDeadLetter {
  id: string;
  topic: string | null;
  partition: number | null;
  offset: string | null;
  position: string | null;
  reason: string;
  /** UTF-8 text, or `base64:…`. */
  payload: string | null;
  createdAt: string;
  replayedAt: string | null;
}

export interface CdcReplayResult {
  replayed: string[];
  failed: { id: string; reason: string }[];
}

export interface CdcDropResult {
  slotDropped: boolean;
  publicationDropped: boolean;
  mirrorDropped: boolean;
  mirrorSchema: string;
  path: 'deleted' | 'revoked';
  warning: string | null;
}

// The job platform (/api/jobs) and maintenance (/api/alerts, /api/maintenance-orders,
// /api/remaining-life).

export interface JobParameter {
  name: string;
  type: 'string' | 'number' | 'integer' | 'boolean' | 'datetime' | 'node' | 'enum';
  title: string;
  description: string | null;
  required: boolean;
  default: string | number | boolean | null;
  minimum: number | null;
  maximum: number | null;
  values: string[] | null;
  nodeKinds: string[] | null;
  itemKinds: string[] | null;
}

export interface JobStep {
  name: string;
  dependsOn: string[];
  fanOut: boolean;
  timeoutSeconds: number;
  maxAttempts: number;
  backoffSeconds: number;
}

export interface JobType {
  name: string;
  title: string;
  description: string;
  parameters: JobParameter[];
  steps: JobStep[];
}

export type JobRunState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export type JobTaskState = 'pending' | 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRun {
  id: string;
  type: string;
  params: Record<string, unknown>;
  options: Record<string, unknown>;
  state: JobRunState;
  priority: number;
  ownerId: string;
  scheduleId: string | null;
  scheduledFor: string | null;
  progress: number;
  taskCounts: Record<JobTaskState | 'total', number>;
  result: unknown;
  error: string | null;
  retries: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobTask {
  id: string;
  step: string;
  key: string;
  position: number | null;
  parentId: string | null;
  dependsOn: string[];
  state: JobTaskState;
  attempt: number;
  attemptLimit: number;
  progress: number;
  message: string | null;
  input: unknown;
  result: unknown;
  error: string | null;
  timeoutSeconds: number;
  workerId: string | null;
  runAfter: string | null;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobRunDetail extends JobRun {
  tasks: JobTask[];
}

export interface JobLog {
  id: string;
  taskId: string | null;
  taskKey: string | null;
  attempt: number | null;
  at: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown> | null;
  worker: string | null;
}

export interface JobLineage {
  inputs: {
    taskId: string;
    taskKey: string;
    seriesId: string | null;
    seriesKey: string | null;
    nodeId: string | null;
    resourceReference: string | null;
    start: string | null;
    stop: string | null;
    points: number;
    movementId: string | null;
  }[];
  outputs: {
    taskId: string;
    taskKey: string;
    itemId: string | null;
    itemKind: string | null;
    itemReference: string | null;
    itemName: string | null;
    ownerId: string | null;
    movementId: string | null;
  }[];
  movements: {
    id: string;
    resourceReference: string;
    sourceId: string;
    destinationId: string;
    itemId: string | null;
    quantity: string;
    unitPrice: string | null;
    start: string;
    stop: string;
  }[];
}

export interface JobSchedule {
  id: string;
  name: string;
  type: string;
  params: Record<string, unknown>;
  cron: string;
  timezone: string;
  state: 'active' | 'paused';
  priority: number;
  ownerId: string;
  nextRunAt: string;
  lastRunAt: string | null;
  lastRunId: string | null;
  lastRunState: JobRunState | null;
  createdAt: string;
}

export interface JobWorker {
  id: string;
  /** Platform administrators only (null for others). */
  host: string | null;
  pid: number | null;
  concurrency: number;
  types: string[];
  startedAt: string;
  heartbeatAt: string;
  stoppedAt: string | null;
  stopReason: string | null;
  running: number;
}

export type TicketState = 'open' | 'planned' | 'done';
export type TicketPriority = 'low' | 'medium' | 'high' | 'critical';

export interface Ticket {
  id: string;
  kind: 'alert' | 'maintenance_order';
  reference: string;
  title: string;
  nodeId: string;
  nodeName: string;
  state: TicketState;
  priority: TicketPriority;
  description: string;
  failureFrom: string | null;
  failureTo: string | null;
  plannedFor: string | null;
  doneAt: string | null;
  alertId: string | null;
  runId: string | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export interface MachineLife {
  nodeId: string;
  name: string;
  reference: string;
  parentId: string | null;
  estimate: {
    at: string;
    remaining: number;
    lower: number | null;
    upper: number | null;
    unit: string;
    health: number | null;
    modelItemId: string | null;
    runId: string | null;
  } | null;
  openAlerts: number;
  activeOrders: number;
  highestPriority: TicketPriority | null;
}

/** A transit candidate (GET /api/lightcurves/stars/{id}/candidates). */
export interface TransitCandidate {
  id: string;
  name: string;
  starId: string;
  runId: string;
  rank: number;
  period: number;
  epoch: number;
  timeReference: string;
  depthPpm: number;
  durationHours: number;
  snr: number;
  sde: number;
  sdeRobust: number;
  transits: number;
  knownPlanet: boolean;
  koi: {
    kepoiName: string;
    keplerName: string;
    disposition: string;
    catalogPeriod: number;
    harmonic: number;
    periodError: number;
    epochOffsetHours: number;
  } | null;
  createdAt: string;
}

export interface TransitCandidateDetail extends TransitCandidate {
  periodogram: { period: number[]; power: number[] };
  folded: { phaseHours: number[]; flux: number[]; count: number[] };
}

// Enumerations of the UBM model, shared by server and portal (kept equal to prisma/schema.prisma
// by a unit test in libs/db).
export const nodeKinds = [
  'organisation',
  'site',
  'machine',
  'sensor_host',
  'sensor',
  'database',
  'person',
  'telescope',
  'vehicle',
  'star',
  'other',
] as const;
export type NodeKindName = (typeof nodeKinds)[number];

export const valueTypes = ['float', 'integer', 'unsigned', 'boolean', 'string'] as const;
export const pathProtocols = ['line', 'forward', 'http', 'mqtt', 'cdc', 'file'] as const;
export const pathStates = ['active', 'paused', 'revoked'] as const;
export const itemKinds = [
  'sensor',
  'data_set',
  'licence',
  'model',
  'candidate',
  'maintenance_order',
  'other',
  'alert',
  'report',
] as const;
export type ItemKindName = (typeof itemKinds)[number];
export const movementOrigins = ['ingest', 'cdc', 'analysis', 'manual', 'job', 'metering'] as const;

// The job platform and maintenance (libs/jobs, apps/api jobs and maintenance modules).
export const jobRunStates = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobRunStateName = (typeof jobRunStates)[number];
export const jobTaskStates = [
  'pending',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type JobTaskStateName = (typeof jobTaskStates)[number];
export const jobLogLevels = ['debug', 'info', 'warn', 'error'] as const;
export type JobLogLevelName = (typeof jobLogLevels)[number];
export const jobScheduleStates = ['active', 'paused'] as const;
export const jobLineageKinds = ['read', 'produced'] as const;
export const maintenanceStates = ['open', 'planned', 'done'] as const;
export type MaintenanceStateName = (typeof maintenanceStates)[number];
export const maintenancePriorities = ['low', 'medium', 'high', 'critical'] as const;
export type MaintenancePriorityName = (typeof maintenancePriorities)[number];

/**
 * The moves a ticket (alert or maintenance order) may make: open -> planned -> done, and back
 * from planned to open when a plan is dropped. Done is final.
 */
export const maintenanceTransitions: Record<MaintenanceStateName, readonly MaintenanceStateName[]> =
  {
    open: ['planned'],
    planned: ['done', 'open'],
    done: [],
  };

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
] as const;
export const movementOrigins = ['ingest', 'cdc', 'analysis', 'manual'] as const;

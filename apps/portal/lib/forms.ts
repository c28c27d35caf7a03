import {
  itemKinds,
  movementOrigins,
  nodeKinds,
  pathProtocols,
  pathStates,
  valueTypes,
} from '@sextant/domain';
import type { FieldSpec } from '@/components/entity-form';

export const nodeFields: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  {
    name: 'reference',
    label: 'Reference',
    kind: 'text',
    required: true,
    hint: 'Unique in its organisation, e.g. acme.north.t13',
  },
  { name: 'kind', label: 'Kind', kind: 'select', options: nodeKinds, required: true },
  { name: 'parentId', label: 'Parent', kind: 'node', nullable: true },
  { name: 'metadata', label: 'Metadata (JSON)', kind: 'json' },
];

export const resourceFields: FieldSpec[] = [
  {
    name: 'reference',
    label: 'Reference',
    kind: 'text',
    required: true,
    hint: 'e.g. vibration.rms',
  },
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'unit', label: 'Unit', kind: 'text', required: true },
  { name: 'valueType', label: 'Value type', kind: 'select', options: valueTypes, required: true },
  { name: 'unitPrice', label: 'Unit price', kind: 'text' },
  { name: 'retentionDays', label: 'Retention (days)', kind: 'number' },
  { name: 'description', label: 'Description', kind: 'textarea' },
];

export const pathFields: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'sourceId', label: 'Source', kind: 'node', required: true },
  { name: 'destinationId', label: 'Destination', kind: 'node', required: true },
  { name: 'protocol', label: 'Protocol', kind: 'select', options: pathProtocols, required: true },
  { name: 'state', label: 'State', kind: 'select', options: pathStates },
  { name: 'mapping', label: 'Resource mapping (JSON)', kind: 'json' },
  {
    name: 'settings',
    label: 'Settings (JSON)',
    kind: 'json',
    hint: 'MQTT: {"mqtt": {"topics": ["<organisation reference>/site/+/telemetry"]}}',
  },
];

export const itemFields: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  { name: 'reference', label: 'Reference', kind: 'text', required: true },
  { name: 'kind', label: 'Kind', kind: 'select', options: itemKinds, required: true },
  { name: 'ownerId', label: 'Owner', kind: 'node', required: true },
  { name: 'metadata', label: 'Metadata (JSON)', kind: 'json' },
];

export const movementFields: FieldSpec[] = [
  { name: 'resourceId', label: 'Resource', kind: 'resource', required: true },
  { name: 'quantity', label: 'Quantity', kind: 'text', required: true },
  { name: 'sourceId', label: 'Source', kind: 'node', required: true },
  { name: 'destinationId', label: 'Destination', kind: 'node', required: true },
  { name: 'start', label: 'Start', kind: 'datetime', required: true },
  { name: 'stop', label: 'Stop', kind: 'datetime', required: true },
  { name: 'origin', label: 'Origin', kind: 'select', options: movementOrigins },
  { name: 'externalId', label: 'External id (idempotency key)', kind: 'text' },
];

export const cdcSourceFields: FieldSpec[] = [
  {
    name: 'name',
    label: 'Name',
    kind: 'text',
    required: true,
    hint: 'a-z, 0-9 and _; the mirror is the schema lake_<name>',
  },
  { name: 'sourceId', label: 'Source (database node)', kind: 'node', required: true },
  { name: 'destinationId', label: 'Destination (lake node)', kind: 'node', required: true },
  {
    name: 'connectionString',
    label: 'Connection string',
    kind: 'password',
    required: true,
    hint: 'postgresql://user:password@host:5432/db; the user needs REPLICATION. Stored encrypted, never shown again.',
  },
  {
    name: 'tables',
    label: 'Tables',
    kind: 'list',
    required: true,
    hint: 'One per line or comma-separated: schema.table, or table in public.',
  },
  {
    name: 'keys',
    label: 'Key columns (JSON, optional)',
    kind: 'json',
    hint: 'For tables without a primary key: {"public.events": ["id"]}',
  },
  { name: 'slot', label: 'Replication slot', kind: 'text', hint: 'Default sextant_<name>' },
  { name: 'publication', label: 'Publication', kind: 'text', hint: 'Default sextant_<name>' },
  { name: 'paused', label: 'Create paused (start later)', kind: 'checkbox' },
];

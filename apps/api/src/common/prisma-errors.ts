import { DomainError, ErrorCode } from '@sextant/domain';
import { Prisma } from '@sextant/db';

interface DriverCause {
  originalCode?: string;
  originalMessage?: string;
  constraint?: { index?: string; fields?: string[] } | string;
  kind?: string;
}

function driverCause(error: Prisma.PrismaClientKnownRequestError): DriverCause | undefined {
  const meta = error.meta as { driverAdapterError?: { cause?: DriverCause } } | undefined;
  return meta?.driverAdapterError?.cause;
}

// Postgres constraint names of the migrations, with the message a client should see.
const constraintMessages: Record<string, { code: ErrorCode; field: string; reason: string }> = {
  node_tree_acyclic: {
    code: 'NodeCycle',
    field: 'parentId',
    reason: 'would make the node its own ancestor',
  },
  node_not_own_parent_check: {
    code: 'NodeCycle',
    field: 'parentId',
    reason: 'a node cannot be its own parent',
  },
  path_source_not_destination_check: {
    code: 'PathLoop',
    field: 'destinationId',
    reason: 'must differ from sourceId',
  },
  movement_stop_after_start_check: {
    code: 'InvalidTimeWindow',
    field: 'stop',
    reason: 'must not be before start',
  },
  movement_quantity_not_negative_check: {
    code: 'ValidationFailed',
    field: 'quantity',
    reason: 'must not be negative',
  },
};

// Unique indexes of the migrations, the input field each one guards, and where it is unique.
const uniqueIndexFields: Record<string, { field: string; among: string }> = {
  node_reference_scope_reference_key: { field: 'reference', among: ' in this organisation' },
  resource_reference_key: { field: 'reference', among: '' },
  item_reference_scope_reference_key: { field: 'reference', among: ' in this organisation' },
  movement_origin_external_id_key: { field: 'externalId', among: '' },
};

/**
 * Translates database errors caused by a client's input into domain errors; anything else is
 * returned unchanged (and becomes a 500 upstream).
 */
export function translatePrismaError(error: unknown, subject: string): unknown {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return error;
  const cause = driverCause(error);
  const text = `${error.message} ${cause?.originalMessage ?? ''}`;
  for (const [name, known] of Object.entries(constraintMessages)) {
    if (text.includes(name)) {
      return new DomainError(known.code, `${known.field}: ${known.reason}`, [
        { field: known.field, reason: known.reason },
      ]);
    }
  }
  switch (error.code) {
    case 'P2002': {
      const index = typeof cause?.constraint === 'object' ? cause.constraint.index : undefined;
      const { field, among } = (index && uniqueIndexFields[index]) || {
        field: 'reference',
        among: '',
      };
      return new DomainError(
        'ReferenceTaken',
        `${field}: another ${subject}${among} already uses this value`,
        [{ field, reason: `already used by another ${subject}${among}` }],
      );
    }
    case 'P2003':
      return new DomainError(
        'NodeInUse',
        `${subject} is still referenced: ${cause?.originalMessage ?? error.message}`,
      );
    case 'P2025':
      return new DomainError('RouteNotFound', `${subject} not found`);
    default:
      return error;
  }
}

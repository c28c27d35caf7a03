import { DomainError } from '@sextant/domain';

export type SortDirection = 'asc' | 'desc';

export interface SortSpec<F extends string> {
  field: F;
  direction: SortDirection;
}

export interface CursorPosition {
  value: string | null;
  id: string;
}

/** Opaque keyset cursor: base64url of the last row's sort value and id. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.value, position.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || parsed[0] === null) &&
      typeof parsed[1] === 'string'
    ) {
      return { value: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new DomainError('InvalidCursor', 'cursor: not a cursor returned by this list', [
    { field: 'cursor', reason: 'not a cursor returned by this list' },
  ]);
}

/** Parses `name`, `-createdAt`... against the sortable fields of a list. */
export function parseSort<F extends string>(
  sort: string | undefined,
  allowed: readonly F[],
  fallback: SortSpec<F>,
): SortSpec<F> {
  if (!sort) return fallback;
  const direction: SortDirection = sort.startsWith('-') ? 'desc' : 'asc';
  const field = sort.replace(/^-/, '') as F;
  if (!allowed.includes(field)) {
    const reason = `must be one of ${allowed.map((f) => `${f}, -${f}`).join(', ')}`;
    throw new DomainError('ValidationFailed', `sort: ${reason}`, [{ field: 'sort', reason }]);
  }
  return { field, direction };
}

type Row = { id: string };

function sortValue(row: Row, field: string): string | null {
  const value = (row as unknown as Record<string, unknown>)[field];
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : String(value);
}

/**
 * Prisma `where` and `orderBy` for the page after `cursor` in (field, id) keyset order.
 * Sort fields are non-null columns, so a plain comparison is exact.
 */
export function keysetQuery<F extends string>(
  sort: SortSpec<F>,
  cursor: string | undefined,
  dateFields: readonly string[] = ['createdAt', 'start'],
): { where: Record<string, unknown>; orderBy: Record<string, SortDirection>[] } {
  const orderBy = [{ [sort.field]: sort.direction }, { id: sort.direction }];
  if (!cursor) return { where: {}, orderBy };
  const position = decodeCursor(cursor);
  const op = sort.direction === 'asc' ? 'gt' : 'lt';
  const value =
    dateFields.includes(sort.field) && position.value ? new Date(position.value) : position.value;
  return {
    where: {
      OR: [{ [sort.field]: { [op]: value } }, { [sort.field]: value, id: { [op]: position.id } }],
    },
    orderBy,
  };
}

/** Cuts the extra row fetched to know whether another page exists. */
export function toPage<T extends Row>(
  rows: T[],
  limit: number,
  sortField: string,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: encodeCursor({ value: sortValue(last, sortField), id: last.id }) };
}

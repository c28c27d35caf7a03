import { DomainError } from '@sextant/domain';
import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor, keysetQuery, parseSort, toPage } from './cursor';

describe('cursor', () => {
  it('round-trips a position through the opaque cursor', () => {
    const position = {
      value: '2026-11-21T00:00:00.000Z',
      id: '01a202fe-eb0f-7266-bf20-074b2f68f8d8',
    };
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it.each([
    '',
    'not-base64!',
    Buffer.from('[1,2,3]').toString('base64url'),
    Buffer.from('{"a":1}').toString('base64url'),
  ])('rejects the forged cursor %j with InvalidCursor', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(DomainError);
    expect(() => decodeCursor(cursor)).toThrow(/cursor: not a cursor/);
  });

  it('parses ascending and descending sorts and rejects unknown fields naming the allowed ones', () => {
    const allowed = ['name', 'createdAt'] as const;
    expect(parseSort('-createdAt', allowed, { field: 'name', direction: 'asc' })).toEqual({
      field: 'createdAt',
      direction: 'desc',
    });
    expect(parseSort(undefined, allowed, { field: 'name', direction: 'asc' })).toEqual({
      field: 'name',
      direction: 'asc',
    });
    expect(() => parseSort('colour', allowed, { field: 'name', direction: 'asc' })).toThrow(
      /sort: must be one of name, -name, createdAt, -createdAt/,
    );
  });

  it('continues after the last row in (field, id) order', () => {
    const cursor = encodeCursor({ value: 'T07', id: 'b' });
    const query = keysetQuery({ field: 'name', direction: 'asc' }, cursor);
    expect(query.orderBy).toEqual([{ name: 'asc' }, { id: 'asc' }]);
    expect(query.where).toEqual({
      OR: [{ name: { gt: 'T07' } }, { name: 'T07', id: { gt: 'b' } }],
    });
  });

  it('turns date cursors back into dates for date sort fields', () => {
    const cursor = encodeCursor({ value: '2026-11-21T00:00:00.000Z', id: 'x' });
    const query = keysetQuery({ field: 'createdAt', direction: 'desc' }, cursor);
    const first = (query.where.OR as Record<string, { lt: unknown }>[])[0];
    expect(first.createdAt.lt).toEqual(new Date('2026-11-21T00:00:00.000Z'));
  });

  it('gives a next cursor only when an extra row was fetched', () => {
    const rows = [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
      { id: 'c', name: 'C' },
    ];
    // limit 2: rows a and b are the page, c proves there is more
    const page = toPage(rows, 2, 'name');
    expect(page.items.map((r) => r.id)).toEqual(['a', 'b']);
    expect(decodeCursor(page.nextCursor!)).toEqual({ value: 'B', id: 'b' });
    expect(toPage(rows, 3, 'name').nextCursor).toBeNull();
  });
});

import { describe, expect, it } from '@jest/globals';
import { ChangeOperation } from '../envelope';
import { ChangeRow } from '../envelope/debezium-codec';
import type { MirrorChange } from './mirror-change';
import { foldRows, mirrorSteps } from './mirror-fold';

const change = (
  op: ChangeOperation,
  row: ChangeRow | null,
  table = 'orders',
  schema = 'public',
): MirrorChange => ({
  envelope: {
    op,
    before: op === 'd' ? row : null,
    after: op === 'd' || op === 't' ? null : row,
    source: { db: 'shop', schema, table, ts_ms: 0 },
    ts_ms: 0,
  },
  key: row && 'id' in row ? { id: row.id } : null,
  columns: null,
  position: null,
});
const keyOf = (row: ChangeRow) => String(row.id);
const fold = (changes: MirrorChange[]) => {
  const folded = foldRows(changes, keyOf);
  return { deletes: folded.deletes.map((c) => c.envelope.before), upserts: folded.upserts };
};

describe('foldRows', () => {
  it('folds insert, update, delete, insert of one key to a delete and the last insert', () => {
    expect(
      fold([
        change('c', { id: 1, status: 'new' }),
        change('u', { id: 1, status: 'paid' }),
        change('d', { id: 1 }),
        change('c', { id: 1, status: 'again' }),
      ]),
    ).toEqual({ deletes: [{ id: 1 }], upserts: [[{ id: 1, status: 'again' }]] });
  });

  it('turns an upsert then a delete into the delete alone', () => {
    expect(fold([change('c', { id: 1, status: 'new' }), change('d', { id: 1 })])).toEqual({
      deletes: [{ id: 1 }],
      upserts: [],
    });
  });

  it('keeps the last of several updates, and an update that changes nothing', () => {
    expect(
      fold([
        change('u', { id: 2, status: 'paid' }),
        change('u', { id: 2, status: 'shipped' }),
        change('u', { id: 3, status: 'new' }),
        change('u', { id: 3, status: 'new' }),
      ]),
    ).toEqual({
      deletes: [],
      upserts: [
        [
          { id: 2, status: 'shipped' },
          { id: 3, status: 'new' },
        ],
      ],
    });
  });

  it('keeps the earlier value of a column a later update left out (unchanged TOAST)', () => {
    expect(
      fold([
        change('c', { id: 1, status: 'new', note: 'long' }),
        change('u', { id: 1, status: 'paid' }),
        change('u', { id: 4, status: 'paid' }),
      ]),
    ).toEqual({
      deletes: [],
      // Two column sets: two statements.
      upserts: [[{ id: 1, status: 'paid', note: 'long' }], [{ id: 4, status: 'paid' }]],
    });
  });

  it('does not merge an image across a delete', () => {
    expect(
      fold([
        change('c', { id: 1, status: 'new', note: 'long' }),
        change('d', { id: 1 }),
        change('c', { id: 1, status: 'again' }),
      ]).upserts,
    ).toEqual([[{ id: 1, status: 'again' }]]);
  });
});

describe('mirrorSteps', () => {
  it('gathers each table up to its truncate, the only barrier', () => {
    const changes = [
      change('c', { id: 1 }),
      change('c', { id: 1 }, 'lines'),
      change('t', null),
      change('u', { id: 1 }, 'lines'),
      change('c', { id: 2 }),
      change('t', null),
      change('t', null),
    ];
    expect(
      mirrorSteps(changes).map((step) =>
        step.kind === 'rows'
          ? `${step.table}: ${step.changes.map((c) => changes.indexOf(c)).join(',')}`
          : `truncate ${step.table} (${step.index})`,
      ),
    ).toEqual([
      'public.orders: 0',
      'truncate public.orders (2)',
      'public.orders: 4',
      'truncate public.orders (5)',
      'truncate public.orders (6)',
      // The other table's changes pass the truncates of orders.
      'public.lines: 1,3',
    ]);
  });
});

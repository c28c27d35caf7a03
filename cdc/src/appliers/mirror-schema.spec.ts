import { describe, expect, it } from '@jest/globals';
import { ConnectType } from '../envelope/connect-schema';
import { planSchemaChange, SchemaPlan } from './mirror-schema';
import { MirrorColumnType } from './mirror.repository';

const mirror = (columns: [string, MirrorColumnType][], primaryKey = ['id']) => ({
  columns: new Map(columns),
  primaryKey,
});
const relation = (columns: [string, ConnectType][], primaryKey: string[] | null = ['id']) => ({
  schema: 'public',
  table: 'orders',
  columns: columns.map(([field, type]) => ({ field, type, optional: true })),
  primaryKey,
});
const base: [string, MirrorColumnType][] = [
  ['id', 'integer'],
  ['a', 'text'],
  ['b', 'text'],
];
const tail = '— resnapshot or resume to treat as drop+add';

describe(planSchemaChange.name, () => {
  it.each<[string, [string, ConnectType][], SchemaPlan]>([
    [
      'nothing changed',
      [
        ['id', 'int32'],
        ['a', 'string'],
        ['b', 'string'],
      ],
      { steps: [], ambiguous: null },
    ],
    [
      'a column added',
      [
        ['id', 'int32'],
        ['a', 'string'],
        ['b', 'string'],
        ['c', 'boolean'],
      ],
      { steps: [{ kind: 'add', column: 'c', type: 'boolean' }], ambiguous: null },
    ],
    [
      'a column dropped',
      [
        ['id', 'int32'],
        ['b', 'string'],
      ],
      { steps: [{ kind: 'drop', column: 'a' }], ambiguous: null },
    ],
    [
      'a column renamed (same place, same type)',
      [
        ['id', 'int32'],
        ['x', 'string'],
        ['b', 'string'],
      ],
      { steps: [{ kind: 'rename', from: 'a', to: 'x' }], ambiguous: null },
    ],
    [
      // a text column cannot have become an integer by a rename: dropped and added
      'one gone, one new of another type in its place',
      [
        ['id', 'int32'],
        ['x', 'int64'],
        ['b', 'string'],
      ],
      {
        steps: [
          { kind: 'drop', column: 'a' },
          { kind: 'add', column: 'x', type: 'bigint' },
        ],
        ambiguous: null,
      },
    ],
    [
      'a type widened, one that narrowed kept',
      [
        ['id', 'int64'],
        ['a', 'int32'],
        ['b', 'string'],
      ],
      { steps: [{ kind: 'type', column: 'id', type: 'bigint' }], ambiguous: null },
    ],
    [
      'two columns renamed at once',
      [
        ['id', 'int32'],
        ['x', 'string'],
        ['y', 'string'],
      ],
      {
        steps: [
          { kind: 'drop', column: 'a' },
          { kind: 'drop', column: 'b' },
          { kind: 'add', column: 'x', type: 'text' },
          { kind: 'add', column: 'y', type: 'text' },
        ],
        ambiguous: `table public.orders: columns a, b replaced by x, y; cannot tell renames from drop+add ${tail}`,
      },
    ],
  ])('%s', (_, columns, plan) => {
    expect(planSchemaChange(mirror(base), relation(columns), false)).toEqual(plan);
  });

  it('drops a middle column and adds one at the end without asking', () => {
    const plan = planSchemaChange(
      mirror([...base, ['c', 'text']]),
      relation([
        ['id', 'int32'],
        ['b', 'string'],
        ['c', 'string'],
        ['d', 'string'],
      ]),
      false,
    );
    expect(plan).toEqual({
      steps: [
        { kind: 'drop', column: 'a' },
        { kind: 'add', column: 'd', type: 'text' },
      ],
      ambiguous: null,
    });
  });

  it('carries the primary key through a rename of its column', () => {
    const plan = planSchemaChange(
      mirror(base),
      relation(
        [
          ['order_id', 'int32'],
          ['a', 'string'],
          ['b', 'string'],
        ],
        ['order_id'],
      ),
      false,
    );
    expect(plan).toEqual({
      steps: [{ kind: 'rename', from: 'id', to: 'order_id' }],
      ambiguous: null,
    });
  });

  it('asks before taking a new primary key, unless the key is configured', () => {
    const columns: [string, ConnectType][] = [
      ['id', 'int32'],
      ['a', 'string'],
      ['b', 'string'],
    ];
    expect(planSchemaChange(mirror(base), relation(columns, ['id', 'a']), false)).toEqual({
      steps: [{ kind: 'key', columns: ['id', 'a'] }],
      ambiguous: `table public.orders: primary key changed from (id) to (id, a) ${tail} and take the new primary key`,
    });
    expect(planSchemaChange(mirror(base), relation(columns, ['id', 'a']), true)).toEqual({
      steps: [],
      ambiguous: null,
    });
  });
});

import { uuidv7 } from '@sextant/ingest';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ChangeOperation } from '../envelope';
import { ConnectSchema } from '../envelope/connect-schema';
import { ChangeRow } from '../envelope/debezium-codec';
import { slotPosition } from '../position';
import { ChangeApplier, PositionedChange } from './change-applier';

type Step = [op: ChangeOperation, row: ChangeRow | null];

/** Source transactions (txId → changes), positioned as the pgoutput reader does: commit LSN, index. */
const transactions = (txs: [txId: number, steps: Step[]][]): PositionedChange[] =>
  txs.flatMap(([txId, steps]) =>
    steps.map(([op, row], i) => ({
      position: slotPosition('fold', BigInt(txId * 100), i),
      message: {
        kind: 'change' as const,
        key: row && 'id' in row ? { id: row.id } : null,
        columns: [
          { type: 'int64', optional: false, field: 'id' },
          { type: 'string', optional: true, field: 'status' },
          { type: 'string', optional: true, field: 'note' },
        ],
        envelope: {
          op,
          before: op === 'd' ? row : null,
          after: op === 'd' || op === 't' ? null : row,
          source: { db: 'shop', schema: 'public', table: 'orders', txId, ts_ms: 1_700_000_000_000 },
          ts_ms: 1_700_000_000_000,
        },
      },
    })),
  );

describe('MirrorApplier folding (through ChangeApplier)', () => {
  let db: TestDatabase;
  let pool: Pool;
  const ids = { database: uuidv7(), lake: uuidv7() };
  const applier = (source: string) =>
    new ChangeApplier(pool, { source, sourceNodeId: ids.database, destinationNodeId: ids.lake });

  beforeAll(async () => {
    db = await createTestDatabase('cdc_mirror_fold');
    pool = new Pool({ connectionString: db.url, max: 4 });
    await pool.query(
      `INSERT INTO node (id, kind, reference, name, metadata, updated_at) VALUES
         ($1, 'database', 'fold.shop', 'Shop', '{}', now()), ($2, 'database', 'fold.lake', 'Lake', '{}', now())`,
      [ids.database, ids.lake],
    );
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const mirror = async (source: string) =>
    (
      await pool.query<{ id: string; status: string | null; note: string | null }>(
        `SELECT id::text, status, note FROM lake_${source}."public.orders" ORDER BY id`,
      )
    ).rows;
  /** Movement quantity per source transaction (parts of a continued transaction summed). */
  const quantities = async (source: string) => {
    const { rows } = await pool.query<{ tx: string; quantity: string }>(
      `SELECT split_part(external_id, ':', 3) AS tx, sum(quantity)::int::text AS quantity
         FROM movement WHERE external_id LIKE $1 GROUP BY 1 ORDER BY 1`,
      [`cdc:${source}:%`],
    );
    return Object.fromEntries(rows.map((r) => [r.tx, Number(r.quantity)]));
  };
  /** The same changes applied in one batch and one change at a time. */
  const both = async (name: string, changes: PositionedChange[]) => {
    await applier(`${name}_batch`).apply(changes);
    const single = applier(`${name}_single`);
    for (const change of changes) await single.apply([change]);
    return {
      batched: { rows: await mirror(`${name}_batch`), moved: await quantities(`${name}_batch`) },
      single: { rows: await mirror(`${name}_single`), moved: await quantities(`${name}_single`) },
    };
  };

  it('folds interleaved inserts, updates and deletes of the same keys as if applied one by one', async () => {
    const changes = transactions([
      [
        9,
        [
          ['c', { id: 2, status: 'new', note: 'long' }],
          ['c', { id: 3, status: 'new', note: 'long' }],
        ],
      ],
      // insert, update, delete, insert of one key
      [
        10,
        [
          ['c', { id: 1, status: 'new', note: 'a' }],
          ['u', { id: 1, status: 'paid', note: 'a' }],
          ['d', { id: 1 }],
          ['c', { id: 1, status: 'again', note: null }],
        ],
      ],
      // an update that changes nothing
      [11, [['u', { id: 2, status: 'new', note: 'long' }]]],
      // unchanged TOAST: note left out of the update, twice
      [
        12,
        [
          ['u', { id: 3, status: 'paid' }],
          ['u', { id: 3, status: 'packed' }],
        ],
      ],
      // inserted and deleted in the same batch
      [
        13,
        [
          ['c', { id: 4, status: 'new', note: 'b' }],
          ['d', { id: 4 }],
        ],
      ],
      // deleted and inserted again without the note: the old note goes
      [
        14,
        [
          ['d', { id: 2 }],
          ['c', { id: 2, status: 'back' }],
        ],
      ],
    ]);
    const { batched, single } = await both('interleaved', changes);
    expect(batched.rows).toEqual([
      { id: '1', status: 'again', note: null },
      { id: '2', status: 'back', note: null },
      { id: '3', status: 'packed', note: 'long' },
    ]);
    // every change counts one row, folded away or not
    expect(batched.moved).toEqual({ 9: 2, 10: 4, 11: 1, 12: 2, 13: 2, 14: 2 });
    expect(single).toEqual(batched);
  });

  it('treats a truncate as a barrier and counts the rows it removed', async () => {
    const changes = transactions([
      [
        20,
        [
          ['c', { id: 5, status: 'new', note: null }],
          ['c', { id: 6, status: 'new', note: null }],
          ['u', { id: 5, status: 'paid', note: null }],
        ],
      ],
      [21, [['t', null]]],
      [
        22,
        [
          ['c', { id: 7, status: 'new', note: null }],
          ['u', { id: 7, status: 'paid', note: null }],
          ['c', { id: 5, status: 'again', note: null }],
        ],
      ],
      [
        23,
        [
          ['d', { id: 7 }],
          ['t', null],
          ['c', { id: 8, status: 'new', note: null }],
        ],
      ],
    ]);
    const { batched, single } = await both('truncated', changes);
    expect(batched.rows).toEqual([{ id: '8', status: 'new', note: null }]);
    // 21: ids 5 and 6 removed; 23: the delete, 1 row (5) removed by the truncate, the insert
    expect(batched.moved).toEqual({ 20: 3, 21: 2, 22: 3, 23: 3 });
    expect(single).toEqual(batched);
  });

  it('writes every kind of value the same through the JSON upsert and the array upsert', async () => {
    const values: ChangeRow[] = [
      { id: 1, t: { a: [1, 'x'] }, j: 'plain', n: '9007199254740993', d: 0.1, b: true },
      { id: 2, t: 12.5, j: { k: 'v "q"', n: null }, n: -3, d: -1e21, b: false },
      { id: 3, t: 'tab\tline\n"quote" \\ é 😀', j: [1, 2], n: null, d: null, b: null },
      { id: 4, t: false, j: null, n: 0, d: 3, b: true },
    ];
    const columns: ConnectSchema[] = [
      { type: 'int64', optional: false, field: 'id' },
      { type: 'string', optional: true, field: 't' },
      { type: 'struct', optional: true, field: 'j' },
      { type: 'int64', optional: true, field: 'n' },
      { type: 'double', optional: true, field: 'd' },
      { type: 'boolean', optional: true, field: 'b' },
      { type: 'bytes', optional: true, field: 'blob' },
    ];
    const write = (source: string, withBlob: boolean) =>
      applier(source).apply(
        values.map((row, i) => ({
          position: slotPosition('fold', 100n, i),
          message: {
            kind: 'change' as const,
            key: { id: row.id },
            // A bytea column sends the rows through the arrays.
            columns: withBlob ? columns : columns.slice(0, -1),
            envelope: {
              op: 'c' as const,
              before: null,
              after: withBlob ? { ...row, blob: 'AAE=' } : row,
              source: { db: 'shop', schema: 'public', table: 'kinds', txId: 1, ts_ms: 0 },
              ts_ms: 0,
            },
          },
        })),
      );
    await write('kinds_json', false);
    await write('kinds_arrays', true);
    const read = async (source: string) =>
      (
        await pool.query(
          `SELECT id, t, j, n::text, d, b FROM lake_${source}."public.kinds" ORDER BY id`,
        )
      ).rows;
    const json = await read('kinds_json');
    expect(json).toEqual(await read('kinds_arrays'));
    expect(json[0]).toEqual({
      id: '1',
      t: '{"a":[1,"x"]}',
      j: 'plain',
      n: '9007199254740993',
      d: 0.1,
      b: true,
    });
    expect(json[1]).toMatchObject({ t: '12.5', j: { k: 'v "q"', n: null }, d: -1e21 });
    expect(json[2].t).toBe('tab\tline\n"quote" \\ é 😀');
    expect(json[3].t).toBe('false');
  });

  it('agrees with one change at a time on a long random mix over a few keys', async () => {
    // A fixed linear congruential sequence: the same mix on every run.
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const live = new Set<number>();
    const txs: [number, Step[]][] = [];
    for (let tx = 30; tx < 90; tx++) {
      const steps: Step[] = [];
      for (let i = 0; i < 1 + next(6); i++) {
        const id = 1 + next(6);
        if (live.has(id) && next(3) === 0) {
          steps.push(['d', { id }]);
          live.delete(id);
        } else {
          // An update sometimes leaves the note out (unchanged TOAST).
          const row =
            live.has(id) && next(2) === 0
              ? { id, status: `s${tx}.${i}` }
              : { id, status: `s${tx}.${i}`, note: `n${tx}.${i}` };
          steps.push([live.has(id) ? 'u' : 'c', row]);
          live.add(id);
        }
      }
      if (tx % 25 === 0) steps.push(['t', null]);
      if (tx % 25 === 0) live.clear();
      txs.push([tx, steps]);
    }
    const { batched, single } = await both('random', transactions(txs));
    expect(batched.rows.map((r) => Number(r.id))).toEqual([...live].sort((a, b) => a - b));
    expect(single).toEqual(batched);
  });
});

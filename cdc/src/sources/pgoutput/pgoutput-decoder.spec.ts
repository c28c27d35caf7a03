import { describe, expect, it } from '@jest/globals';
import { CdcDecodeError } from '../../errors';
import {
  decodePgoutputMessage,
  decodeReplicationMessage,
  encodeStandbyStatus,
  millisToPostgresTime,
} from './pgoutput-decoder';
import { PgoutputTranslator } from './pgoutput-translator';
import { valueOfText } from './pgoutput-values';

// Builders of pgoutput messages, byte for byte as the protocol documents them.
const u8 = (n: number) => Buffer.from([n]);
const i16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const i32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const i64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
const str = (s: string) => Buffer.concat([Buffer.from(s), u8(0)]);
const tag = (c: string) => Buffer.from(c, 'latin1');
const tuple = (...values: (string | null | 'u!')[]) =>
  Buffer.concat([
    i16(values.length),
    ...values.map((v) =>
      v === null
        ? tag('n')
        : v === 'u!'
          ? tag('u')
          : Buffer.concat([tag('t'), i32(Buffer.byteLength(v)), Buffer.from(v)]),
    ),
  ]);

const commitTime = millisToPostgresTime(Date.UTC(2026, 0, 2, 3, 4, 5));
const begin = Buffer.concat([tag('B'), i64(0x1000n), i64(commitTime), i32(742)]);
const commit = Buffer.concat([tag('C'), u8(0), i64(0x1000n), i64(0x1050n), i64(commitTime)]);
// inventory.products (id int4 key, name text, note text), REPLICA IDENTITY DEFAULT
const relation = Buffer.concat([
  tag('R'),
  i32(16384),
  str('inventory'),
  str('products'),
  tag('d'),
  i16(3),
  ...[
    [1, 'id', 23],
    [0, 'name', 25],
    [0, 'note', 25],
  ].flatMap(([flags, name, oid]) => [
    u8(flags as number),
    str(name as string),
    i32(oid as number),
    i32(-1),
  ]),
]);

describe('pgoutput decoder', () => {
  it('decodes XLogData and keepalives', () => {
    const xlog = Buffer.concat([tag('w'), i64(10n), i64(20n), i64(0n), begin]);
    expect(decodeReplicationMessage(xlog)).toMatchObject({
      tag: 'xlogData',
      walStart: 10n,
      walEnd: 20n,
    });
    const keepalive = Buffer.concat([tag('k'), i64(30n), i64(0n), u8(1)]);
    expect(decodeReplicationMessage(keepalive)).toEqual({
      tag: 'keepalive',
      walEnd: 30n,
      sendTime: 0n,
      replyRequested: true,
    });
  });

  it('encodes a standby status update of 34 bytes', () => {
    const status = encodeStandbyStatus({ written: 5n, flushed: 4n, applied: 4n }, 0);
    expect(status.length).toBe(34);
    expect(status.toString('latin1', 0, 1)).toBe('r');
    expect(status.readBigUInt64BE(9)).toBe(4n);
  });

  it('decodes Begin, Relation, Update with an unchanged TOAST column, Truncate, Commit', () => {
    expect(decodePgoutputMessage(begin, 1n)).toMatchObject({ tag: 'begin', xid: 742 });
    expect(decodePgoutputMessage(relation, 1n)).toMatchObject({
      tag: 'relation',
      schema: 'inventory',
      table: 'products',
      replicaIdentity: 'd',
      columns: [{ name: 'id', isKey: true, typeOid: 23 }, { name: 'name' }, { name: 'note' }],
    });
    const update = Buffer.concat([tag('U'), i32(16384), tag('N'), tuple('1', 'saw', 'u!')]);
    expect(decodePgoutputMessage(update, 1n)).toEqual({
      tag: 'update',
      relationId: 16384,
      oldTuple: null,
      newTuple: [{ kind: 'text', text: '1' }, { kind: 'text', text: 'saw' }, { kind: 'unchanged' }],
    });
    const truncate = Buffer.concat([tag('T'), i32(1), u8(2), i32(16384)]);
    expect(decodePgoutputMessage(truncate, 1n)).toEqual({
      tag: 'truncate',
      cascade: false,
      restartIdentity: true,
      relationIds: [16384],
    });
    expect(decodePgoutputMessage(commit, 1n)).toMatchObject({ tag: 'commit', endLsn: 0x1050n });
  });

  it('reports a truncated message with its LSN and byte', () => {
    const error = (() => {
      try {
        decodePgoutputMessage(begin.subarray(0, 12), 0x2an);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(CdcDecodeError);
    expect((error as CdcDecodeError).where).toEqual({ kind: 'lsn', lsn: 0x2an });
    expect((error as CdcDecodeError).reason).toBe(
      'truncated at byte 9: Begin commit time needs 8 bytes',
    );
  });
});

describe(PgoutputTranslator.name, () => {
  const translate = (...messages: Buffer[]) => {
    const translator = new PgoutputTranslator({
      slot: 's',
      db: 'shop',
      keys: new Map(),
      now: () => 0,
    });
    return messages.map((m, i) => translator.push(decodePgoutputMessage(m, BigInt(i)), BigInt(i)));
  };

  it('positions changes at the commit end LSN and flags unchanged TOAST columns', () => {
    const insert = Buffer.concat([tag('I'), i32(16384), tag('N'), tuple('2', 'saw', 'long')]);
    const update = Buffer.concat([tag('U'), i32(16384), tag('N'), tuple('2', 'big saw', 'u!')]);
    const tx = translate(relation, begin, insert, update, commit)[4]!;
    expect(tx.changes.map((c) => [c.position.lsn, c.position.sequence])).toEqual([
      [0x1050n, 0],
      [0x1050n, 1],
    ]);
    const { envelope, key } = tx.changes[1].message;
    expect(envelope).toMatchObject({
      op: 'u',
      before: null,
      after: { id: 2, name: 'big saw' },
      unchangedToast: ['note'],
      source: { db: 'shop', schema: 'inventory', table: 'products', txId: 742, snapshot: false },
    });
    expect(envelope.after).not.toHaveProperty('note');
    expect(envelope.source.ts_ms).toBe(Date.UTC(2026, 0, 2, 3, 4, 5));
    expect(key).toEqual({ id: 2 });
  });

  it('turns a changed key into a delete and a create', () => {
    const update = Buffer.concat([
      tag('U'),
      i32(16384),
      tag('K'),
      tuple('2', null, null),
      tag('N'),
      tuple('3', 'saw', 'x'),
    ]);
    const tx = translate(relation, begin, update, commit)[3]!;
    expect(tx.changes.map((c) => [c.message.envelope.op, c.message.key])).toEqual([
      ['d', { id: 2 }],
      ['c', { id: 3 }],
    ]);
    expect(tx.changes[0].message.envelope.before).toEqual({ id: 2 });
  });

  it('rejects a change of a relation that was not described', () => {
    const insert = Buffer.concat([tag('I'), i32(99), tag('N'), tuple('1')]);
    expect(() => translate(begin, insert)).toThrow('relation 99 was not described');
  });
});

describe(valueOfText.name, () => {
  it.each([
    ['t', 16, true],
    ['42', 23, 42],
    ['9007199254740993', 20, '9007199254740993'], // beyond 2^53: exact digits as a string
    ['12', 20, 12],
    ['1.5', 701, 1.5],
    ['NaN', 701, 'NaN'],
    ['12.50', 1700, '12.50'],
    ['{"a": [1]}', 3802, { a: [1] }],
    ['2026-01-02 03:04:05.123456+00', 1184, '2026-01-02T03:04:05.123456Z'],
    ['2026-01-02 05:04:05+02', 1184, '2026-01-02T03:04:05.000Z'],
    ['2026-01-02 03:04:05', 1114, '2026-01-02T03:04:05'],
    ['infinity', 1184, 'infinity'],
    ['2026-01-02', 1082, '2026-01-02'],
  ])('converts %s of type %i', (text, oid, expected) => {
    expect(valueOfText(text, oid)).toEqual(expected);
  });
});

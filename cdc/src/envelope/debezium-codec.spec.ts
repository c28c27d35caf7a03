import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CdcDecodeError, CdcWhere } from '../errors';
import { kafkaPosition } from '../position';
import {
  DecodedChange,
  debeziumTopic,
  decodeChangeMessage,
  encodeChangeEnvelope,
  MessageBytes,
} from './debezium-codec';

const dataDir = path.resolve(__dirname, '../../../../shared/data/debezium');
const haveData = existsSync(dataDir);
if (!haveData) console.log(`skipping the Debezium corpus: ${dataDir} is absent`);

const topic = 'fullfillment.inventory.products';
const lines = (file: string) =>
  readFileSync(path.join(dataDir, file), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
const decodeFile = (file: string) =>
  lines(file).map((line, offset) => {
    const decoded = decodeChangeMessage(line, kafkaPosition(topic, 0, offset));
    if (decoded.kind !== 'change') throw new Error(`line ${offset + 1} is a tombstone`);
    return decoded;
  });

(!haveData ? describe.skip : describe)(
  'decodeChangeMessage over the captured Debezium events',
  () => {
    const files = {
      exclude: 'debezium-postgres-data-schema-exclude.txt',
      include: 'debezium-postgres-data-schema-include.txt',
    };

    it.each(Object.entries(files))('decodes the 16 events of the schema-%s file', (_name, file) => {
      const events = decodeFile(file);
      // 9 snapshot reads (101-109), 2 creates (110, 111), 4 updates, 1 delete (111)
      expect(events.map((e) => e.envelope.op).join('')).toBe('rrrrrrrrruuccuud');
      expect(events.filter((e) => e.envelope.source.snapshot === true)).toHaveLength(9);
      expect(events[15].envelope).toMatchObject({
        op: 'd',
        after: null,
        before: { id: 111, weight: 5.17 },
        source: { schema: 'inventory', table: 'products', txId: 608, lsn: 34133800 },
        ts_ms: 1596010988596,
      });
    });

    it('decodes both files to the same envelopes', () => {
      const bare = decodeFile(files.exclude);
      const wrapped = decodeFile(files.include);
      expect(wrapped.map((e) => e.envelope)).toEqual(bare.map((e) => e.envelope));
      expect(bare.every((e) => e.columns === null)).toBe(true);
    });

    it('takes the column types from the Connect schema when it is present', () => {
      const [first] = decodeFile(files.include);
      expect(first.columns?.map((c) => [c.field, c.type, c.optional])).toEqual([
        ['id', 'int32', false],
        ['name', 'string', false],
        ['description', 'string', true],
        ['weight', 'double', true],
      ]);
    });

    it.each([true, false])(
      'encodes envelopes that decode to themselves (schema %s)',
      (withSchema) => {
        for (const [offset, event] of decodeFile(files.include).entries()) {
          const encoded = encodeChangeEnvelope(event.envelope, { withSchema });
          const again = decodeChangeMessage(
            encoded,
            kafkaPosition(topic, 0, offset),
          ) as DecodedChange;
          expect(again.envelope).toEqual(event.envelope);
          expect(again.columns === null).toBe(!withSchema);
        }
      },
    );
  },
);

describe(decodeChangeMessage.name, () => {
  const where = kafkaPosition('srv.public.t', 3, 42n);
  const source = { db: 'd', schema: 'public', table: 't', ts_ms: 1000, txId: 7, lsn: 99 };
  const event = (fields: Record<string, unknown>) =>
    JSON.stringify({ before: null, after: { id: 1 }, source, op: 'c', ts_ms: 1001, ...fields });

  it('returns a null value as a tombstone, with its key', () => {
    expect(decodeChangeMessage(null, where, '{"id":5}')).toEqual({
      kind: 'tombstone',
      key: { id: 5 },
    });
    expect(decodeChangeMessage(null, where)).toEqual({ kind: 'tombstone', key: null });
    expect(decodeChangeMessage('{"schema":null,"payload":null}', where)).toEqual({
      kind: 'tombstone',
      key: null,
    });
  });

  it('accepts a Buffer and a wrapped key', () => {
    const decoded = decodeChangeMessage(
      Buffer.from(event({ op: 'd', before: null, after: null })),
      where,
      '{"schema":{"type":"struct","fields":[{"type":"int32","field":"id"}]},"payload":{"id":1}}',
    );
    expect(decoded).toMatchObject({ kind: 'change', key: { id: 1 }, envelope: { op: 'd' } });
  });

  it.each([
    ['true', true],
    ['last', true],
    ['first', true],
    ['incremental', true],
    ['false', false],
    [null, false],
    [undefined, false],
  ])('normalises snapshot %j to %j', (snapshot, expected) => {
    const decoded = decodeChangeMessage(event({ source: { ...source, snapshot } }), where);
    expect((decoded as DecodedChange).envelope.source.snapshot).toBe(expected);
  });

  it('takes the envelope time from the source when the envelope has none', () => {
    const decoded = decodeChangeMessage(event({ ts_ms: undefined }), where) as DecodedChange;
    expect(decoded.envelope.ts_ms).toBe(1000);
  });

  it('takes the database as schema for sources without schemas (MySQL)', () => {
    const mysql = { db: 'inventory', table: 't', ts_ms: 5 };
    const decoded = decodeChangeMessage(event({ source: mysql }), where) as DecodedChange;
    expect(decoded.envelope.source).toMatchObject({ db: 'inventory', schema: 'inventory' });
  });

  const malformed: [string, MessageBytes, MessageBytes, string][] = [
    ['not JSON', '{"op":', null, 'value is not JSON'],
    ['an array', '[1,2]', null, 'value must be a JSON object, got an array'],
    ['a number', '17', null, 'value must be a JSON object, got a number'],
    ['no op', event({ op: undefined }), null, 'op missing'],
    ['an unknown op', event({ op: 'x' }), null, 'unknown op "x" (expected one of c, u, d, r, t)'],
    ['a create without after', event({ after: null }), null, 'after missing for op "c"'],
    [
      'an update without after',
      event({ op: 'u' }).replace('"after":{"id":1}', '"after":null'),
      null,
      'after missing for op "u"',
    ],
    [
      'after not an object',
      event({ after: [1] }),
      null,
      'after must be an object or null, got an array',
    ],
    [
      'a delete without before or key',
      event({ op: 'd', after: null }),
      null,
      'before missing for op "d" and the message has no key',
    ],
    ['no source', event({ source: undefined }), null, 'source missing'],
    ['source a string', event({ source: 'db' }), null, 'source must be an object, got a string'],
    ['no table', event({ source: { ...source, table: undefined } }), null, 'source.table missing'],
    [
      'an empty schema name',
      event({ source: { ...source, schema: '' } }),
      null,
      'source.schema must be a non-empty string, got ""',
    ],
    [
      'no schema nor db',
      event({ source: { table: 't', ts_ms: 1 } }),
      null,
      'source.schema missing',
    ],
    [
      'no source time',
      event({ source: { ...source, ts_ms: undefined } }),
      null,
      'source.ts_ms missing',
    ],
    [
      'a string source time',
      event({ source: { ...source, ts_ms: '1000' } }),
      null,
      'source.ts_ms must be a number, got a string',
    ],
    [
      'a string envelope time',
      event({ ts_ms: 'now' }),
      null,
      'ts_ms must be a number, got a string',
    ],
    [
      'a fractional txId',
      event({ source: { ...source, txId: 1.5 } }),
      null,
      'source.txId must be an integer or null, got 1.5',
    ],
    [
      'a bad schema wrapper',
      '{"schema":{"type":"record"},"payload":{}}',
      null,
      'value schema has unknown type "record"',
    ],
    ['a key that is not JSON', event({}), 'id=1', 'key is not JSON'],
    ['a key that is a string', event({}), '"1"', 'key must be a JSON object, got a string'],
  ];

  it.each(malformed)(
    'rejects %s, naming the reason and the position',
    (_name, value, key, reason) => {
      let error: unknown;
      try {
        decodeChangeMessage(value, where, key);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(CdcDecodeError);
      const decodeError = error as CdcDecodeError;
      expect(decodeError.where).toEqual(where);
      // JSON.parse's own message follows the reason for text that is not JSON
      expect(decodeError.reason.startsWith(reason)).toBe(true);
      expect(decodeError.message).toBe(
        `cannot decode change event at srv.public.t/3@42: ${decodeError.reason}`,
      );
    },
  );

  it('names an LSN when the message came from a replication slot without a name', () => {
    const lsn: CdcWhere = { kind: 'lsn', lsn: 34078720n };
    expect(() => decodeChangeMessage('nope', lsn)).toThrow(
      /^cannot decode change event at lsn 34078720: value is not JSON/,
    );
  });
});

describe(debeziumTopic.name, () => {
  it('joins server, schema and table, replacing characters Kafka topics cannot hold', () => {
    expect(debeziumTopic('fullfillment', 'inventory', 'products')).toBe(topic);
    expect(debeziumTopic('srv', 'my schema', 'tbl$1')).toBe('srv.my_schema.tbl_1');
  });
});

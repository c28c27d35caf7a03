import { describe, expect, it } from '@jest/globals';
import {
  decodeJsonRecords,
  decodeNdjsonRecords,
  decodeRecords,
  parseRfc3339,
} from './json-records';

const ms = 1_000_000n;
const now = 1_795_262_400_000n * ms; // 2026-11-21T12:00:00Z, the default time in these tests
const t = 1_795_255_200_000n * ms; // 2026-11-21T10:00:00Z

function one(record: unknown, options: Parameters<typeof decodeJsonRecords>[1] = {}) {
  const decoded = decodeJsonRecords(JSON.stringify(record), { defaultTime: now, ...options });
  expect(decoded.bodyError).toBeUndefined();
  return decoded;
}

describe(decodeJsonRecords.name, () => {
  it.each([
    [
      'the nested form',
      {
        measurement: 'scada',
        tags: { turbine: 'T01', site: 'north' },
        fields: { power_kw: 1200.5, state: 'running', ok: true },
        time: '2026-11-21T10:00:00Z',
      },
      {},
      {
        measurement: 'scada',
        tags: [
          ['site', 'north'],
          ['turbine', 'T01'],
        ],
        fields: [
          { key: 'power_kw', value: { type: 'float', value: 1200.5 } },
          { key: 'state', value: { type: 'string', value: 'running' } },
          { key: 'ok', value: { type: 'boolean', value: true } },
        ],
        time: t,
      },
    ],
    [
      'the flat form: strings are tags, numbers and booleans fields',
      { measurement: 'scada', turbine: 'T01', power_kw: 1200.5, ok: false, time: 1795255200000 },
      {},
      {
        measurement: 'scada',
        tags: [['turbine', 'T01']],
        fields: [
          { key: 'power_kw', value: { type: 'float', value: 1200.5 } },
          { key: 'ok', value: { type: 'boolean', value: false } },
        ],
        time: t,
      },
    ],
    [
      'no time: now',
      { measurement: 'm', fields: { v: 1 } },
      {},
      { tags: [], fields: [{ key: 'v', value: { type: 'float', value: 1 } }], time: now },
    ],
    [
      'null fields skipped (a missing reading)',
      { measurement: 'm', fields: { v: null, w: 2 } },
      {},
      { fields: [{ key: 'w', value: { type: 'float', value: 2 } }] },
    ],
    [
      'whole numbers as integers with integers=true, fractions still floats',
      { measurement: 'm', fields: { count: 42, v: 0.5 } },
      { integers: true },
      {
        fields: [
          { key: 'count', value: { type: 'integer', value: 42n } },
          { key: 'v', value: { type: 'float', value: 0.5 } },
        ],
      },
    ],
    [
      'seconds with a fraction',
      { measurement: 'm', v: 1, time: 1795255200.25 },
      { unit: 1_000_000_000n },
      { time: t + 250n * ms },
    ],
    [
      // 1795255200000000123 is beyond 2^53: exact only as a string.
      'nanoseconds as a string of digits, exactly',
      { measurement: 'm', v: 1, time: '1795255200000000123' },
      { unit: 1n },
      { time: t + 123n },
    ],
    [
      'an RFC 3339 offset and nanoseconds',
      { measurement: 'm', v: 1, time: '2026-11-21T11:30:00.000000007+01:30' },
      {},
      { time: t + 7n },
    ],
    [
      'topic tags over the record’s own',
      { measurement: 'm', tags: { turbine: 'spoof', site: 'a' }, fields: { v: 1 } },
      { extraTags: [['turbine', 'T07']] as [string, string][] },
      {
        tags: [
          ['site', 'a'],
          ['turbine', 'T07'],
        ],
      },
    ],
  ])('decodes %s', (_, record, options, expected) => {
    const { lines, errors } = one(record, options);
    expect(errors).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ line: 0, ...expected });
  });

  it.each([
    ['missing measurement', { fields: { v: 1 } }, /^missing measurement$/],
    [
      'a measurement that is not a string',
      { measurement: 7, v: 1 },
      /measurement must be a string, not a number/,
    ],
    [
      'no fields in the nested form',
      { measurement: 'm', tags: { a: 'b' } },
      /no fields: "fields" is missing/,
    ],
    ['no fields in the flat form', { measurement: 'm', site: 'a' }, /no fields: a record needs/],
    ['only null fields', { measurement: 'm', fields: { v: null } }, /no fields/],
    [
      'fields that are not an object',
      { measurement: 'm', fields: [1, 2] },
      /fields must be an object, not an array/,
    ],
    [
      'a nested object',
      { measurement: 'm', fields: { gps: { lat: 1 } } },
      /fields\.gps is an object: values must be numbers, booleans or strings/,
    ],
    ['a nested array in the flat form', { measurement: 'm', v: [1, 2] }, /^v is an array/],
    [
      'a number out of the float64 range',
      '{"measurement":"m","v":1e999}',
      /v is Infinity: NaN and ±Infinity cannot be stored/,
    ],
    [
      'a tag that is not a string',
      { measurement: 'm', tags: { n: 1 }, fields: { v: 1 } },
      /tags\.n is a number: tag values must be strings/,
    ],
    ['an empty tag', { measurement: 'm', site: '', v: 1 }, /site is empty: a tag needs a value/],
    [
      'an unknown key beside fields',
      { measurement: 'm', fields: { v: 1 }, extra: 1 },
      /unknown key "extra"/,
    ],
    [
      'a time without a zone',
      { measurement: 'm', v: 1, time: '2026-11-21T10:00:00' },
      /time "2026-11-21T10:00:00" is not an RFC 3339 time with a zone/,
    ],
    [
      'a day that does not exist',
      { measurement: 'm', v: 1, time: '2026-02-30T10:00:00Z' },
      /is not an RFC 3339 time/,
    ],
    [
      'a time that is a boolean',
      { measurement: 'm', v: 1, time: true },
      /time must be an RFC 3339 string or a number, not a boolean/,
    ],
    [
      'a nanosecond time as a JSON number',
      '{"measurement":"m","v":1,"time":1795255200000000123}',
      /beyond 2\^53 and lost precision/,
    ],
    [
      'a time out of range',
      { measurement: 'm', v: 1, time: '99999999999999999999' },
      /out of range/,
    ],
    [
      'an oversized string value',
      { measurement: 'm', fields: { note: 'x'.repeat(65) } },
      /fields\.note is longer than 64 bytes \(oversized\)/,
    ],
    [
      'an oversized series',
      {
        measurement: 'm'.repeat(200),
        tags: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'.repeat(100)])),
        fields: { v: 1 },
      },
      /series of field v is oversized/,
    ],
    ['a record that is not an object', [7], /expected an object, got a number/],
  ])('rejects %s with its reason', (_, record, message) => {
    const text = typeof record === 'string' ? record : JSON.stringify(record);
    const decoded = decodeJsonRecords(text, { defaultTime: now, maxRecordBytes: 64 });
    expect(decoded.bodyError).toBeUndefined();
    expect(decoded.lines).toEqual([]);
    expect(decoded.errors).toHaveLength(1);
    expect(decoded.errors[0].record).toBe(0);
    expect(decoded.errors[0].message).toMatch(message);
  });

  it('names each bad record of an array by its index and keeps the good ones', () => {
    const decoded = decodeJsonRecords(
      JSON.stringify([
        { measurement: 'm', v: 1 },
        { v: 2 },
        { measurement: 'm', v: 3 },
        { measurement: 'm', fields: {} },
      ]),
    );
    expect(decoded.lines.map((l) => l.line)).toEqual([0, 2]);
    expect(decoded.errors).toEqual([
      { record: 1, message: 'missing measurement' },
      { record: 3, message: expect.stringMatching(/^no fields/) as unknown as string },
    ]);
  });

  it.each([
    ['', /body is empty/],
    ['   ', /body is empty/],
    ['42', /must be a JSON object or an array of objects, not a number/],
    ['{"measurement":"m",', /body is not valid JSON/],
    ['{"measurement":"m","v":NaN}', /NaN and Infinity are not JSON numbers/],
  ])('refuses the body %j as a whole', (text, message) => {
    const decoded = decodeJsonRecords(text);
    expect(decoded.lines).toEqual([]);
    expect(decoded.bodyError).toMatch(message);
  });

  it('gives one series the same prefix whatever the tag order', () => {
    const a = one({ measurement: 'm', tags: { a: '1', b: '2' }, fields: { v: 1 } }).lines[0];
    const b = one({ measurement: 'm', b: '2', a: '1', v: 1 }).lines[0];
    expect(a.prefix).toBe(b.prefix);
  });
});

describe(decodeNdjsonRecords.name, () => {
  it('names bad lines by their 1-based number and skips blank lines', () => {
    const text = [
      '{"measurement":"m","v":1}',
      '',
      '{"measurement":"m","v":"x"}', // a string in the flat form is a tag: no fields
      '{"measurement":"m","v":NaN}',
      '{"measurement":"m","v":4}\r',
      'not json',
      `{"measurement":"m","s":"${'x'.repeat(100)}","v":1}`,
    ].join('\n');
    const decoded = decodeNdjsonRecords(text, { maxRecordBytes: 80 });
    expect(decoded.lines.map((l) => l.line)).toEqual([1, 5]);
    expect(decoded.errors.map((e) => e.record)).toEqual([3, 4, 6, 7]);
    expect(decoded.errors[0].message).toMatch(/^no fields/);
    expect(decoded.errors[1].message).toMatch(/NaN and Infinity are not JSON numbers/);
    expect(decoded.errors[2].message).toMatch(/^not valid JSON/);
    expect(decoded.errors[3].message).toMatch(/line is longer than 80 bytes \(oversized\)/);
  });

  it('takes an empty body as no records', () => {
    expect(decodeRecords('ndjson', '\n\n')).toEqual({ lines: [], errors: [] });
  });
});

describe(parseRfc3339.name, () => {
  it.each([
    ['2026-11-21T10:00:00Z', t],
    ['2026-11-21 10:00:00.5z', t + 500n * ms],
    ['2026-11-21T09:00:00-01:00', t],
    ['1970-01-01T00:00:00.000000001Z', 1n],
    ['1969-12-31T23:59:59Z', -1_000_000_000n],
  ])('reads %s', (text, ns) => {
    expect(parseRfc3339(text)).toBe(ns);
  });

  it.each([
    '2026-11-21',
    '2026-11-21T10:00Z',
    '2026-13-01T00:00:00Z',
    '2026-11-21T24:00:00Z',
    'soon',
  ])('refuses %s', (text) => {
    expect(parseRfc3339(text)).toBeNull();
  });
});

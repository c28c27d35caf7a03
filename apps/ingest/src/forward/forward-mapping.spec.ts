import { maxTagPatternLength, maxTagPatterns } from '@sextant/ingest';
import { describe, expect, it } from '@jest/globals';
import { ForwardEntry } from './forward-decoder';
import { forwardMappingOf, mapRecords, nodeReferencesOf } from './forward-mapping';

const t = 1_700_000_000_000_000_000n;
/** An entry at `t` plus some nanoseconds. */
const at = (plus: number, record: Record<string, unknown>) =>
  new ForwardEntry(1_700_000_000, plus, record);

describe(mapRecords.name, () => {
  it('makes numbers float fields, booleans boolean fields and nested maps dotted keys', () => {
    const { batch, events } = mapRecords(
      'cpu.local',
      [at(0, { cpu_p: 0.25, up: true, disk: { free: 10 }, big: 2n ** 40n })],
      forwardMappingOf({}),
    );
    const lines = batch.toLines();
    expect(events).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0].measurement).toBe('cpu.local');
    expect(lines[0].time).toBe(t);
    expect([...lines[0].fields].sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([
      { key: 'big', value: { type: 'integer', value: 2n ** 40n } },
      { key: 'cpu_p', value: { type: 'float', value: 0.25 } },
      { key: 'disk.free', value: { type: 'float', value: 10 } },
      { key: 'up', value: { type: 'boolean', value: true } },
    ]);
  });

  it('takes the measurement and the tag keys from the path’s mapping.forward', () => {
    const mapping = forwardMappingOf({ forward: { measurement: 'scada', tags: ['turbine', 'n'] } });
    const lines = mapRecords(
      'ignored.tag',
      [at(0, { turbine: 'T01', n: 3, level: 'info', wind: 7.5 })],
      mapping,
    ).batch.toLines();
    expect(lines[0].measurement).toBe('scada');
    expect(lines[0].tags).toEqual([
      ['n', '3'],
      ['turbine', 'T01'],
    ]);
    // an unlisted string beside a number is not kept
    expect(lines[0].fields.map((f) => f.key)).toEqual(['wind']);
  });

  it('keeps records without a numeric value as events, numbered by entry', () => {
    const { batch, events } = mapRecords(
      'app.log',
      [at(0, { v: 1 }), at(1, { log: 'disk full\u0000', raw: new Uint8Array([1, 2]), n: null })],
      forwardMappingOf({}),
    );
    expect(batch.toLines()).toHaveLength(1);
    expect(events).toEqual([
      {
        tag: 'app.log',
        time: t + 1n,
        entry: 2,
        // NUL cannot be stored in Postgres text; bytes become base64
        record: { log: 'disk full\uFFFD', raw: 'AQI=', n: null },
      },
    ]);
  });

  it('ignores a malformed mapping', () => {
    expect(forwardMappingOf({ forward: { measurement: 5, tags: 'x', nodes: ['a'] } })).toEqual({
      measurement: null,
      tags: new Set(),
      nodes: [],
    });
  });

  it('attributes records to the node of the first tag pattern that matches', () => {
    const mapping = forwardMappingOf(
      { forward: { nodes: { 'scada.t07.*': 't07', 'scada.*': 'farm', 'x.y': 'elsewhere' } } },
      // "elsewhere" is not a node the path may write to: the caller found no id for it.
      new Map([
        ['t07', 'id-t07'],
        ['farm', 'id-farm'],
      ]),
    );
    expect(nodeReferencesOf({ forward: { nodes: { a: 'r1', b: 5 } } })).toEqual(['r1']);
    const node = (tag: string) =>
      mapRecords(tag, [at(0, { v: 1 })], mapping).batch.toLines()[0].nodeId;
    expect(node('scada.t07.power')).toBe('id-t07');
    expect(node('scada.t08.power')).toBe('id-farm');
    // Dots are literal, not "any character".
    expect(node('scadaXt07')).toBeUndefined();
    expect(node('x.y')).toBeUndefined();
  });

  it('matches a tag against hostile patterns, and leaves out rules over the caps', () => {
    const node = new Map([['n', 'id-n']]);
    const hostile = forwardMappingOf(
      { forward: { nodes: { '*a*a*a*a*b': 'n', [`*${'a*'.repeat(20)}b`]: 'n' } } },
      node,
    );
    // Before the linear matcher, this one tag blocked the gateway for seconds.
    const tag = 'a'.repeat(200);
    expect(mapRecords(tag, [at(0, { v: 1 })], hostile).batch.toLines()[0].nodeId).toBeUndefined();
    expect(mapRecords(`${tag}b`, [at(0, { v: 1 })], hostile).batch.toLines()[0].nodeId).toBe(
      'id-n',
    );
    const tooLong = 'x'.repeat(maxTagPatternLength + 1);
    const many = Object.fromEntries(
      Array.from({ length: maxTagPatterns + 5 }, (_, i) => [`t${i}`, 'n']),
    );
    expect(forwardMappingOf({ forward: { nodes: { [tooLong]: 'n' } } }, node).nodes).toEqual([]);
    expect(forwardMappingOf({ forward: { nodes: many } }, node).nodes).toHaveLength(maxTagPatterns);
  });

  it('times points to the nanosecond, also near the end of 64-bit time', () => {
    for (const [seconds, nanos] of [
      [0, 0],
      [1_700_000_000, 123_456_789],
      [4_294_967_295, 999_999_999],
      [9_223_372_035, 999_999_999],
    ]) {
      const lines = mapRecords(
        'm',
        [new ForwardEntry(seconds, nanos, { v: 1 })],
        forwardMappingOf({}),
      ).batch.toLines();
      expect(lines[0].time).toBe(BigInt(seconds) * 1_000_000_000n + BigInt(nanos));
    }
  });
});

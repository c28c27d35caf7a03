import { describe, expect, it } from 'vitest';
import { forwardMappingOf, mapRecords, nodeReferencesOf } from './forward-mapping';

const t = 1_700_000_000_000_000_000n;

describe(mapRecords.name, () => {
  it('makes numbers float fields, booleans boolean fields and nested maps dotted keys', () => {
    const { lines, events } = mapRecords(
      'cpu.local',
      [{ time: t, record: { cpu_p: 0.25, up: true, disk: { free: 10 }, big: 2n ** 40n } }],
      forwardMappingOf({}),
    );
    expect(events).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0].measurement).toBe('cpu.local');
    expect(lines[0].time).toBe(t);
    expect(lines[0].fields).toEqual([
      { key: 'big', value: { type: 'integer', value: 2n ** 40n } },
      { key: 'cpu_p', value: { type: 'float', value: 0.25 } },
      { key: 'disk.free', value: { type: 'float', value: 10 } },
      { key: 'up', value: { type: 'boolean', value: true } },
    ]);
  });

  it('takes the measurement and the tag keys from the path’s mapping.forward', () => {
    const mapping = forwardMappingOf({ forward: { measurement: 'scada', tags: ['turbine', 'n'] } });
    const { lines } = mapRecords(
      'ignored.tag',
      [{ time: t, record: { turbine: 'T01', n: 3, level: 'info', wind: 7.5 } }],
      mapping,
    );
    expect(lines[0].measurement).toBe('scada');
    expect(lines[0].tags).toEqual([
      ['n', '3'],
      ['turbine', 'T01'],
    ]);
    // an unlisted string beside a number is not kept
    expect(lines[0].fields.map((f) => f.key)).toEqual(['wind']);
  });

  it('keeps records without a numeric value as events, numbered by entry', () => {
    const { lines, events } = mapRecords(
      'app.log',
      [
        { time: t, record: { v: 1 } },
        { time: t + 1n, record: { log: 'disk full\u0000', raw: new Uint8Array([1, 2]), n: null } },
      ],
      forwardMappingOf({}),
    );
    expect(lines).toHaveLength(1);
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
      mapRecords(tag, [{ time: 1n, record: { v: 1 } }], mapping).lines[0].nodeId;
    expect(node('scada.t07.power')).toBe('id-t07');
    expect(node('scada.t08.power')).toBe('id-farm');
    // Dots are literal, not "any character".
    expect(node('scadaXt07')).toBeUndefined();
    expect(node('x.y')).toBeUndefined();
  });
});

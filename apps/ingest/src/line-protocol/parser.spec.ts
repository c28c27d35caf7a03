import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '@sextant/testing';
import { LineProtocolParser, parseLineProtocol, precisionUnit } from './parser';

const parse = (text: string | Buffer, unit = 1n) =>
  parseLineProtocol(text, { unit, defaultTime: 7n * unit });

describe(LineProtocolParser.name, () => {
  it('reads plain decimals exactly as Number() does', () => {
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let k = 0; k < 5_000; k++) {
      let s = random() < 0.3 ? '-' : '';
      const digits = 1 + Math.floor(random() * 18);
      for (let d = 0; d < digits; d++) s += String(Math.floor(random() * 10));
      if (random() < 0.7) {
        const at = 1 + Math.floor(random() * (s.length - 1));
        s = `${s.slice(0, at)}.${s.slice(at)}`;
      }
      if (random() < 0.3) s += `e${random() < 0.5 ? '-' : ''}${Math.floor(random() * 30)}`;
      if (s.startsWith('-.') || s.endsWith('.')) continue;
      const { batch, errors } = parse(`m a=${s} 1`);
      expectWithMessage(errors, s).toEqual([]);
      expectWithMessage(Object.is(batch.floats[0], Number(s)), s).toBe(true);
    }
  }, 60_000);

  it.each([
    // [timestamp as written, precision, nanoseconds]
    ['1767225600000000000', 'ns', 1767225600000000000n],
    ['-1767225600123456789', 'ns', -1767225600123456789n],
    ['9223372036854775807', 'ns', 2n ** 63n - 1n],
    ['-9223372036854775808', 'ns', -(2n ** 63n)],
    ['0', 'ns', 0n],
    ['-0', 's', 0n],
    ['1767225600', 's', 1767225600000000000n],
    ['29453760', 'm', 1767225600000000000n],
    ['-490896', 'h', -1767225600000000000n],
    ['1767225600123', 'ms', 1767225600123000000n],
  ])('reads timestamp %s in %s', (written, precision, expected) => {
    const { batch, errors } = parse(`m v=1 ${written}`, precisionUnit(precision)!);
    expect(errors).toEqual([]);
    expect(batch.times[0]).toBe(expected);
  });

  it.each([
    ['9223372036854775808', 'ns'],
    ['-9223372036854775809', 'ns'],
    ['9223372037', 's'],
    ['12a', 'ns'],
  ])('refuses timestamp %s in %s', (written, precision) => {
    const { batch, errors } = parse(`m v=1 ${written}\nm v=2 5`, precisionUnit(precision)!);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ line: 1, column: 7 });
    // The good line is kept.
    expect(batch.length).toBe(1);
    expect(batch.floats[0]).toBe(2);
  });

  it('gives the same points for a body parsed afresh or by a parser that has seen its series', () => {
    const body =
      'cpu,host=a usage=1.5,idle=98.5 10\ncpu,host=b usage=2i 10\ncpu,host=a idle=97,usage=3 20\n' +
      'cpu,host=a usage="text" 30\nmem,host=a free=1u 10';
    const shared = new LineProtocolParser();
    for (let round = 0; round < 3; round++) {
      const fresh = parse(body);
      const again = shared.parse(body, { defaultTime: 7n });
      expect(again.errors).toEqual(fresh.errors);
      expect(again.batch.toLines()).toEqual(fresh.batch.toLines());
    }
    expect(
      parse(body)
        .batch.toLines()
        .map((l) => l.fields.map((f) => f.key)),
    ).toEqual([['usage', 'idle'], ['usage'], ['idle', 'usage'], ['usage'], ['free']]);
  });

  it('names a line that is not UTF-8 and keeps the others, with true line numbers', () => {
    const body = Buffer.concat([
      Buffer.from('m v=1 1\nm,tag=caf'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from(' v=2 2\nm,tag=café v=3 3'),
    ]);
    const { batch, errors } = parse(body);
    expect(errors).toEqual([
      expect.objectContaining({ line: 2, message: 'line is not valid UTF-8' }),
    ]);
    expect(batch.toLines().map((l) => [l.line, l.tags])).toEqual([
      [1, []],
      [3, [['tag', 'café']]],
    ]);
  });

  it('counts columns in characters, also after non-ASCII text', () => {
    const { errors } = parse('mé,t=é v=x 1');
    expect(errors[0]).toMatchObject({ line: 1, column: 10 });
  });

  it('skips a byte order mark at the start of the body', () => {
    const { batch, errors } = parse(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('m v=1 1')]),
    );
    expect(errors).toEqual([]);
    expect(batch.toLines()[0].measurement).toBe('m');
  });
});

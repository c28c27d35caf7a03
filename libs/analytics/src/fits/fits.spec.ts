import { describe, expect, it } from '@jest/globals';
import { AnalyticsInputError } from '../common/errors';
import { BinTable, findBinTable, readFits } from './fits';

/** A FITS header block from cards (key, value) padded to 2880 bytes. */
function header(cards: [string, string | number | boolean][]): string {
  const lines = cards.map(([key, value]) => {
    const v =
      typeof value === 'string'
        ? `'${value.padEnd(8)}'`.padEnd(20)
        : typeof value === 'boolean'
          ? (value ? 'T' : 'F').padStart(20)
          : String(value).padStart(20);
    return `${key.padEnd(8)}= ${v}`.padEnd(80);
  });
  lines.push('END'.padEnd(80));
  const text = lines.join('');
  return text.padEnd(Math.ceil(text.length / 2880) * 2880);
}

/** A primary HDU and a BINTABLE with columns of types I (unsigned by TZERO), B, J, K, E, D, L, A. */
function sampleFile(): Uint8Array {
  const rowBytes = 2 + 1 + 4 + 8 + 4 + 8 + 1 + 4;
  const rows = 3;
  const primary = header([
    ['SIMPLE', true],
    ['BITPIX', 8],
    ['NAXIS', 0],
    ['OBJECT', 'TEST'],
  ]);
  const ext = header([
    ['XTENSION', 'BINTABLE'],
    ['BITPIX', 8],
    ['NAXIS', 2],
    ['NAXIS1', rowBytes],
    ['NAXIS2', rows],
    ['PCOUNT', 0],
    ['GCOUNT', 1],
    ['TFIELDS', 8],
    ['TTYPE1', 'U16'],
    ['TFORM1', 'I'],
    ['TZERO1', 32768],
    ['TTYPE2', 'BYTE'],
    ['TFORM2', 'B'],
    ['TTYPE3', 'COUNT'],
    ['TFORM3', 'J'],
    ['TNULL3', -1],
    ['TSCAL3', 0.5],
    ['TTYPE4', 'BIG'],
    ['TFORM4', 'K'],
    ['TTYPE5', 'FLUX'],
    ['TFORM5', 'E'],
    ['TTYPE6', 'TIME'],
    ['TFORM6', '1D'],
    ['TTYPE7', 'FLAG'],
    ['TFORM7', 'L'],
    ['TTYPE8', 'NAME'],
    ['TFORM8', '4A'],
    ['EXTNAME', 'DATA'],
  ]);
  const data = new Uint8Array(2880);
  const view = new DataView(data.buffer);
  for (let r = 0; r < rows; r++) {
    let at = r * rowBytes;
    view.setInt16(at, [0, 1000, 32767][r] - 32768); // stored signed, read unsigned
    at += 2;
    view.setUint8(at, [0, 128, 255][r]);
    at += 1;
    view.setInt32(at, [10, -1, 7][r]);
    at += 4;
    view.setBigInt64(at, [1n, -(2n ** 40n), 2n ** 52n][r]);
    at += 8;
    view.setFloat32(at, [1.5, NaN, -2.25][r]);
    at += 4;
    view.setFloat64(at, [100.125, 200.25, 300.5][r]);
    at += 8;
    view.setUint8(at, ['T', 'F', '\0'][r].charCodeAt(0));
    at += 1;
    data.set(new TextEncoder().encode(['ab', 'cdef', 'g'][r]), at);
  }
  const head = new TextEncoder().encode(primary + ext);
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

describe(BinTable.name, () => {
  const file = readFits(sampleFile());
  const table = findBinTable(file, 'DATA');

  it('reads the header cards', () => {
    expect(file.hdus.map((h) => h.name)).toEqual(['PRIMARY', 'DATA']);
    expect(file.hdus[0].header.string('OBJECT')).toBe('TEST');
    expect(file.hdus[1].header.get('NAXIS2')).toBe(3);
  });

  it.each([
    ['U16', [32768 - 32768, 1000, 32767]], // TZERO 32768 makes the signed 16-bit values unsigned
    ['BYTE', [0, 128, 255]],
    ['COUNT', [5, NaN, 3.5]], // TNULL -1 is NaN, TSCAL 0.5 halves
    ['BIG', [1, -(2 ** 40), 2 ** 52]],
    ['FLUX', [1.5, NaN, -2.25]],
    ['TIME', [100.125, 200.25, 300.5]],
    ['FLAG', [1, 0, NaN]], // logical T, F, undefined
  ])('column %s', (name, values) => {
    expect(Array.from(table.numbers(name))).toEqual(values);
  });

  it('reads characters and refuses them as numbers', () => {
    expect(table.strings('NAME')).toEqual(['ab', 'cdef', 'g']);
    expect(() => table.numbers('NAME')).toThrow(/column NAME of HDU 1 has type A/);
  });

  it('names the missing table', () => {
    expect(() => findBinTable(file, 'LIGHTCURVE')).toThrow(
      /no binary table named LIGHTCURVE; the file has PRIMARY \(primary\), DATA \(bintable\)/,
    );
  });

  it('reports a bad TFORM and a row size that does not add up as 400-style input errors', () => {
    const text = new TextDecoder('latin1').decode(sampleFile());
    const bad = new TextEncoder().encode(
      text.replace("TFORM2  = 'B       '", "TFORM2  = 'Z       '"),
    );
    let error: unknown;
    try {
      findBinTable(readFits(bad));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AnalyticsInputError);
    expect((error as AnalyticsInputError).fieldErrors[0]).toEqual({
      field: 'file',
      reason: "HDU 1: column 2 has an unknown TFORM2 'Z' (hdu 1)",
    });
    const wide = new TextEncoder().encode(
      text.replace("TFORM8  = '4A      '", "TFORM8  = '5A      '"),
    );
    expect(() => findBinTable(readFits(wide))).toThrow(
      /columns take 33 bytes a row but NAXIS1 is 32/,
    );
  });
});

// A reader of FITS files (the Flexible Image Transport System of astronomy): header cards of
// every HDU and the columns of binary tables (BINTABLE), big-endian, TSCALn/TZEROn/TNULLn
// applied. Enough for Kepler and TESS light curves; images are located but not decoded.
import { AnalyticsInputError } from '../common/errors';

const BLOCK = 2880;
const CARD = 80;

export type FitsValue = string | number | boolean | null;

/** One header card: keyword, value (null for commentary cards) and comment. */
export interface FitsCard {
  key: string;
  value: FitsValue;
  comment: string;
}

/** The header of one HDU, with typed look-ups. */
export class FitsHeader {
  private readonly byKey = new Map<string, FitsValue>();

  constructor(readonly cards: FitsCard[]) {
    for (const card of cards) {
      if (card.value !== null && !this.byKey.has(card.key)) this.byKey.set(card.key, card.value);
    }
  }

  /** Whether the keyword has a value. */
  has(key: string): boolean {
    return this.byKey.has(key);
  }

  /** The raw value of a keyword (undefined when absent). */
  get(key: string): FitsValue | undefined {
    return this.byKey.get(key);
  }

  /** A string keyword (trailing blanks removed), undefined when absent or not a string. */
  string(key: string): string | undefined {
    const value = this.byKey.get(key);
    return typeof value === 'string' ? value : undefined;
  }

  /** A numeric keyword, undefined when absent or not a number. */
  number(key: string): number | undefined {
    const value = this.byKey.get(key);
    return typeof value === 'number' ? value : undefined;
  }
}

/** A header-data unit: where its data lies in the file and what it holds. */
export interface FitsHdu {
  index: number;
  /** `PRIMARY`, or the extension's EXTNAME (or `HDU <n>` without one). */
  name: string;
  type: 'primary' | 'image' | 'bintable' | 'table' | 'other';
  header: FitsHeader;
  headerOffset: number;
  dataOffset: number;
  dataBytes: number;
}

/** A parsed FITS file: its bytes and its HDUs. */
export interface FitsFile {
  bytes: Uint8Array;
  hdus: FitsHdu[];
}

/**
 * Parses the headers of every HDU of a FITS file and locates their data. Errors name what is
 * wrong and where: not a FITS file, a truncated header or data unit, a malformed card.
 */
export function readFits(bytes: Uint8Array, field = 'file'): FitsFile {
  if (bytes.length < BLOCK || ascii(bytes, 0, 9) !== 'SIMPLE  =') {
    throw new AnalyticsInputError(
      field,
      bytes.length < BLOCK
        ? `not a FITS file: ${bytes.length} bytes, shorter than one 2880-byte header block`
        : 'not a FITS file: it does not start with the SIMPLE keyword',
      { offset: 0 },
    );
  }
  const hdus: FitsHdu[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const index = hdus.length;
    // Trailing bytes that are not a header (some writers pad with zeros) end the file.
    if (index > 0 && ascii(bytes, offset, 9) !== 'XTENSION=') {
      if (bytes.subarray(offset).every((b) => b === 0 || b === 0x20)) break;
      throw new AnalyticsInputError(field, `HDU ${index}: expected an XTENSION card`, { offset });
    }
    const { cards, end } = readHeader(bytes, offset, index, field);
    const header = new FitsHeader(cards);
    const dataOffset = end;
    const dataBytes = dataSize(header, index, field);
    const type = hduType(header, index);
    const name = index === 0 ? 'PRIMARY' : (header.string('EXTNAME') ?? `HDU ${index}`);
    if (dataOffset + dataBytes > bytes.length) {
      throw new AnalyticsInputError(
        field,
        `truncated file: HDU ${index} (${name}) needs ${dataBytes} data bytes from offset ` +
          `${dataOffset}, the file ends at ${bytes.length}`,
        { hdu: index, offset: bytes.length },
      );
    }
    hdus.push({ index, name, type, header, headerOffset: offset, dataOffset, dataBytes });
    offset = dataOffset + Math.ceil(dataBytes / BLOCK) * BLOCK;
  }
  return { bytes, hdus };
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  const end = Math.min(start + length, bytes.length);
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

function readHeader(
  bytes: Uint8Array,
  start: number,
  hdu: number,
  field: string,
): { cards: FitsCard[]; end: number } {
  const cards: FitsCard[] = [];
  for (let offset = start; ; offset += CARD) {
    if (offset + CARD > bytes.length) {
      throw new AnalyticsInputError(
        field,
        `truncated file: the header of HDU ${hdu} has no END card before the end of the file`,
        { hdu, offset: bytes.length },
      );
    }
    const text = ascii(bytes, offset, CARD);
    const key = text.slice(0, 8).trimEnd();
    if (key === 'END') {
      const used = offset + CARD - start;
      return { cards, end: start + Math.ceil(used / BLOCK) * BLOCK };
    }
    for (let i = 0; i < CARD; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new AnalyticsInputError(field, `HDU ${hdu}: header card with a non-ASCII byte`, {
          hdu,
          offset: offset + i,
        });
      }
    }
    if (key === 'CONTINUE' && cards.length > 0) {
      const previous = cards[cards.length - 1];
      const { value } = parseValue(text.slice(8), hdu, offset, field);
      if (typeof previous.value === 'string' && typeof value === 'string') {
        previous.value = previous.value.replace(/&$/, '') + value;
      }
      continue;
    }
    if (text.slice(8, 10) !== '= ' || key === 'COMMENT' || key === 'HISTORY' || key === '') {
      cards.push({ key, value: null, comment: text.slice(8).trimEnd() });
      continue;
    }
    const { value, comment } = parseValue(text.slice(10), hdu, offset, field);
    cards.push({ key, value, comment });
  }
}

function parseValue(
  raw: string,
  hdu: number,
  offset: number,
  field: string,
): { value: FitsValue; comment: string } {
  const text = raw.trimStart();
  if (text.startsWith("'")) {
    let value = '';
    let i = 1;
    for (;;) {
      if (i >= text.length) {
        throw new AnalyticsInputError(field, `HDU ${hdu}: unterminated string value`, {
          hdu,
          offset,
        });
      }
      if (text[i] === "'") {
        if (text[i + 1] === "'") {
          value += "'";
          i += 2;
          continue;
        }
        break;
      }
      value += text[i++];
    }
    const rest = text.slice(i + 1);
    const slash = rest.indexOf('/');
    return { value: value.trimEnd(), comment: slash >= 0 ? rest.slice(slash + 1).trim() : '' };
  }
  const slash = text.indexOf('/');
  const token = (slash >= 0 ? text.slice(0, slash) : text).trim();
  const comment = slash >= 0 ? text.slice(slash + 1).trim() : '';
  if (token === '') return { value: null, comment };
  if (token === 'T' || token === 'F') return { value: token === 'T', comment };
  const number = Number(token.replace(/[dD]/, 'e'));
  if (!Number.isNaN(number)) return { value: number, comment };
  // Complex values "(re, im)" and anything else are kept as text.
  return { value: token, comment };
}

function requiredInt(header: FitsHeader, key: string, hdu: number, field: string): number {
  const value = header.number(key);
  if (value === undefined || !Number.isInteger(value)) {
    throw new AnalyticsInputError(field, `HDU ${hdu}: missing or non-integer ${key}`, { hdu });
  }
  return value;
}

function dataSize(header: FitsHeader, hdu: number, field: string): number {
  const bitpix = requiredInt(header, 'BITPIX', hdu, field);
  if (![8, 16, 32, 64, -32, -64].includes(bitpix)) {
    throw new AnalyticsInputError(field, `HDU ${hdu}: BITPIX ${bitpix} is not valid`, { hdu });
  }
  const naxis = requiredInt(header, 'NAXIS', hdu, field);
  if (naxis === 0) return 0;
  let count = 1;
  const first = header.get('NAXIS1') === 0 && hdu === 0 ? 2 : 1; // random groups
  for (let i = first; i <= naxis; i++) count *= requiredInt(header, `NAXIS${i}`, hdu, field);
  const pcount = header.number('PCOUNT') ?? 0;
  const gcount = header.number('GCOUNT') ?? 1;
  return (Math.abs(bitpix) / 8) * gcount * (pcount + count);
}

function hduType(header: FitsHeader, index: number): FitsHdu['type'] {
  if (index === 0) return 'primary';
  switch (header.string('XTENSION')) {
    case 'BINTABLE':
      return 'bintable';
    case 'TABLE':
      return 'table';
    case 'IMAGE':
      return 'image';
    default:
      return 'other';
  }
}

/** A column of a binary table as its TTYPEn/TFORMn/TUNITn/TSCALn/TZEROn/TNULLn describe it. */
export interface BinTableColumn {
  index: number;
  name: string;
  /** The TFORMn type code: L X B I J K A E D C M P Q. */
  code: string;
  repeat: number;
  unit: string | undefined;
  scale: number;
  zero: number;
  nullValue: number | undefined;
  /** Byte offset of the field inside a row. */
  offset: number;
  /** Bytes of the field in a row. */
  width: number;
}

const typeBytes: Record<string, number> = {
  L: 1,
  B: 1,
  I: 2,
  J: 4,
  K: 8,
  A: 1,
  E: 4,
  D: 8,
  C: 8,
  M: 16,
  P: 8,
  Q: 16,
};

/** A binary table extension: its columns and typed access to their values. */
export class BinTable {
  readonly columns: BinTableColumn[];
  readonly rows: number;
  readonly rowBytes: number;
  private readonly view: DataView;

  constructor(
    readonly file: FitsFile,
    readonly hdu: FitsHdu,
    private readonly field = 'file',
  ) {
    if (hdu.type !== 'bintable') {
      throw new AnalyticsInputError(field, `HDU ${hdu.index} (${hdu.name}) is not a BINTABLE`, {
        hdu: hdu.index,
      });
    }
    const h = hdu.header;
    this.rowBytes = requiredInt(h, 'NAXIS1', hdu.index, field);
    this.rows = requiredInt(h, 'NAXIS2', hdu.index, field);
    const fields = requiredInt(h, 'TFIELDS', hdu.index, field);
    this.view = new DataView(
      file.bytes.buffer,
      file.bytes.byteOffset + hdu.dataOffset,
      hdu.dataBytes,
    );
    const columns: BinTableColumn[] = [];
    let offset = 0;
    for (let i = 1; i <= fields; i++) {
      const form = h.string(`TFORM${i}`);
      const match = form ? /^\s*(\d*)([LXBIJKAEDCMPQ])/.exec(form) : null;
      if (!form || !match) {
        throw new AnalyticsInputError(
          field,
          `HDU ${hdu.index}: column ${i} has ${form ? `an unknown TFORM${i} '${form}'` : `no TFORM${i}`}`,
          { hdu: hdu.index },
        );
      }
      const repeat = match[1] === '' ? 1 : Number(match[1]);
      const code = match[2];
      const width = code === 'X' ? Math.ceil(repeat / 8) : repeat * typeBytes[code];
      columns.push({
        index: i,
        name: h.string(`TTYPE${i}`) ?? `COL${i}`,
        code,
        repeat,
        unit: h.string(`TUNIT${i}`),
        scale: h.number(`TSCAL${i}`) ?? 1,
        zero: h.number(`TZERO${i}`) ?? 0,
        nullValue: h.number(`TNULL${i}`),
        offset,
        width,
      });
      offset += width;
    }
    if (offset !== this.rowBytes) {
      throw new AnalyticsInputError(
        field,
        `HDU ${hdu.index}: the columns take ${offset} bytes a row but NAXIS1 is ${this.rowBytes}`,
        { hdu: hdu.index },
      );
    }
    this.columns = columns;
  }

  /** The column of that TTYPE name (case-insensitive), or an error naming the table's columns. */
  column(name: string): BinTableColumn {
    const wanted = name.toUpperCase();
    const column = this.columns.find((c) => c.name.toUpperCase() === wanted);
    if (!column) {
      throw new AnalyticsInputError(
        this.field,
        `missing column ${name} in HDU ${this.hdu.index} (${this.hdu.name}); it has ` +
          this.columns.map((c) => c.name).join(', '),
        { hdu: this.hdu.index },
      );
    }
    return column;
  }

  /** Whether the table has a column of that name (case-insensitive). */
  hasColumn(name: string): boolean {
    const wanted = name.toUpperCase();
    return this.columns.some((c) => c.name.toUpperCase() === wanted);
  }

  /**
   * The values of a numeric column (row after row, `repeat` values a row) as doubles, with
   * TSCALn/TZEROn applied; TNULLn integers and NaN floats become NaN. Logical columns give
   * 1, 0 or NaN.
   */
  numbers(name: string): Float64Array {
    const column = this.column(name);
    const { code, repeat, scale, zero, nullValue } = column;
    const size = typeBytes[code];
    if (!size || code === 'A' || code === 'C' || code === 'M' || code === 'P' || code === 'Q') {
      throw new AnalyticsInputError(
        this.field,
        `column ${column.name} of HDU ${this.hdu.index} has type ${code}, not a real number`,
        { hdu: this.hdu.index },
      );
    }
    const out = new Float64Array(this.rows * repeat);
    const view = this.view;
    const scaled = scale !== 1 || zero !== 0;
    let k = 0;
    for (let row = 0; row < this.rows; row++) {
      let at = row * this.rowBytes + column.offset;
      for (let r = 0; r < repeat; r++, at += size, k++) {
        let value: number;
        switch (code) {
          case 'D':
            value = view.getFloat64(at);
            break;
          case 'E':
            value = view.getFloat32(at);
            break;
          case 'J':
            value = view.getInt32(at);
            break;
          case 'I':
            value = view.getInt16(at);
            break;
          case 'B':
            value = view.getUint8(at);
            break;
          case 'K': {
            const big = view.getBigInt64(at);
            // Beyond 2^53 the double loses digits (as any reader returning numbers does).
            value = nullValue !== undefined && big === BigInt(nullValue) ? NaN : Number(big);
            break;
          }
          case 'L': {
            const b = view.getUint8(at);
            value = b === 0x54 ? 1 : b === 0x46 ? 0 : NaN;
            break;
          }
          default:
            value = NaN;
        }
        if (nullValue !== undefined && code !== 'D' && code !== 'E' && value === nullValue) {
          value = NaN;
        }
        out[k] = scaled ? value * scale + zero : value;
      }
    }
    return out;
  }

  /** The values of a character (A) column, one string per row, trailing blanks removed. */
  strings(name: string): string[] {
    const column = this.column(name);
    if (column.code !== 'A') {
      throw new AnalyticsInputError(
        this.field,
        `column ${column.name} of HDU ${this.hdu.index} has type ${column.code}, not characters`,
        { hdu: this.hdu.index },
      );
    }
    const out: string[] = [];
    const bytes = this.file.bytes;
    for (let row = 0; row < this.rows; row++) {
      const at = this.hdu.dataOffset + row * this.rowBytes + column.offset;
      let end = at + column.width;
      const zero = bytes.subarray(at, end).indexOf(0);
      if (zero >= 0) end = at + zero;
      out.push(ascii(bytes, at, end - at).trimEnd());
    }
    return out;
  }
}

/** The first binary table of the file (or the one named `extname`). */
export function findBinTable(file: FitsFile, extname?: string, field = 'file'): BinTable {
  const hdu = file.hdus.find(
    (h) => h.type === 'bintable' && (extname === undefined || h.name === extname),
  );
  if (!hdu) {
    throw new AnalyticsInputError(
      field,
      `no binary table${extname ? ` named ${extname}` : ''}; the file has ` +
        file.hdus.map((h) => `${h.name} (${h.type})`).join(', '),
    );
  }
  return new BinTable(file, hdu, field);
}

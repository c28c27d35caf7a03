import { AnalyticsInputError } from './errors';

/** A parsed CSV table: header names and rows of raw string cells. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  /** 1-based line number in the source of each row (for error messages). */
  lines: number[];
}

export interface CsvOptions {
  /** Lines starting with this are skipped (e.g. `#` in NASA Exoplanet Archive tables). */
  comment?: string;
  /** Field name used in errors, e.g. `koi.csv`. */
  field?: string;
}

/**
 * Parses CSV text (RFC 4180 quoting, CRLF or LF, comment lines skipped, blank lines ignored);
 * the first non-comment line is the header. Rows with a wrong cell count are errors naming
 * their line.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvTable {
  const field = options.field ?? 'csv';
  const header: string[] = [];
  const rows: string[][] = [];
  const lines: number[] = [];
  let lineNo = 0;
  let pos = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) pos = 1;
  while (pos < n) {
    lineNo++;
    const lineStart = pos;
    if (options.comment && text.startsWith(options.comment, pos)) {
      const end = text.indexOf('\n', pos);
      pos = end < 0 ? n : end + 1;
      continue;
    }
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    let startLine = lineNo;
    for (;;) {
      if (pos >= n) {
        if (quoted) {
          throw new AnalyticsInputError(field, 'unterminated quoted cell', { line: startLine });
        }
        cells.push(cell);
        break;
      }
      const c = text[pos];
      if (quoted) {
        if (c === '"') {
          if (text[pos + 1] === '"') {
            cell += '"';
            pos += 2;
          } else {
            quoted = false;
            pos++;
          }
        } else {
          if (c === '\n') lineNo++;
          cell += c;
          pos++;
        }
      } else if (c === '"' && cell === '') {
        quoted = true;
        startLine = lineNo;
        pos++;
      } else if (c === ',') {
        cells.push(cell);
        cell = '';
        pos++;
      } else if (c === '\n' || c === '\r') {
        cells.push(cell);
        pos += c === '\r' && text[pos + 1] === '\n' ? 2 : 1;
        break;
      } else {
        cell += c;
        pos++;
      }
    }
    if (cells.length === 1 && cells[0] === '' && pos - lineStart <= 2) continue;
    if (header.length === 0) {
      header.push(...cells.map((h) => h.trim()));
      continue;
    }
    if (cells.length !== header.length) {
      throw new AnalyticsInputError(
        field,
        `expected ${header.length} cells, found ${cells.length}`,
        { line: lineNo },
      );
    }
    rows.push(cells);
    lines.push(lineNo);
  }
  if (header.length === 0) throw new AnalyticsInputError(field, 'no header line');
  return { header, rows, lines };
}

/** Index of a header column, or an error naming the missing column. */
export function columnIndex(table: CsvTable, name: string, field = 'csv'): number {
  const index = table.header.indexOf(name);
  if (index < 0) throw new AnalyticsInputError(field, `missing column "${name}"`);
  return index;
}

/** A cell as a number: NaN when empty; an error naming line and column when not a number. */
export function numberCell(table: CsvTable, row: number, column: number, field = 'csv'): number {
  const raw = table.rows[row][column].trim();
  if (raw === '') return NaN;
  const value = Number(raw);
  if (Number.isNaN(value)) {
    throw new AnalyticsInputError(field, `"${raw}" is not a number`, {
      line: table.lines[row],
      column: table.header[column],
    });
  }
  return value;
}

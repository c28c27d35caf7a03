// NASA C-MAPSS turbofan run-to-failure data (train_FD00x.txt): one row per engine and cycle,
// 26 whitespace-separated columns: unit, cycle, 3 operating settings, 21 sensors.
import { AnalyticsInputError } from '../common/errors';

/** Names of the 24 measurement columns after unit and cycle. */
export const cmapssColumns = [
  'setting1',
  'setting2',
  'setting3',
  ...Array.from({ length: 21 }, (_, i) => `s${i + 1}`),
] as const;
export type CmapssColumn = (typeof cmapssColumns)[number];

/** One engine's run: its cycles and, per column, one value per cycle. */
export interface EngineRun {
  unit: number;
  cycles: Int32Array;
  /** Column name → values, one per cycle (same order as `cycles`). */
  columns: Record<CmapssColumn, Float64Array>;
}

/**
 * Parses a C-MAPSS file into engine runs ordered by unit, each ordered by cycle. Errors name
 * the line: a wrong column count, a value that is not a number, a cycle out of order.
 */
export function parseCmapss(text: string, field = 'file'): EngineRun[] {
  const rows = new Map<number, number[][]>();
  let lineNo = 0;
  for (const raw of text.split('\n')) {
    lineNo++;
    const line = raw.trim();
    if (line === '') continue;
    const cells = line.split(/\s+/);
    if (cells.length !== 26) {
      throw new AnalyticsInputError(field, `expected 26 columns, found ${cells.length}`, {
        line: lineNo,
      });
    }
    const values = cells.map((cell, i) => {
      const v = Number(cell);
      if (!Number.isFinite(v)) {
        throw new AnalyticsInputError(field, `"${cell}" is not a number`, {
          line: lineNo,
          column: i + 1,
        });
      }
      return v;
    });
    const unit = values[0];
    const list = rows.get(unit) ?? [];
    const previous = list[list.length - 1];
    if (previous && values[1] !== previous[1] + 1) {
      throw new AnalyticsInputError(
        field,
        `unit ${unit}: cycle ${values[1]} follows cycle ${previous[1]}`,
        { line: lineNo },
      );
    }
    list.push(values);
    rows.set(unit, list);
  }
  if (rows.size === 0) throw new AnalyticsInputError(field, 'no rows');
  return [...rows.entries()]
    .sort(([a], [b]) => a - b)
    .map(([unit, list]) => {
      const columns = {} as Record<CmapssColumn, Float64Array>;
      cmapssColumns.forEach((name, c) => {
        columns[name] = Float64Array.from(list, (r) => r[c + 2]);
      });
      return { unit, cycles: Int32Array.from(list, (r) => r[1]), columns };
    });
}

/** Remaining useful life at each cycle of a run-to-failure engine: last cycle − cycle. */
export function remainingLife(run: EngineRun, cap = Infinity): Float64Array {
  const last = run.cycles[run.cycles.length - 1];
  return Float64Array.from(run.cycles, (c) => Math.min(cap, last - c));
}

/** The first `cycles` cycles of a run (a run cut before failure, as in the C-MAPSS tests). */
export function truncateRun(run: EngineRun, cycles: number): EngineRun {
  const columns = {} as Record<CmapssColumn, Float64Array>;
  for (const name of cmapssColumns) columns[name] = run.columns[name].subarray(0, cycles);
  return { unit: run.unit, cycles: run.cycles.subarray(0, cycles), columns };
}

// 10-minute SCADA of a wind turbine in the layout of the Kaggle "Wind Turbine Scada Dataset"
// (T1.csv): Date/Time "DD MM YYYY HH:MM", LV ActivePower (kW), Wind Speed (m/s),
// Theoretical_Power_Curve (KWh), Wind Direction (°).
import { columnIndex, numberCell, parseCsv } from '../common/csv';
import { AnalyticsInputError } from '../common/errors';

/** A turbine's SCADA rows on typed arrays, time ascending. */
export interface TurbineScada {
  /** Epoch milliseconds (the file's local times read as UTC). */
  time: Float64Array;
  /** Active power, kW. */
  power: Float64Array;
  /** Wind speed, m/s. */
  windSpeed: Float64Array;
  /** The manufacturer's power curve at that wind speed, kW (the file's theoretical column). */
  theoreticalPower: Float64Array;
  /** Degrees. */
  windDirection: Float64Array;
}

/**
 * Parses T1.csv-style SCADA text (the header's degree sign is Latin-1: decode the bytes as
 * latin1). Errors name the line and column.
 */
export function parseTurbineScada(text: string, field = 'file'): TurbineScada {
  const table = parseCsv(text, { field });
  const find = (prefix: string) => {
    const name = table.header.find((h) => h.startsWith(prefix));
    if (!name) throw new AnalyticsInputError(field, `missing column "${prefix}…"`);
    return columnIndex(table, name, field);
  };
  const c = {
    time: find('Date/Time'),
    power: find('LV ActivePower'),
    wind: find('Wind Speed'),
    theoretical: find('Theoretical_Power_Curve'),
    direction: find('Wind Direction'),
  };
  const n = table.rows.length;
  const out: TurbineScada = {
    time: new Float64Array(n),
    power: new Float64Array(n),
    windSpeed: new Float64Array(n),
    theoreticalPower: new Float64Array(n),
    windDirection: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    const raw = table.rows[r][c.time].trim();
    const m = /^(\d{2}) (\d{2}) (\d{4}) (\d{2}):(\d{2})$/.exec(raw);
    if (!m) {
      throw new AnalyticsInputError(field, `"${raw}" is not a DD MM YYYY HH:MM time`, {
        line: table.lines[r],
        column: table.header[c.time],
      });
    }
    out.time[r] = Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5]);
    if (r > 0 && out.time[r] <= out.time[r - 1]) {
      throw new AnalyticsInputError(field, `time ${raw} is not after the previous row`, {
        line: table.lines[r],
      });
    }
    out.power[r] = numberCell(table, r, c.power, field);
    out.windSpeed[r] = numberCell(table, r, c.wind, field);
    out.theoreticalPower[r] = numberCell(table, r, c.theoretical, field);
    out.windDirection[r] = numberCell(table, r, c.direction, field);
  }
  return out;
}

// Solar plant data in the layout of the Kaggle "Solar Power Generation Data" (plant 1):
// inverter generation every 15 minutes and the plant's weather sensors.
import { columnIndex, numberCell, parseCsv, type CsvTable } from '../common/csv';
import { AnalyticsInputError } from '../common/errors';

/** Generation rows (one per inverter and 15-minute slot), in file order. */
export interface SolarGeneration {
  /** Epoch ms (the file's local time, shifted by `utcOffsetMinutes`). */
  time: Float64Array;
  plantId: string;
  /** As reported: DC_POWER and AC_POWER (kW for AC, see `analyseSolarPlant` for DC). */
  dcPower: Float64Array;
  acPower: Float64Array;
  /** kWh since the day's start, and the inverter's lifetime counter (kWh). */
  dailyYield: Float64Array;
  totalYield: Float64Array;
  /** SOURCE_KEY when the file has it, else null (this copy has none: see reconstructInverters). */
  sourceKey: string[] | null;
}

/** Weather sensor rows, one per 15-minute slot. */
export interface SolarWeather {
  time: Float64Array;
  ambientTemperature: Float64Array;
  moduleTemperature: Float64Array;
  /** Irradiation over the slot, kW/m². */
  irradiation: Float64Array;
}

/** Parses "DD-MM-YYYY HH:MM" (this copy) or "YYYY-MM-DD HH:MM:SS" (the original files). */
function timeCell(table: CsvTable, r: number, c: number, offsetMs: number, field: string): number {
  const raw = table.rows[r][c].trim();
  let m = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2})$/.exec(raw);
  if (m) return Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5]) - offsetMs;
  m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})(?::(\d{2}))?$/.exec(raw);
  if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0)) - offsetMs;
  throw new AnalyticsInputError(field, `"${raw}" is not a DD-MM-YYYY HH:MM time`, {
    line: table.lines[r],
    column: table.header[c],
  });
}

/** Parses Plant_N_Generation_Data.csv; `utcOffsetMinutes` is the plant's zone (default 0). */
export function parseSolarGeneration(
  text: string,
  options: { utcOffsetMinutes?: number; field?: string } = {},
): SolarGeneration {
  const field = options.field ?? 'generation';
  const offset = (options.utcOffsetMinutes ?? 0) * 60_000;
  const table = parseCsv(text, { field });
  const col = (name: string) => columnIndex(table, name, field);
  const c = {
    time: col('DATE_TIME'),
    plant: col('PLANT_ID'),
    dc: col('DC_POWER'),
    ac: col('AC_POWER'),
    daily: col('DAILY_YIELD'),
    total: col('TOTAL_YIELD'),
    key: table.header.indexOf('SOURCE_KEY'),
  };
  const n = table.rows.length;
  if (n === 0) throw new AnalyticsInputError(field, 'no rows');
  const out: SolarGeneration = {
    time: new Float64Array(n),
    plantId: table.rows[0][c.plant].trim(),
    dcPower: new Float64Array(n),
    acPower: new Float64Array(n),
    dailyYield: new Float64Array(n),
    totalYield: new Float64Array(n),
    sourceKey: c.key >= 0 ? [] : null,
  };
  for (let r = 0; r < n; r++) {
    out.time[r] = timeCell(table, r, c.time, offset, field);
    out.dcPower[r] = numberCell(table, r, c.dc, field);
    out.acPower[r] = numberCell(table, r, c.ac, field);
    out.dailyYield[r] = numberCell(table, r, c.daily, field);
    out.totalYield[r] = numberCell(table, r, c.total, field);
    if (out.sourceKey) out.sourceKey.push(table.rows[r][c.key].trim());
  }
  return out;
}

/** Parses Plant_N_Weather_Sensor_Data.csv. */
export function parseSolarWeather(
  text: string,
  options: { utcOffsetMinutes?: number; field?: string } = {},
): SolarWeather {
  const field = options.field ?? 'weather';
  const offset = (options.utcOffsetMinutes ?? 0) * 60_000;
  const table = parseCsv(text, { field });
  const col = (name: string) => columnIndex(table, name, field);
  const c = {
    time: col('DATE_TIME'),
    ambient: col('AMBIENT_TEMPERATURE'),
    module: col('MODULE_TEMPERATURE'),
    irradiation: col('IRRADIATION'),
  };
  const n = table.rows.length;
  const out: SolarWeather = {
    time: new Float64Array(n),
    ambientTemperature: new Float64Array(n),
    moduleTemperature: new Float64Array(n),
    irradiation: new Float64Array(n),
  };
  for (let r = 0; r < n; r++) {
    out.time[r] = timeCell(table, r, c.time, offset, field);
    out.ambientTemperature[r] = numberCell(table, r, c.ambient, field);
    out.moduleTemperature[r] = numberCell(table, r, c.module, field);
    out.irradiation[r] = numberCell(table, r, c.irradiation, field);
  }
  return out;
}

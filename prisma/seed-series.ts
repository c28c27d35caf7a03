import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ColumnBatch, TimeSeriesStore } from '@sextant/timeseries';
import { Pool } from 'pg';

// Demo sensor data for the explorer: 30 days of 10-minute SCADA for the 12 turbines (T01 is the
// real turbine of ../shared/data/wind/T1.csv, the others T1-shaped with their own offsets and
// noise), turbine state events, and 15-minute solar inverter and weather readings. Time runs up
// to the seed's "now", so the explorer's recent presets show data.

const minute = 60_000_000_000n;
const tenMinutes = 10n * minute;
const quarter = 15n * minute;

interface T1Rows {
  /** Minutes since the first row, per row (T1 has gaps). */
  minutes: number[];
  columns: Float64Array[];
}

function loadT1(sharedData: string): T1Rows | null {
  const file = path.join(sharedData, 'wind', 'T1.csv');
  if (!existsSync(file)) return null;
  const minutes: number[] = [];
  const columns: number[][] = [[], [], [], []];
  let first: number | null = null;
  for (const line of readFileSync(file, 'latin1').split(/\r?\n/).slice(1)) {
    const cells = line.split(',');
    const m = /^(\d\d) (\d\d) (\d{4}) (\d\d):(\d\d)$/.exec(cells[0] ?? '');
    if (!m || cells.length < 5) continue;
    const time = Date.UTC(+m[3], +m[2] - 1, +m[1], +m[4], +m[5]) / 60_000;
    first ??= time;
    minutes.push(time - first);
    for (let c = 0; c < 4; c++) columns[c].push(Number(cells[c + 1]));
  }
  return { minutes, columns: columns.map((c) => Float64Array.from(c)) };
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const round = (v: number, decimals: number) => Math.round(v * 10 ** decimals) / 10 ** decimals;

const windFields = [
  { field: 'active_power_kw', resource: 'wind.power.active', column: 0, decimals: 1 },
  { field: 'wind_speed_ms', resource: 'wind.speed', column: 1, decimals: 2 },
  { field: 'theoretical_power_kw', resource: 'wind.power.theoretical', column: 2, decimals: 1 },
  { field: 'wind_direction_deg', resource: 'wind.direction', column: 3, decimals: 1 },
];

export interface DemoSeriesContext {
  nodeIds: Map<string, string>;
  resourceIds: Map<string, string>;
  now: Date;
  days: number;
  sharedData: string;
}

/** Writes the demo series unless some exist; returns what it did. */
export async function seedDemoSeries(
  databaseUrl: string,
  context: DemoSeriesContext,
): Promise<string> {
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const { rows } = await pool.query('SELECT 1 FROM series LIMIT 1');
    if (rows.length) return 'series already loaded';
    const store = new TimeSeriesStore(pool);
    const t1 = loadT1(context.sharedData);
    const end = ((BigInt(context.now.getTime()) * 1_000_000n) / tenMinutes) * tenMinutes;
    const start = end - BigInt(context.days) * 1440n * minute;
    let points = 0;
    let series = 0;
    const write = async (owner: string, resource: string, batch: ColumnBatch) => {
      const result = await store.writeColumns([batch], {
        nodeId: context.nodeIds.get(owner) ?? null,
        resourceId: context.resourceIds.get(resource) ?? null,
      });
      if (result.rejected.length) throw new Error(`demo series: ${result.rejected[0].reason}`);
      points += result.accepted;
      series++;
    };

    for (let n = 1; n <= 12; n++) {
      const turbine = `T${String(n).padStart(2, '0')}`;
      const node = `acme.north.t${String(n).padStart(2, '0')}`;
      const rand = random(n * 101);
      // T01 replays T1.csv from its first row with its real gaps; the others start further in.
      const offset = n === 1 ? 0 : n * 2500;
      const times: bigint[] = [];
      const rows: number[] = [];
      if (t1) {
        const base = t1.minutes[offset];
        for (let r = offset; r < t1.minutes.length; r++) {
          const time = start + BigInt(t1.minutes[r] - base) * minute;
          if (time >= end) break;
          times.push(time);
          rows.push(r);
        }
      } else {
        for (let time = start; time < end; time += tenMinutes) {
          times.push(time);
          rows.push(times.length);
        }
      }
      const timeArray = BigInt64Array.from(times);
      for (const spec of windFields) {
        const values = Float64Array.from(rows, (r, i) => {
          const real = t1 ? t1.columns[spec.column][r] : 5 + 3 * Math.sin(i / 50);
          const noisy = n === 1 ? real : real * (0.97 + 0.06 * rand());
          return round(spec.column === 3 ? noisy % 360 : noisy, spec.decimals);
        });
        await write(node, spec.resource, {
          measurement: 'scada',
          tags: { site: 'north', turbine },
          field: spec.field,
          type: 'float',
          times: timeArray,
          values,
        });
      }
      // State events: a point whenever the operating state changes.
      const power = rows.map((r) => (t1 ? t1.columns[0][r] : 1));
      const wind = rows.map((r) => (t1 ? t1.columns[1][r] : 5));
      const stateTimes: bigint[] = [];
      const states: string[] = [];
      power.forEach((p, i) => {
        const state = p > 10 ? 'running' : wind[i] < 3.5 ? 'idle' : 'stopped';
        if (states[states.length - 1] !== state) {
          stateTimes.push(times[i]);
          states.push(state);
        }
      });
      await write(node, 'turbine.state', {
        measurement: 'scada',
        tags: { site: 'north', turbine },
        field: 'state',
        type: 'string',
        times: stateTimes,
        values: states,
      });
    }

    // Solar: irradiation follows the sun (52°N, clear days with passing clouds).
    const solarTimes: bigint[] = [];
    for (let time = start; time < end; time += quarter) solarTimes.push(time);
    const rand = random(5);
    const irradiation = solarTimes.map((time) => {
      const hours = Number((time / minute) % 1440n) / 60;
      const sun = Math.max(0, Math.sin(((hours - 6) / 12) * Math.PI));
      return round(sun * (0.75 + 0.25 * rand()), 3);
    });
    const timeArray = BigInt64Array.from(solarTimes);
    await write('acme.solar.weather', 'solar.irradiation', {
      measurement: 'weather',
      tags: { site: 'solar' },
      field: 'irradiation_kw_m2',
      type: 'float',
      times: timeArray,
      values: Float64Array.from(irradiation),
    });
    await write('acme.solar.weather', 'solar.temperature.module', {
      measurement: 'weather',
      tags: { site: 'solar' },
      field: 'module_temperature_c',
      type: 'float',
      times: timeArray,
      values: Float64Array.from(irradiation, (g) => round(8 + 35 * g + 2 * rand(), 1)),
    });
    for (let n = 1; n <= 8; n++) {
      const inverter = `INV${String(n).padStart(2, '0')}`;
      const node = `acme.solar.inv${String(n).padStart(2, '0')}`;
      const dc = irradiation.map((g) => round(g * 100 * (0.95 + 0.05 * rand()), 2));
      for (const [field, resource, values] of [
        ['dc_power_kw', 'solar.power.dc', dc],
        ['ac_power_kw', 'solar.power.ac', dc.map((p) => round(p * 0.965, 2))],
      ] as const) {
        await write(node, resource, {
          measurement: 'inverter',
          tags: { site: 'solar', inverter },
          field,
          type: 'float',
          times: timeArray,
          values: Float64Array.from(values),
        });
      }
    }
    return `${series} series, ${points} points${t1 ? ' (T01 replays T1.csv)' : ''}`;
  } finally {
    await pool.end();
  }
}

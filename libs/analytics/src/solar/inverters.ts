// Which generation row belongs to which inverter. With SOURCE_KEY that is given; this copy of
// the data lacks it, so inverters are followed through their lifetime energy counter
// (TOTAL_YIELD), which only grows, by a few hundred kWh per slot at most, and differs between
// inverters by far more.
import { check } from '../common/errors';
import { median } from '../common/stats';
import type { SolarGeneration } from './plant-data';

/** One inverter: its id and its rows in the generation data, time ascending. */
export interface InverterRows {
  id: string;
  rows: Uint32Array;
}

export interface InverterReconstruction {
  inverters: InverterRows[];
  /** How the identity was found: the SOURCE_KEY column, or the TOTAL_YIELD counters. */
  method: 'source-key' | 'total-yield';
  /**
   * Evidence for the counter method: share of inverter-days whose TOTAL_YIELD increase equals
   * the day's last DAILY_YIELD within 1 % (1 when every inverter was followed correctly).
   */
  dailyYieldAgreement: number;
}

/**
 * Groups generation rows by inverter: by SOURCE_KEY when present, else by following each
 * TOTAL_YIELD counter from slot to slot (rows of a slot matched to counters by the smallest
 * departure from the plant-wide increase; a row matching no counter starts a new inverter).
 * Counter-followed inverters are named INV-01… in the order of their first counter value.
 */
export function reconstructInverters(
  gen: SolarGeneration,
  options: { maxIncreaseKwh?: number } = {},
): InverterReconstruction {
  const n = gen.time.length;
  check(n > 0, 'generation', 'has no rows');
  if (gen.sourceKey) {
    const byKey = new Map<string, number[]>();
    gen.sourceKey.forEach((key, i) => byKey.set(key, [...(byKey.get(key) ?? []), i]));
    const inverters = [...byKey.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([id, rows]) => ({ id, rows: sortedByTime(gen, rows) }));
    return { inverters, method: 'source-key', dailyYieldAgreement: agreement(gen, inverters) };
  }
  const maxIncrease = options.maxIncreaseKwh ?? 20_000;
  const order = sortedByTime(
    gen,
    Array.from({ length: n }, (_, i) => i),
  );
  const tracks: { last: number; rows: number[] }[] = [];
  for (let a = 0; a < n;) {
    let b = a + 1;
    while (b < n && gen.time[order[b]] === gen.time[order[a]]) b++;
    const slot = Array.from(order.subarray(a, b));
    a = b;
    if (tracks.length === 0) {
      for (const i of slot) tracks.push({ last: gen.totalYield[i], rows: [i] });
      continue;
    }
    const pairs: { inc: number; row: number; track: number }[] = [];
    const smallest = new Map<number, number>();
    for (const row of slot) {
      for (let t = 0; t < tracks.length; t++) {
        const inc = gen.totalYield[row] - tracks[t].last;
        if (inc < -1 || inc > maxIncrease) continue;
        pairs.push({ inc, row, track: t });
        if (!smallest.has(row) || inc < smallest.get(row)!) smallest.set(row, inc);
      }
    }
    // Inverters of one plant see the same sun: the usual increase of this slot.
    const usual = smallest.size ? median([...smallest.values()]) : 0;
    pairs.sort((x, y) => Math.abs(x.inc - usual) - Math.abs(y.inc - usual));
    const usedRows = new Set<number>();
    const usedTracks = new Set<number>();
    for (const p of pairs) {
      if (usedRows.has(p.row) || usedTracks.has(p.track)) continue;
      usedRows.add(p.row);
      usedTracks.add(p.track);
      tracks[p.track].last = gen.totalYield[p.row];
      tracks[p.track].rows.push(p.row);
    }
    for (const row of slot) {
      if (!usedRows.has(row)) tracks.push({ last: gen.totalYield[row], rows: [row] });
    }
  }
  tracks.sort((x, y) => gen.totalYield[x.rows[0]] - gen.totalYield[y.rows[0]]);
  const width = String(tracks.length).length < 2 ? 2 : String(tracks.length).length;
  const inverters = tracks.map((t, k) => ({
    id: `INV-${String(k + 1).padStart(width, '0')}`,
    rows: Uint32Array.from(t.rows),
  }));
  return { inverters, method: 'total-yield', dailyYieldAgreement: agreement(gen, inverters) };
}

function sortedByTime(gen: SolarGeneration, rows: number[]): Uint32Array {
  return Uint32Array.from(rows).sort((a, b) => gen.time[a] - gen.time[b] || a - b);
}

/**
 * Share of inverter-days whose counter increase matches the day's final DAILY_YIELD (1 %); a
 * day ends where DAILY_YIELD falls back (its reset at the plant's midnight).
 */
function agreement(gen: SolarGeneration, inverters: InverterRows[]): number {
  let days = 0;
  let agree = 0;
  for (const inv of inverters) {
    const rows = inv.rows;
    let start = 0;
    for (let k = 1; k <= rows.length; k++) {
      if (k < rows.length && gen.dailyYield[rows[k]] >= gen.dailyYield[rows[k - 1]]) continue;
      const first = rows[start];
      const last = rows[k - 1];
      const daily = gen.dailyYield[last];
      // The counter at the day's first row already holds that row's yield of the day.
      const increase = gen.totalYield[last] - gen.totalYield[first] + gen.dailyYield[first];
      if (daily > 100) {
        days++;
        if (Math.abs(increase - daily) <= 0.01 * daily) agree++;
      }
      start = k;
    }
  }
  return days ? agree / days : 0;
}

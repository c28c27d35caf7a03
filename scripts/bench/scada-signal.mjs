// A realistic turbine SCADA signal for the time-series benchmark: the 10-minute means of
// ../shared/data/wind/T1.csv interpolated to the benchmark's spacing, plus correlated sensor
// noise (an AR(1) process), rounded to the decimals such sensors send.
import { readFileSync } from 'node:fs';

/** Fields of a turbine: T1.csv column, decimals, AR(1) innovation (sensor noise) in units. */
export const scadaFields = [
  { field: 'active_power_kw', column: 1, decimals: 1, noise: 1.5, min: -20, max: 3700 },
  { field: 'wind_speed_ms', column: 2, decimals: 2, noise: 0.03, min: 0, max: 40 },
  { field: 'wind_direction_deg', column: 4, decimals: 1, noise: 0.3, min: 0, max: 360 },
  { field: 'theoretical_power_kw', column: 3, decimals: 1, noise: 1.0, min: 0, max: 3700 },
];

/** Loads T1.csv's numeric columns (10-minute rows). */
export function loadT1(file) {
  const lines = readFileSync(file, 'utf8').trim().split('\n').slice(1);
  const columns = [null, [], [], [], []];
  for (const line of lines) {
    const cells = line.split(',');
    for (let c = 1; c <= 4; c++) columns[c].push(Number(cells[c]));
  }
  return columns.map((c) => (c ? Float64Array.from(c) : null));
}

/** A deterministic pseudo-random source (mulberry32) with a normal sample. */
export function random(seed) {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = uniform() || 1e-12;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

/**
 * Values of one series: `count` points at `stepSeconds`, starting at row `offset` of T1.
 * Returns a Float64Array of values rounded to the field's decimals.
 */
export function scadaValues(t1, spec, { count, stepSeconds, offset, seed }) {
  const source = t1[spec.column];
  const rng = random(seed);
  const perRow = 600 / stepSeconds;
  const scale = 10 ** spec.decimals;
  const out = new Float64Array(count);
  let noise = 0;
  for (let i = 0; i < count; i++) {
    const position = offset + i / perRow;
    const row = Math.floor(position) % (source.length - 1);
    const frac = position - Math.floor(position);
    const base = source[row] * (1 - frac) + source[row + 1] * frac;
    noise = 0.9 * noise + spec.noise * rng.normal();
    const value = Math.min(spec.max, Math.max(spec.min, base + noise));
    out[i] = Math.round(value * scale) / scale;
  }
  return out;
}

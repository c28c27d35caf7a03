import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { missingSharedData, sharedData } from '../testing/shared-data';
import { analyseTurbine, classifyRows, rowStates, type TurbinePerformance } from './performance';
import { expectedPower, flatRows, learnPowerCurve } from './power-curve';
import { parseTurbineScada, type TurbineScada } from './scada';

const file = 'wind/T1.csv';
const missing = missingSharedData(file);
if (missing) console.warn(`skipping the wind turbine tests: ${missing}`);

describe(parseTurbineScada.name, () => {
  it('names a bad time and a bad number', () => {
    const header =
      'Date/Time,LV ActivePower (kW),Wind Speed (m/s),Theoretical_Power_Curve (KWh),Wind Direction (°)';
    expect(() => parseTurbineScada(`${header}\n2018-01-01 00:00,1,2,3,4\n`)).toThrow(
      'file: "2018-01-01 00:00" is not a DD MM YYYY HH:MM time (line 2, column Date/Time)',
    );
    expect(() => parseTurbineScada(`${header}\n01 01 2018 00:00,1,fast,3,4\n`)).toThrow(
      'file: "fast" is not a number (line 2, column Wind Speed (m/s))',
    );
    expect(() => parseTurbineScada('Date/Time,Power\n')).toThrow(
      'file: missing column "LV ActivePower…"',
    );
  });
});

describe(flatRows.name, () => {
  it('marks runs of at least three rows that barely change', () => {
    const power = Float64Array.of(100, 3461, 3462, 3461.5, 2000, 2001, 1500);
    expect(Array.from(flatRows(power, 2))).toEqual([0, 1, 1, 1, 0, 0, 0]);
  });
});

(missing !== undefined ? describe.skip : describe)('wind turbine T1 (2018 SCADA)', () => {
  let scada: TurbineScada;
  let result: TurbinePerformance;
  beforeAll(() => {
    scada = parseTurbineScada(readFileSync(sharedData(file), 'latin1'));
    result = analyseTurbine(scada, 'T1');
  });

  it('reads the file', () => {
    // Data README: 50,530 rows of 2018, 10 minutes apart with 2,030 slots missing.
    expect(scada.time.length).toBe(50530);
    expect(new Date(scada.time[0]).toISOString()).toBe('2018-01-01T00:00:00.000Z');
    expect(new Date(scada.time[50529]).toISOString()).toBe('2018-12-31T23:50:00.000Z');
    expect((scada.time[50529] - scada.time[0]) / 600_000 + 1 - 50530).toBe(2030);
    expect(scada.power[0]).toBe(380.0477905);
  });

  it('learns a power curve: 3.6 MW rated, cut-in 3.5 m/s, rated from 13 m/s', () => {
    const { curve } = result;
    expect(curve.ratedPower).toBeCloseTo(3602.7, 1);
    expect(curve.cutInSpeed).toBe(3.5);
    expect(curve.ratedSpeed).toBe(13);
    // Monotonic up to rated power.
    const rising = curve.bins.filter((b) => b.speed <= 14);
    for (let b = 1; b < rising.length; b++)
      expect(rising[b].power).toBeGreaterThanOrEqual(rising[b - 1].power);
  });

  it.each([
    // wind m/s, learned kW, the file's theoretical curve kW: the turbine gives 8-13 % less than
    // its manufacturer's curve between 6 and 12 m/s (nacelle anemometry and real losses).
    [6, 542, 624],
    [8, 1398, 1530],
    [10, 2434, 2793],
    [12, 3316, 3522],
  ])('expects %d m/s to give about %d kW (theoretical %d)', (speed, learned, theoretical) => {
    const e = expectedPower(result.curve, speed);
    expect(e).toBeGreaterThan(learned - 5);
    expect(e).toBeLessThan(learned + 5);
    let sum = 0;
    let count = 0;
    for (let i = 0; i < scada.windSpeed.length; i++) {
      if (Math.abs(scada.windSpeed[i] - speed) < 0.05) {
        sum += scada.theoreticalPower[i];
        count++;
      }
    }
    expect(Math.round(sum / count)).toBeCloseTo(theoretical, -1);
    expect(e / (sum / count)).toBeGreaterThan(0.85);
    expect(e / (sum / count)).toBeLessThan(0.95);
  });

  it('classifies every row without power in wind over 5 m/s as downtime', () => {
    const { state } = classifyRows(scada, result.curve);
    let stopped = 0;
    for (let i = 0; i < state.length; i++) {
      if (scada.power[i] <= 0 && scada.windSpeed[i] > 5) {
        stopped++;
        expect(rowStates[state[i]]).toBe('downtime');
      }
    }
    expect(stopped).toBe(1450); // data README
    expect(result.rowCounts).toEqual({
      normal: 32861,
      'low-wind': 13842,
      downtime: 1613,
      curtailment: 944,
      underperformance: 1270,
    });
  });

  it('finds the periods of downtime, curtailment and underperformance', () => {
    const count = (kind: string) => result.periods.filter((p) => p.kind === kind).length;
    // Periods of at least an hour.
    expect([count('downtime'), count('curtailment'), count('underperformance')]).toEqual([
      41, 29, 34,
    ]);
    const longest = result.periods
      .filter((p) => p.kind === 'downtime')
      .sort((a, b) => b.hours - a.hours)[0];
    // 24–26 January 2018: 44.5 h stopped in 9.6 m/s of wind, about 98 MWh lost.
    expect(new Date(longest.start).toISOString()).toBe('2018-01-24T06:10:00.000Z');
    expect(longest.hours).toBe(44.5);
    expect(longest.lostMWh).toBeCloseTo(98.25, 1);
    // Curtailment here is mostly a cap at 3,460–3,480 kW (96 % of rated) in strong wind, and a
    // few caps at 250–400 kW.
    const caps = result.periods.filter((p) => p.kind === 'curtailment').map((p) => p.capKw!);
    expect(caps.filter((c) => c >= 3460 && c <= 3481).length).toBe(21);
    expect(caps.filter((c) => c >= 250 && c <= 400).length).toBe(8);
  });

  it('gives a daily health indicator and yearly totals', () => {
    expect(result.daily).toHaveLength(356); // days with data
    const day = result.daily.find((d) => d.date === '2018-01-24')!;
    expect(day.availability).toBeLessThan(0.5);
    expect(day.energyRatio).toBeLessThan(0.5);
    // Outside downtime and curtailment the turbine mostly follows its curve: 304 of 356 days
    // above 90 % (median 0.986).
    expect(result.daily.filter((d) => d.performanceRatio > 0.9)).toHaveLength(304);
    const t = result.totals;
    expect(t.producedMWh).toBeCloseTo(11012.9, 0);
    expect(t.expectedMWh).toBeCloseTo(11650.9, 0);
    expect(t.availability).toBeCloseTo(0.956, 3);
    expect(t.lostDowntimeMWh).toBeGreaterThan(t.lostUnderperformanceMWh);
    expect(t.lostUnderperformanceMWh).toBeGreaterThan(t.lostCurtailmentMWh);
  });

  it('turns periods into findings with a window, severity and priority', () => {
    expect(result.findings).toHaveLength(result.periods.length);
    const longest = result.findings.find((f) => f.kind === 'downtime' && f.figures.hours === 44.5)!;
    expect(longest).toMatchObject({
      machineId: 'T1',
      window: {
        unit: 'epoch-ms',
        start: Date.parse('2018-01-24T06:10:00Z'),
        end: Date.parse('2018-01-26T02:40:00Z'),
      },
      severity: 'high',
      priority: 'high',
    });
    expect(
      result.findings.filter((f) => f.kind === 'curtailment').every((f) => f.severity === 'info'),
    ).toBe(true);
    expect(JSON.parse(JSON.stringify(result.findings))).toEqual(result.findings);
  });

  it('refuses data without power', () => {
    const empty = { ...scada, power: new Float64Array(scada.power.length) };
    expect(() => learnPowerCurve(empty)).toThrow('power: no wind-speed bin has positive power');
  });
});

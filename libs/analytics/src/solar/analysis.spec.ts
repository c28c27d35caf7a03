import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { shuffled } from '../common/stats';
import { missingSharedData, sharedData } from '../testing/shared-data';
import { analyseSolarPlant, type SolarPlantAnalysis } from './analysis';
import { reconstructInverters } from './inverters';
import { parseSolarGeneration, parseSolarWeather } from './plant-data';

const files = {
  generation: 'solar/Plant_1_Generation_Data.csv',
  weather: 'solar/Plant_1_Weather_Sensor_Data.csv',
};
const missing = missingSharedData(...Object.values(files));
if (missing) console.warn(`skipping the solar plant tests: ${missing}`);

describe(reconstructInverters.name, () => {
  /** Three inverters over 8 slots, rows shuffled within each slot, one row missing. */
  function csv(withKey: boolean) {
    const lines = [
      `DATE_TIME,PLANT_ID,${withKey ? 'SOURCE_KEY,' : ''}DC_POWER,AC_POWER,DAILY_YIELD,TOTAL_YIELD`,
    ];
    const totals = [1000, 5000, 9000];
    for (let slot = 0; slot < 8; slot++) {
      const rows: string[] = [];
      totals.forEach((total, k) => {
        const daily = slot * (10 + k);
        if (k === 1 && slot === 4) return; // a missing row
        rows.push(
          `15-05-2020 0${slot}:00,1,${withKey ? `K${k},` : ''}${100 * k},${10 * k},${daily},${total + daily}`,
        );
      });
      lines.push(...shuffled(rows, slot));
    }
    return lines.join('\n');
  }

  it('follows each TOTAL_YIELD counter when there is no SOURCE_KEY', () => {
    const gen = parseSolarGeneration(csv(false));
    const { inverters, method } = reconstructInverters(gen);
    expect(method).toBe('total-yield');
    expect(inverters.map((i) => i.id)).toEqual(['INV-01', 'INV-02', 'INV-03']);
    expect(inverters.map((i) => i.rows.length)).toEqual([8, 7, 8]);
    for (const [k, inv] of inverters.entries()) {
      for (const row of inv.rows) expect(gen.acPower[row]).toBe(10 * k);
    }
  });

  it('uses SOURCE_KEY when the file has it', () => {
    const gen = parseSolarGeneration(csv(true));
    const { inverters, method } = reconstructInverters(gen);
    expect(method).toBe('source-key');
    expect(inverters.map((i) => [i.id, i.rows.length])).toEqual([
      ['K0', 8],
      ['K1', 7],
      ['K2', 8],
    ]);
  });

  it('names a bad time', () => {
    expect(() =>
      parseSolarWeather(
        'DATE_TIME,PLANT_ID,AMBIENT_TEMPERATURE,MODULE_TEMPERATURE,IRRADIATION\n15/05/2020,1,2,3,4\n',
      ),
    ).toThrow('weather: "15/05/2020" is not a DD-MM-YYYY HH:MM time (line 2, column DATE_TIME)');
  });
});

(missing !== undefined ? describe.skip : describe)('solar plant 1', () => {
  let result: SolarPlantAnalysis;
  beforeAll(() => {
    const gen = parseSolarGeneration(readFileSync(sharedData(files.generation), 'utf8'));
    const weather = parseSolarWeather(readFileSync(sharedData(files.weather), 'utf8'));
    expect(gen.time.length).toBe(68778); // data README
    expect(weather.time.length).toBe(3182);
    result = analyseSolarPlant(gen, weather);
  });

  it('finds the 22 inverters through their counters', () => {
    expect(result.identity.method).toBe('total-yield');
    expect(result.identity.inverters).toBe(22);
    expect(result.inverters.reduce((s, i) => s + i.rows, 0)).toBe(68778);
    for (const inv of result.inverters) expect(inv.rows).toBeGreaterThan(3100); // 34 days × 96 slots, some missing
    // For 96 % of inverter-days the counter grows by exactly the day's DAILY_YIELD.
    expect(result.identity.dailyYieldAgreement).toBeGreaterThan(0.95);
  });

  it('flags the two inverters that give 6-8 % less than their peers', () => {
    expect(result.plantAcPerIrradiation).toBeCloseTo(1330.84, 1);
    const flagged = result.inverters.filter((i) => i.underperforming);
    expect(flagged.map((i) => [i.id, i.deficit, i.relativeToPeers])).toEqual([
      ['INV-03', 0.0655, 0.9335],
      ['INV-05', 0.0784, 0.9223],
    ]);
    // The others are within 4 % of the median.
    for (const inv of result.inverters.filter((i) => !i.underperforming)) {
      expect(Math.abs(inv.deficit)).toBeLessThan(0.04);
    }
    const findings = result.findings.filter((f) => f.kind === 'inverter-underperformance');
    expect(findings.map((f) => [f.machineId, f.severity, f.priority])).toEqual([
      ['INV-03', 'medium', 'normal'],
      ['INV-05', 'medium', 'normal'],
    ]);
  });

  it('finds outages while the peers produce', () => {
    expect(result.outages).toHaveLength(12);
    // 7 June 2020 about 12:15–14:45: six inverters stopped, most of them together.
    const june7 = result.outages.filter((o) =>
      new Date(o.start).toISOString().startsWith('2020-06-07T1'),
    );
    expect(new Set(june7.map((o) => o.inverter))).toEqual(
      new Set(['INV-03', 'INV-05', 'INV-08', 'INV-10', 'INV-11', 'INV-17']),
    );
    const longest = result.outages.reduce((a, b) => (b.hours > a.hours ? b : a));
    expect(longest).toMatchObject({ hours: 3, start: Date.parse('2020-06-14T11:15:00Z') });
    expect(result.findings.filter((f) => f.kind === 'downtime')).toHaveLength(12);
  });

  it('reports the DC/AC unit inconsistency with its evidence', () => {
    const q = result.dataQuality;
    expect(q.dcAcRatio).toEqual({ median: 10.219, p01: 10.173, p99: 10.353, rows: 35669 });
    // AC integrates to the daily yield; DC to ten times it.
    expect(q.acEnergyToDailyYield).toBeCloseTo(1, 1);
    expect(q.dcEnergyToDailyYield).toBeCloseTo(10.19, 2);
    expect(q.efficiencyWithDcDividedBy10).toBeCloseTo(0.979, 3);
    expect(q.dcUnitInconsistent).toBe(true);
    expect(q.dcScaleFactor).toBe(10);
    const finding = result.findings.find((f) => f.kind === 'data-quality')!;
    expect(finding).toMatchObject({ machineId: '4135001', severity: 'medium', priority: 'normal' });
    expect(finding.summary).toMatch(/^DC_POWER is 10.219× AC_POWER/);
    expect(finding.window.unit).toBe('epoch-ms');
    expect(finding.window.end - finding.window.start).toBe(34 * 86_400_000); // 15 May – 17 June
  });

  it('gives a daily health ratio per inverter', () => {
    const inv = result.inverters.find((i) => i.id === 'INV-05')!;
    expect(inv.daily).toHaveLength(34);
    // 14 June: out for 3 h around noon.
    expect(inv.daily.find((d) => d.date === '2020-06-14')!.ratio).toBeLessThan(0.7);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });
});

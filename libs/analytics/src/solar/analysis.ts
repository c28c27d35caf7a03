// A solar plant's inverters against the sun and against each other: chronic underperformance,
// outages while the peers produce, and the consistency of the reported units.
import { check } from '../common/errors';
import { priorityOf, type Finding, type Severity } from '../common/findings';
import { median, quantile, round } from '../common/stats';
import { reconstructInverters, type InverterReconstruction } from './inverters';
import type { SolarGeneration, SolarWeather } from './plant-data';

export interface SolarOptions {
  /** Slots with at least this irradiation (kW/m²) are daytime (default 0.1). */
  daytimeIrradiation?: number;
  /** An inverter this much below the plant's median output per irradiation underperforms (0.05). */
  underperformanceDeficit?: number;
  /** AC under this share of the peers' median, while they produce, is an outage (default 0.05). */
  outageShare?: number;
  /** Shortest outage reported, minutes (default 30). */
  minOutageMinutes?: number;
}

/** One inverter's figures. */
export interface InverterPerformance {
  id: string;
  rows: number;
  /** Σ AC power / Σ irradiation over daytime slots: kW per kW/m². */
  acPerIrradiation: number;
  /** 1 − acPerIrradiation / the plant's median of it. */
  deficit: number;
  /** Median over daytime slots of its AC power / the median AC power of all inverters. */
  relativeToPeers: number;
  underperforming: boolean;
  /** Energy short of the peers' median outside outages, MWh. */
  lostMWh: number;
  outageHours: number;
  /** Health per day: its energy / the peers' median energy over the same slots. */
  daily: { date: string; ratio: number }[];
}

/** A stretch of slots in which an inverter gave (almost) nothing while its peers produced. */
export interface InverterOutage {
  inverter: string;
  start: number;
  end: number;
  slots: number;
  hours: number;
  lostMWh: number;
}

/** The unit check of DC against AC power, with the evidence. */
export interface SolarDataQuality {
  /** DC_POWER / AC_POWER over producing rows (AC over 1 % of the largest). */
  dcAcRatio: { median: number; p01: number; p99: number; rows: number };
  /** Σ power × slot length over an inverter-day / its final DAILY_YIELD (median of days). */
  acEnergyToDailyYield: number;
  dcEnergyToDailyYield: number;
  /** AC / (DC / 10): the conversion efficiency if DC is read as tenths of a kW. */
  efficiencyWithDcDividedBy10: number;
  /** Whether DC is inconsistent with AC (a ratio far above the physical 1.0–1.1). */
  dcUnitInconsistent: boolean;
  /** The factor DC should be divided by to be in the unit of AC (rounded: 10). */
  dcScaleFactor: number;
}

export interface SolarPlantAnalysis {
  plantId: string;
  identity: Pick<InverterReconstruction, 'method' | 'dailyYieldAgreement'> & { inverters: number };
  /** Median over inverters of their AC per irradiation, kW per kW/m². */
  plantAcPerIrradiation: number;
  inverters: InverterPerformance[];
  outages: InverterOutage[];
  dataQuality: SolarDataQuality;
  findings: Finding[];
}

/**
 * Analyses a plant's generation with its weather: inverters are identified (SOURCE_KEY or
 * their counters), compared with the irradiation and with each other; outages found; the DC
 * and AC units checked against each other and against the daily yield.
 */
export function analyseSolarPlant(
  gen: SolarGeneration,
  weather: SolarWeather,
  options: SolarOptions = {},
): SolarPlantAnalysis {
  const daytime = options.daytimeIrradiation ?? 0.1;
  const deficitLimit = options.underperformanceDeficit ?? 0.05;
  const outageShare = options.outageShare ?? 0.05;
  const minOutage = (options.minOutageMinutes ?? 30) * 60_000;
  check(weather.time.length > 0, 'weather', 'has no rows');
  const identity = reconstructInverters(gen);
  const n = gen.time.length;

  // Slots: each distinct time; the peers' median AC in each, and the irradiation.
  const slotOf = new Map<number, number>();
  const slotTimes: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!slotOf.has(gen.time[i])) {
      slotOf.set(gen.time[i], slotTimes.length);
      slotTimes.push(gen.time[i]);
    }
  }
  const slotValues: number[][] = slotTimes.map(() => []);
  for (let i = 0; i < n; i++) slotValues[slotOf.get(gen.time[i])!].push(gen.acPower[i]);
  const peerMedian = Float64Array.from(slotValues, (v) => median(v));
  const irradiationAt = new Map<number, number>();
  weather.time.forEach((t, i) => irradiationAt.set(t, weather.irradiation[i]));
  const sortedTimes = slotTimes.slice().sort((a, b) => a - b);
  const steps = sortedTimes.slice(1).map((t, i) => t - sortedTimes[i]);
  const step = steps.length ? median(steps) : 900_000;
  const hoursPerSlot = step / 3_600_000;
  let maxPeer = 0;
  for (const v of peerMedian) maxPeer = Math.max(maxPeer, v);

  const outages: InverterOutage[] = [];
  const inverters: InverterPerformance[] = identity.inverters.map((inv) => {
    let ac = 0;
    let irr = 0;
    let lost = 0;
    const relative: number[] = [];
    const days = new Map<string, { mine: number; peers: number }>();
    let run: number[] = [];
    const closeRun = () => {
      if (run.length && (run.length - 1) * step + step >= minOutage) {
        let l = 0;
        for (const i of run) l += peerMedian[slotOf.get(gen.time[i])!] - gen.acPower[i];
        outages.push({
          inverter: inv.id,
          start: gen.time[run[0]],
          end: gen.time[run[run.length - 1]] + step,
          slots: run.length,
          hours: round(run.length * hoursPerSlot, 2),
          lostMWh: round((l * hoursPerSlot) / 1000, 3),
        });
      }
      run = [];
    };
    for (const i of inv.rows) {
      const slot = slotOf.get(gen.time[i])!;
      const peers = peerMedian[slot];
      const a = gen.acPower[i];
      const g = irradiationAt.get(gen.time[i]);
      const producing = peers >= 0.1 * maxPeer;
      const out = producing && a < outageShare * peers;
      if (out) {
        if (run.length && gen.time[i] - gen.time[run[run.length - 1]] > 2 * step) closeRun();
        run.push(i);
      } else closeRun();
      if (g !== undefined && g >= daytime && !out) {
        ac += a;
        irr += g;
      }
      if (producing && !out) {
        relative.push(a / peers);
        lost += Math.max(0, peers - a);
      }
      if (peers > 0) {
        const date = new Date(gen.time[i]).toISOString().slice(0, 10);
        const d = days.get(date) ?? { mine: 0, peers: 0 };
        d.mine += a;
        d.peers += peers;
        days.set(date, d);
      }
    }
    closeRun();
    return {
      id: inv.id,
      rows: inv.rows.length,
      acPerIrradiation: irr > 0 ? ac / irr : 0,
      deficit: 0,
      relativeToPeers: round(median(relative), 4),
      underperforming: false,
      lostMWh: round((lost * hoursPerSlot) / 1000, 3),
      outageHours: 0,
      daily: [...days.entries()].map(([date, d]) => ({ date, ratio: round(d.mine / d.peers, 3) })),
    };
  });
  const plant = median(inverters.map((i) => i.acPerIrradiation));
  for (const inv of inverters) {
    inv.deficit = round(1 - inv.acPerIrradiation / plant, 4);
    inv.acPerIrradiation = round(inv.acPerIrradiation, 2);
    // Both views must agree: against the sun and against the peers.
    inv.underperforming = inv.deficit >= deficitLimit && inv.relativeToPeers <= 1 - deficitLimit;
    inv.outageHours = round(
      outages.filter((o) => o.inverter === inv.id).reduce((s, o) => s + o.hours, 0),
      2,
    );
  }

  const dataQuality = checkUnits(gen, identity, hoursPerSlot);
  const span = { start: sortedTimes[0], end: sortedTimes[sortedTimes.length - 1] + step };
  const findings: Finding[] = [];
  for (const inv of inverters.filter((i) => i.underperforming)) {
    const severity: Severity = inv.deficit >= 0.1 ? 'high' : 'medium';
    findings.push({
      machineId: inv.id,
      kind: 'inverter-underperformance',
      window: { unit: 'epoch-ms', ...span },
      severity,
      priority: priorityOf(severity),
      summary:
        `${inv.id} gives ${round(inv.deficit * 100, 1)} % less AC power per irradiation than ` +
        `the plant's median inverter (${round(inv.relativeToPeers * 100, 1)} % of its peers), ` +
        `${inv.lostMWh} MWh short over the period`,
      figures: {
        acPerIrradiation: inv.acPerIrradiation,
        plantAcPerIrradiation: round(plant, 2),
        deficit: inv.deficit,
        relativeToPeers: inv.relativeToPeers,
        lostMWh: inv.lostMWh,
      },
    });
  }
  for (const o of outages) {
    const severity: Severity = o.hours >= 2 ? 'medium' : 'low';
    findings.push({
      machineId: o.inverter,
      kind: 'downtime',
      window: { unit: 'epoch-ms', start: o.start, end: o.end },
      severity,
      priority: priorityOf(severity),
      summary: `${o.inverter} gave no power for ${o.hours} h while its peers produced (${o.lostMWh} MWh)`,
      figures: { hours: o.hours, lostMWh: o.lostMWh, slots: o.slots },
    });
  }
  if (dataQuality.dcUnitInconsistent) {
    const q = dataQuality;
    findings.push({
      machineId: gen.plantId,
      kind: 'data-quality',
      window: { unit: 'epoch-ms', ...span },
      severity: 'medium',
      priority: priorityOf('medium'),
      summary:
        `DC_POWER is ${q.dcAcRatio.median}× AC_POWER (median of ${q.dcAcRatio.rows} producing ` +
        `rows, 1st–99th percentile ${q.dcAcRatio.p01}–${q.dcAcRatio.p99}), where an inverter ` +
        `gives slightly less AC than DC; AC integrates to the daily yield ` +
        `(×${q.acEnergyToDailyYield}) but DC to ×${q.dcEnergyToDailyYield} of it. DC is in ` +
        `a unit ${q.dcScaleFactor}× smaller than kW: divided by ${q.dcScaleFactor} it gives an ` +
        `inverter efficiency of ${q.efficiencyWithDcDividedBy10}.`,
      figures: {
        dcAcRatioMedian: q.dcAcRatio.median,
        dcAcRatioP01: q.dcAcRatio.p01,
        dcAcRatioP99: q.dcAcRatio.p99,
        rows: q.dcAcRatio.rows,
        acEnergyToDailyYield: q.acEnergyToDailyYield,
        dcEnergyToDailyYield: q.dcEnergyToDailyYield,
        efficiencyWithDcDividedBy10: q.efficiencyWithDcDividedBy10,
      },
    });
  }
  return {
    plantId: gen.plantId,
    identity: {
      method: identity.method,
      dailyYieldAgreement: round(identity.dailyYieldAgreement, 4),
      inverters: identity.inverters.length,
    },
    plantAcPerIrradiation: round(plant, 2),
    inverters,
    outages,
    dataQuality,
    findings,
  };
}

function checkUnits(
  gen: SolarGeneration,
  identity: InverterReconstruction,
  hoursPerSlot: number,
): SolarDataQuality {
  let maxAc = 0;
  for (const v of gen.acPower) maxAc = Math.max(maxAc, v);
  const ratios: number[] = [];
  const efficiency: number[] = [];
  for (let i = 0; i < gen.time.length; i++) {
    if (gen.acPower[i] > 0.01 * maxAc && gen.dcPower[i] > 0) {
      ratios.push(gen.dcPower[i] / gen.acPower[i]);
      efficiency.push(gen.acPower[i] / (gen.dcPower[i] / 10));
    }
  }
  const acDays: number[] = [];
  const dcDays: number[] = [];
  for (const inv of identity.inverters) {
    let ac = 0;
    let dc = 0;
    for (let k = 0; k < inv.rows.length; k++) {
      const i = inv.rows[k];
      ac += gen.acPower[i] * hoursPerSlot;
      dc += gen.dcPower[i] * hoursPerSlot;
      const next = inv.rows[k + 1];
      // A day ends where DAILY_YIELD falls back (or the data does).
      if (next === undefined || gen.dailyYield[next] < gen.dailyYield[i]) {
        if (gen.dailyYield[i] > 100) {
          acDays.push(ac / gen.dailyYield[i]);
          dcDays.push(dc / gen.dailyYield[i]);
        }
        ac = 0;
        dc = 0;
      }
    }
  }
  const ratio = median(ratios);
  // Physically DC ≥ AC by the inverter's losses (a few %): a ratio near a power of ten is a unit.
  const scale = 10 ** Math.round(Math.log10(ratio));
  return {
    dcAcRatio: {
      median: round(ratio, 3),
      p01: round(quantile(ratios, 0.01), 3),
      p99: round(quantile(ratios, 0.99), 3),
      rows: ratios.length,
    },
    acEnergyToDailyYield: round(median(acDays), 3),
    dcEnergyToDailyYield: round(median(dcDays), 3),
    efficiencyWithDcDividedBy10: round(median(efficiency), 4),
    dcUnitInconsistent: ratio > 1.5 || ratio < 0.8,
    dcScaleFactor: scale,
  };
}

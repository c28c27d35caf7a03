import { describe, expect, it } from '@jest/globals';
import type { RaisedAlert, RemainingLife, TaskContext } from '@sextant/jobs';
import type { HealthTrend } from './health-trend';
import { atLeast, minuteOf, recordHealth, ticketPriority, toJson } from './maintenance-findings';

describe(ticketPriority.name, () => {
  it.each([
    ['critical', 'critical'],
    ['high', 'high'],
    ['medium', 'medium'],
    ['low', 'low'],
    ['info', 'low'],
  ] as const)('gives a %s finding a %s ticket', (severity, priority) => {
    expect(ticketPriority(severity)).toBe(priority);
  });
});

describe(atLeast.name, () => {
  it.each([
    ['high', 'medium', true],
    ['medium', 'medium', true],
    ['low', 'medium', false],
    ['info', 'low', false],
  ] as const)('%s is at least %s: %s', (severity, minimum, expected) => {
    expect(atLeast(severity, minimum)).toBe(expected);
  });
});

describe(toJson.name, () => {
  it('stores NaN as null and dates as text', () => {
    expect(toJson({ cutIn: NaN, at: new Date(Date.UTC(2018, 0, 24, 6, 10)) })).toEqual({
      cutIn: null,
      at: '2018-01-24T06:10:00.000Z',
    });
    expect(minuteOf(Date.UTC(2018, 0, 24, 6, 10))).toBe('2018-01-24 06:10');
  });
});

describe(recordHealth.name, () => {
  const recorded = () => {
    const estimates: RemainingLife[] = [];
    const tickets: RaisedAlert[] = [];
    const ctx = {
      recordRemainingLife: (e: RemainingLife) => estimates.push(e),
      raiseAlert: (a: RaisedAlert) => {
        tickets.push(a);
        return `job:t:${tickets.length}`;
      },
    } as unknown as TaskContext<unknown>;
    return { ctx, estimates, tickets };
  };
  const trend = (remainingDays: number, capped = false): HealthTrend => ({
    lastDate: '2026-12-01',
    health: 0.93,
    slopePerDay: -0.002,
    trendDays: 30,
    remainingDays,
    capped,
  });
  const machine = { nodeId: 'n1', name: 'Turbine T01' };
  const options = { source: 'wind-performance', threshold: 0.8, report: 'job:r:0' };
  const at = new Date('2026-12-01T23:50:00Z');

  it('records the estimate and orders an inspection when health reaches the threshold soon', () => {
    const { ctx, estimates, tickets } = recorded();
    expect(recordHealth(ctx, machine, trend(40.4), at, options)).toBe(true);
    expect(estimates).toEqual([{ nodeId: 'n1', at, remaining: 40.4, unit: 'days', health: 0.93 }]);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      kind: 'maintenance_order',
      nodeId: 'n1',
      title: 'Inspect Turbine T01: health 0.93 falling, 0.8 in about 40 days',
      priority: 'medium',
      failureFrom: new Date('2027-01-10T00:00:00Z'),
      dedupeKey: 'wind-performance:health',
    });
    expect(recordHealth(recorded().ctx, machine, trend(10), at, options)).toBe(true);
  });

  it('orders nothing for a health that is not falling (the cap) or falls slowly', () => {
    for (const t of [trend(365, true), trend(121)]) {
      const { ctx, estimates, tickets } = recorded();
      expect(recordHealth(ctx, machine, t, at, options)).toBe(false);
      expect(estimates).toHaveLength(1);
      expect(tickets).toHaveLength(0);
    }
  });

  it('sets the priority by how soon: high within two weeks, low beyond two months', () => {
    const priority = (days: number) => {
      const { ctx, tickets } = recorded();
      recordHealth(ctx, machine, trend(days), at, options);
      return tickets[0].priority;
    };
    expect([priority(14), priority(60), priority(90)]).toEqual(['high', 'medium', 'low']);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import {
  createTestDatabase,
  expectWithMessage,
  TestDatabase,
  sharedDataPath,
} from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { importWindScada, WindScadaImportResult } from '@sextant/imports';
import { JobPlatform } from '@sextant/jobs';
import {
  createFleet,
  Fleet,
  startTestWorker,
  testRegistry,
  waitForRun,
} from '@sextant/jobs/testing';
import { builtinJobTypes } from './index';

// The real SCADA of turbine T1 (../shared/data/wind, README there), imported and analysed by
// the wind-performance job on a real worker. The figures of the analysis itself are
// established in libs/analytics/src/wind/performance.spec.ts.
const file = sharedDataPath('wind/T1.csv');
const missing = !existsSync(file);
if (missing) console.warn(`skipping the wind-performance job: missing ${file}`);

(missing ? describe.skip : describe)('wind-performance job', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let fleet: Fleet;
  let turbine: WindScadaImportResult;

  beforeAll(async () => {
    db = await createTestDatabase('jobs_wind_performance');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry(builtinJobTypes));
    fleet = await createFleet(pool, 'wind');
    turbine = await importWindScada(pool, {
      text: readFileSync(file, 'latin1'),
      parentId: fleet.siteId,
    });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function run(
    params: Record<string, string> = { turbineId: turbine.turbine.id },
  ): Promise<{ id: string; result: Record<string, unknown>; turbines: Record<string, unknown>[] }> {
    const submitted = await platform.submit({
      type: 'wind-performance',
      params: { ...params, to: '2019-01-01T00:00:00Z' },
      ownerId: fleet.ownerId,
    });
    const worker = await startTestWorker(db.url, { registry: testRegistry(builtinJobTypes) });
    try {
      const done = await waitForRun(pool, submitted.id, ['succeeded', 'failed'], 120_000);
      expectWithMessage(done.state, done.error ?? '').toBe('succeeded');
      const result = done.result as Record<string, unknown>;
      return { id: submitted.id, result, turbines: result.results as Record<string, unknown>[] };
    } finally {
      await worker.stop();
    }
  }

  const alerts = async () =>
    (
      await pool.query(
        `SELECT i.owner_id, i.name, t.priority, t.state, t.failure_from, t.failure_to,
                t.dedupe_key, i.metadata->>'kind' AS kind
           FROM item i JOIN maintenance_ticket t ON t.item_id = i.id
          WHERE i.kind = 'alert' ORDER BY t.failure_from`,
      )
    ).rows;

  it('learns the power curve, reports the periods, raises alerts and records health', async () => {
    const { id, result, turbines } = await run();
    expect(result).toMatchObject({ turbines: 1, alerts: 33 });
    const [t1] = turbines;
    expect(t1).toMatchObject({
      turbineId: turbine.turbine.id,
      turbine: 'T1',
      from: '2018-01-01T00:00:00.000Z',
      to: '2018-12-31T23:50:00.000Z',
      rows: 50530,
      cutInSpeed: 3.5,
      ratedSpeed: 13,
      // Periods of at least an hour (libs/analytics' wind spec): 41, 29 and 34.
      periods: {
        downtime: { count: 41 },
        curtailment: { count: 29 },
        underperformance: { count: 34 },
      },
      // Severity medium or more: 10 downtimes of 6 h or more, 23 underperformances losing
      // 1 MWh or more; curtailment is never an alert.
      alerts: 33,
      totals: { availability: 0.956 },
    });
    // A 3.6 MW turbine.
    expect(t1.ratedPowerKw).toBeCloseTo(3602.7, 1);

    const { rows: reports } = await pool.query(
      `SELECT owner_id, name, metadata FROM item WHERE kind = 'report'`,
    );
    expect(reports).toHaveLength(1);
    const [{ owner_id, name, metadata: report }] = reports;
    expect(owner_id).toBe(turbine.turbine.id);
    expect(name).toBe('Wind performance T1 2018-01-01 to 2018-12-31');
    expect(report.type).toBe('wind-performance');
    expect(report.periods).toHaveLength(50);
    expect(report.periodsListed).toBe(50);
    // The most significant first: the 44.5 h stop of 24-26 January, about 98 MWh lost.
    expect(report.periods[0]).toMatchObject({
      kind: 'downtime',
      start: Date.parse('2018-01-24T06:10:00Z'),
      hours: 44.5,
      severity: 'high',
    });
    expect(report.dailyHealth).toHaveLength(356);
    // The learned curve beside the manufacturer's: 8-13 % under it at 10 m/s.
    const at10 = report.powerCurve.bins.find((b: { speed: number }) => b.speed === 10.25);
    expect(at10.power / at10.theoreticalPower).toBeGreaterThan(0.85);
    expect(at10.power / at10.theoreticalPower).toBeLessThan(0.95);

    const raised = await alerts();
    expect(raised).toHaveLength(33);
    expect(raised.every((a) => a.owner_id === turbine.turbine.id && a.state === 'open')).toBe(true);
    const byPriority = (kind: string, priority: string) =>
      raised.filter((a) => a.kind === kind && a.priority === priority).length;
    expect([byPriority('downtime', 'high'), byPriority('downtime', 'medium')]).toEqual([1, 9]);
    expect([
      byPriority('underperformance', 'high'),
      byPriority('underperformance', 'medium'),
    ]).toEqual([8, 15]);
    const longest = raised.find((a) => a.priority === 'high' && a.kind === 'downtime')!;
    expect(longest).toMatchObject({
      name: 'T1 stopped in 9.6 m/s wind for 44.5 h from 2018-01-24 06:10',
      failure_from: new Date('2018-01-24T06:10:00Z'),
      failure_to: new Date('2018-01-26T02:40:00Z'),
      dedupe_key: 'wind-performance:downtime:2018-01-24T06:10:00.000Z',
    });

    // December's performance ratio is above the year's curve: health 1, not falling, so the
    // remaining life is the one-year cap.
    const { rows: estimates } = await pool.query(
      `SELECT node_id, at, remaining, unit, health FROM remaining_life_estimate WHERE run_id = $1`,
      [id],
    );
    expect(estimates).toEqual([
      {
        node_id: turbine.turbine.id,
        at: new Date('2018-12-31T23:50:00Z'),
        remaining: 365,
        unit: 'days',
        health: 1,
      },
    ]);

    // Lineage: power, wind speed and theoretical power read in full (not the direction, which
    // the analysis does not use); the report and the alerts produced, each accounted.
    const { rows: lineage } = await pool.query(
      `SELECT l.kind, s.field, l.quantity::float8 AS quantity, l.movement_id IS NOT NULL AS accounted
         FROM job_lineage l LEFT JOIN series s ON s.id = l.series_id
        WHERE l.run_id = $1 AND l.kind = 'read' ORDER BY s.field`,
      [id],
    );
    expect(lineage).toEqual(
      ['active_power_kw', 'theoretical_power_kw', 'wind_speed_ms'].map((field) => ({
        kind: 'read',
        field,
        quantity: 50530,
        accounted: true,
      })),
    );
    const { rows: produced } = await pool.query(
      `SELECT count(*)::int AS n FROM job_lineage WHERE run_id = $1 AND kind = 'produced' AND movement_id IS NOT NULL`,
      [id],
    );
    expect(produced).toEqual([{ n: 1 + 33 }]);
  }, 180_000);

  it('does not raise the same alerts again while they are open', async () => {
    const before = await alerts();
    const { id, result } = await run();
    expect(result.alerts).toBe(33); // proposed again, none raised
    expect(await alerts()).toEqual(before);
    const { rows } = await pool.query(
      `SELECT kind::text, count(*)::int AS n FROM job_lineage WHERE run_id = $1 GROUP BY kind ORDER BY kind`,
      [id],
    );
    // Only the new report is produced.
    expect(rows).toEqual([
      { kind: 'produced', n: 1 },
      { kind: 'read', n: 3 },
    ]);
  }, 180_000);

  it('refuses a window the wrong way round, and neither or both of turbine and site', async () => {
    const submit = (params: Record<string, string>) =>
      platform.submit({ type: 'wind-performance', params, ownerId: fleet.ownerId });
    await expect(
      submit({
        turbineId: turbine.turbine.id,
        from: '2019-01-01T00:00:00Z',
        to: '2018-01-01T00:00:00Z',
      }),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: 'params.to', reason: 'must be after from' }],
    });
    const neither = { field: 'params.turbineId', reason: 'give either turbineId or siteId' };
    await expect(submit({})).rejects.toMatchObject({ fieldErrors: [neither] });
    await expect(
      submit({ turbineId: turbine.turbine.id, siteId: fleet.siteId }),
    ).rejects.toMatchObject({ fieldErrors: [neither] });
  });

  it('analyses every turbine below a wind farm, one task each', async () => {
    // The same SCADA as a second turbine of the farm.
    const twin = await importWindScada(pool, {
      text: readFileSync(file, 'latin1'),
      parentId: fleet.siteId,
      turbine: 'T1 twin',
    });
    const { id, result, turbines } = await run({ siteId: fleet.siteId });
    const { rows: tasks } = await pool.query(
      `SELECT key FROM job_task WHERE run_id = $1 ORDER BY created_at, position NULLS FIRST`,
      [id],
    );
    expect(tasks.map((t) => t.key)).toEqual(['analyse', 'summarize', 'analyse[0]', 'analyse[1]']);
    expect(result).toMatchObject({ turbines: 2, alerts: 66 });
    // Twice T1's year (libs/analytics' wind spec: 11,012.9 MWh produced).
    expect(result.producedMWh).toBeCloseTo(2 * 11012.885, 2);
    expect(new Set(turbines.map((t) => t.turbine))).toEqual(new Set(['T1', 'T1 twin']));
    // The twin's alerts are its own; T1's were open already.
    const { rows } = await pool.query(
      `SELECT i.owner_id, count(*)::int AS n FROM item i WHERE i.kind = 'alert'
        GROUP BY i.owner_id ORDER BY n`,
    );
    expect(rows).toEqual(
      expect.arrayContaining([
        { owner_id: turbine.turbine.id, n: 33 },
        { owner_id: twin.turbine.id, n: 33 },
      ]),
    );
  }, 180_000);
});

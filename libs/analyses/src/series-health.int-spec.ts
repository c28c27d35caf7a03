import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { JobPlatform } from '@sextant/jobs';
import {
  createFleet,
  Fleet,
  startTestWorker,
  testRegistry,
  waitForRun,
  writeSeries,
} from '@sextant/jobs/testing';
import { builtinJobTypes } from './index';

describe('series-health job', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let fleet: Fleet;
  const from = '2026-11-01T00:00:00.000Z';
  const to = '2026-11-01T02:00:00.000Z';

  beforeAll(async () => {
    db = await createTestDatabase('jobs_series_health');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry(builtinJobTypes));
    fleet = await createFleet(pool);
    const start = new Date(from);
    const machine = (field: string, resourceId: string) => ({
      measurement: 'scada',
      field,
      nodeId: fleet.machineId,
      resourceId,
    });
    // Speed: every minute for 2 h but 30-39 (one gap). Power: stops after 00:59 (stale).
    await writeSeries(
      pool,
      machine('speed', fleet.resources.speed),
      start,
      120,
      60,
      (i) => i >= 30 && i < 40,
    );
    await writeSeries(pool, machine('power', fleet.resources.power), start, 60, 60);
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('fans out over the series under a node, merges a report and raises an alert for stale data', async () => {
    const run = await platform.submit({
      type: 'series-health',
      params: { nodeId: fleet.siteId, from, to, staleAfterMinutes: 30 },
      ownerId: fleet.ownerId,
    });
    const worker = await startTestWorker(db.url, { registry: testRegistry(builtinJobTypes) });
    try {
      const done = await waitForRun(pool, run.id, ['succeeded', 'failed']);
      expect(done.state).toBe('succeeded');
      expect(done.result).toMatchObject({
        from,
        to,
        series: 2,
        points: 170,
        gaps: 1,
        stale: 1,
        empty: 0,
        worst: [
          { key: 'scada speed', gaps: 1, gapSeconds: 600, stale: false },
          { key: 'scada power', gaps: 0, stale: true },
        ],
      });
    } finally {
      await worker.stop();
    }
    const { rows: tasks } = await pool.query(
      `SELECT key FROM job_task WHERE run_id = $1 ORDER BY created_at, position NULLS FIRST`,
      [run.id],
    );
    expect(tasks.map((t) => t.key)).toEqual(['scan', 'summarize', 'scan[0]', 'scan[1]']);
    const { rows: items } = await pool.query(
      `SELECT i.kind, i.owner_id, i.name, t.priority, t.state FROM item i
         LEFT JOIN maintenance_ticket t ON t.item_id = i.id
        WHERE i.reference LIKE 'job:%' ORDER BY i.kind`,
    );
    expect(items).toEqual([
      {
        kind: 'alert',
        owner_id: fleet.machineId,
        name: 'No recent data from 1 series',
        // Stale for 61 minutes: under a day is medium.
        priority: 'medium',
        state: 'open',
      },
      {
        kind: 'report',
        owner_id: fleet.siteId,
        name: 'Series health 2026-11-01 to 2026-11-01',
        priority: null,
        state: null,
      },
    ]);
  });

  it('settles a window ending at submission when none is given, and refuses from after to', async () => {
    const now = new Date('2026-11-20T12:00:00Z');
    const fixed = new JobPlatform(pool, testRegistry(builtinJobTypes), { now: () => now });
    const run = await fixed.submit({
      type: 'series-health',
      params: { nodeId: fleet.siteId, days: 2 },
      ownerId: fleet.ownerId,
    });
    expect(run.params).toMatchObject({
      from: '2026-11-18T12:00:00.000Z',
      to: '2026-11-20T12:00:00.000Z',
      days: 2,
      gapFactor: 3,
      raiseAlerts: true,
    });
    await fixed.cancel(run.id);
    await expect(
      fixed.submit({
        type: 'series-health',
        params: { nodeId: fleet.siteId, from: to, to: from },
        ownerId: fleet.ownerId,
      }),
    ).rejects.toMatchObject({
      fieldErrors: [{ field: 'params.to', reason: 'must be after from' }],
    });
  });
});

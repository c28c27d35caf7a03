import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { accountingReferences, maxLineageRows, runLineage } from './lineage.repository';
import { JobPlatform } from './platform';
import { createFleet, Fleet, writeSeries } from './testing/fixtures';
import { startTestWorker, waitForRun } from './testing/harness';
import { testRegistry } from './testing/test-job-types';
import type { JobWorker } from './worker';

describe('lineage and accounting of runs', () => {
  let db: TestDatabase;
  let pool: Pool;
  let platform: JobPlatform;
  let worker: JobWorker;
  let fleet: Fleet;
  const window = { from: '2026-11-01T00:00:00.000Z', to: '2026-11-01T02:00:00.000Z' };

  beforeAll(async () => {
    db = await createTestDatabase('jobs_lineage');
    pool = new Pool({ connectionString: db.url, max: 4 });
    platform = new JobPlatform(pool, testRegistry());
    fleet = await createFleet(pool);
    const start = new Date('2026-10-31T23:00:00Z');
    // Minute points from 23:00 for 4 h: 120 of each fall in the 2 h window.
    const on = (field: string, resourceId: string | null) => ({
      measurement: 'scada',
      field,
      nodeId: fleet.machineId,
      resourceId,
    });
    await writeSeries(pool, on('speed', fleet.resources.speed), start, 240, 60);
    await writeSeries(pool, on('power', fleet.resources.power), start, 240, 60);
    // A second power series on the machine: its reads share the power movement.
    await writeSeries(
      pool,
      { ...on('power', fleet.resources.power), tags: { phase: 'b' } },
      start,
      240,
      60,
    );
    // Without a resource: traced, not billed.
    await writeSeries(pool, on('note', null), start, 240, 60);
    worker = await startTestWorker(db.url);
  });

  afterAll(async () => {
    await worker?.stop();
    await pool?.end();
    await db?.drop();
  });

  it('records reads per resource and node, and results, as movements a result traces back through', async () => {
    const run = await platform.submit({
      type: 'test-outputs',
      params: { nodeId: fleet.siteId, machineId: fleet.machineId, ...window },
      ownerId: fleet.ownerId,
    });
    expect((await waitForRun(pool, run.id, ['succeeded', 'failed'])).state).toBe('succeeded');
    const lineage = await runLineage(pool, run.id);

    // Four series read over the window, 120 points each.
    expect(lineage.inputs).toHaveLength(4);
    for (const input of lineage.inputs) {
      expect(input).toMatchObject({
        taskKey: 'analyse',
        nodeId: fleet.machineId,
        start: new Date(window.from),
        stop: new Date(window.to),
        points: 120,
      });
    }
    const refs = await platform.accounting();
    const byResource = new Map(lineage.movements.map((m) => [m.resourceReference, m]));
    // Reads: speed 120 points, power 240 (two series); the series without resource is not billed.
    const reads = lineage.movements
      .filter((m) => m.resourceReference.startsWith('test.'))
      .map((m) => [m.resourceReference, m.quantity])
      .sort();
    expect(reads).toEqual([
      ['test.power', '240.000000'],
      ['test.speed', '120.000000'],
    ]);
    for (const reference of ['test.speed', 'test.power']) {
      expect(byResource.get(reference)).toMatchObject({
        sourceId: fleet.machineId,
        destinationId: fleet.ownerId,
        start: new Date(window.from),
        stop: new Date(window.to),
        // Priced at the resource's price.
        unitPrice: reference === 'test.speed' ? '0.0010000000' : '0.0020000000',
      });
    }
    expect(lineage.inputs.find((i) => i.resourceId === null)).toMatchObject({ movementId: null });
    // Results: a model and an alert, each a movement from the job platform to the owner.
    expect(lineage.outputs.map((o) => o.itemKind).sort()).toEqual(['alert', 'model']);
    const results = lineage.movements.filter(
      (m) => m.resourceReference === accountingReferences.result,
    );
    expect(results).toHaveLength(2);
    for (const movement of results) {
      expect(movement).toMatchObject({
        sourceId: refs.jobsNodeId,
        destinationId: fleet.ownerId,
        quantity: '1.000000',
      });
      expect(lineage.outputs.map((o) => o.itemId)).toContain(movement.itemId);
    }
    expect(
      lineage.movements.filter((m) => m.resourceReference === accountingReferences.taskSeconds),
    ).toHaveLength(1);

    // The alert: on the machine, open, with its window and priority, traced to the run.
    const alert = lineage.outputs.find((o) => o.itemKind === 'alert')!;
    expect(alert.ownerId).toBe(fleet.machineId);
    const { rows: tickets } = await pool.query(
      `SELECT state, priority, failure_from, failure_to, run_id FROM maintenance_ticket WHERE item_id = $1`,
      [alert.itemId],
    );
    expect(tickets).toEqual([
      {
        state: 'open',
        priority: 'high',
        failure_from: new Date('2027-01-10T00:00:00Z'),
        failure_to: new Date('2027-01-20T00:00:00Z'),
        run_id: run.id,
      },
    ]);
    const model = lineage.outputs.find((o) => o.itemKind === 'model')!;
    const { rows: estimates } = await pool.query(
      `SELECT node_id, remaining, lower, upper, unit, model_item_id FROM remaining_life_estimate WHERE run_id = $1`,
      [run.id],
    );
    expect(estimates).toEqual([
      {
        node_id: fleet.machineId,
        remaining: 42,
        lower: 30,
        upper: 55,
        unit: 'cycles',
        model_item_id: model.itemId,
      },
    ]);

    // From the model back to its inputs: item -> produced lineage -> task -> reads.
    const { rows: traced } = await pool.query<{ key: string; start: Date; stop: Date }>(
      `SELECT s.key, r.start, r.stop FROM job_lineage p
         JOIN job_lineage r ON r.task_id = p.task_id AND r.kind = 'read'
         JOIN series s ON s.id = r.series_id
        WHERE p.kind = 'produced' AND p.item_id = $1 ORDER BY s.key`,
      [model.itemId],
    );
    expect(traced.map((t) => t.key)).toEqual([
      'scada note',
      'scada power',
      'scada speed',
      'scada,phase=b power',
    ]);
  });

  it('does not raise an alert again while one with its key is open on the machine', async () => {
    const run = await platform.submit({
      type: 'test-outputs',
      params: { nodeId: fleet.siteId, machineId: fleet.machineId, ...window },
      ownerId: fleet.ownerId,
    });
    expect((await waitForRun(pool, run.id, ['succeeded', 'failed'])).state).toBe('succeeded');
    const lineage = await runLineage(pool, run.id);
    expect(lineage.outputs.map((o) => o.itemKind)).toEqual(['model']);
    const { rows } = await pool.query(
      `SELECT data FROM job_log WHERE run_id = $1 AND message LIKE 'succeeded%'`,
      [run.id],
    );
    expect(rows[0].data).toMatchObject({ alerts: 0, alertsSkipped: 1 });
  });

  it('reads at most maxLineageRows of each list, and says when it cut one', async () => {
    const run = await platform.submit({
      type: 'test-outputs',
      params: { nodeId: fleet.siteId, machineId: fleet.machineId, ...window },
      ownerId: fleet.ownerId,
    });
    expect((await waitForRun(pool, run.id, ['succeeded', 'failed'])).state).toBe('succeeded');
    const whole = await runLineage(pool, run.id);
    expect(whole.truncated).toBe(false);
    // As many reads again as the list holds: 4 recorded + 5,000 more.
    await pool.query(
      `INSERT INTO job_lineage (id, run_id, task_id, kind, series_id, start, stop, quantity)
       SELECT gen_random_uuid(), run_id, task_id, 'read', series_id, start, stop, 1
         FROM job_lineage, generate_series(1, $2) WHERE run_id = $1 AND kind = 'read' LIMIT $2`,
      [run.id, maxLineageRows],
    );
    const cut = await runLineage(pool, run.id);
    expect(cut.truncated).toBe(true);
    expect(cut.inputs).toHaveLength(maxLineageRows);
    // The others are whole.
    expect(cut.outputs).toEqual(whole.outputs);
    expect(cut.movements).toEqual(whole.movements);
  });
});

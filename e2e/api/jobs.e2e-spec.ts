import { beforeAll, describe, expect, it } from '@jest/globals';
import { api, graphql } from '../support/http';

interface Run {
  id: string;
  state: string;
  progress: number;
  result: Record<string, unknown> | null;
  error: string | null;
  taskCounts: Record<string, number>;
  tasks: { id: string; key: string; state: string; attempt: number }[];
}
type FieldErrors = { field: string; reason: string }[];

async function waitForRun(id: string, states: string[], ms = 60_000): Promise<Run> {
  const deadline = Date.now() + ms;
  for (;;) {
    const reply = await api<Run>('GET', `/api/jobs/runs/${id}`);
    expect(reply.status).toBe(200);
    if (states.includes(reply.body.state)) return reply.body;
    if (Date.now() > deadline) {
      throw new Error(`run ${id} still ${reply.body.state}: ${JSON.stringify(reply.body.tasks)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the job platform over HTTP', () => {
  let nodes: Map<string, string>;

  beforeAll(async () => {
    const reply = await api<{ items: { id: string; reference: string }[] }>(
      'GET',
      '/api/nodes?limit=500&sort=reference',
    );
    nodes = new Map(reply.body.items.map((n) => [n.reference, n.id]));
  });

  it('lists the job types with their parameter schemas', async () => {
    const reply = await api<
      { name: string; parameters: { name: string; type: string; required: boolean }[] }[]
    >('GET', '/api/jobs/types');
    expect(reply.status).toBe(200);
    const health = reply.body.find((t) => t.name === 'series-health')!;
    expect(health.parameters.find((p) => p.name === 'nodeId')).toMatchObject({
      type: 'node',
      required: true,
    });
    expect(reply.body.map((t) => t.name)).toContain('platform-check');
    expect((await api('GET', '/api/jobs/types/no-such')).status).toBe(404);
  });

  it('refuses bad submissions with 400 naming each field', async () => {
    const bad = await api<{ code: string; errors: FieldErrors }>('POST', '/api/jobs/runs', {
      type: 'series-health',
      params: { nodeId: 'T07', days: 0, colour: 'red' },
      ownerId: nodes.get('acme'),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('ValidationFailed');
    expect(bad.body.errors).toEqual([
      { field: 'params.colour', reason: expect.stringContaining('unknown parameter') },
      { field: 'params.nodeId', reason: 'must be the id (UUID) of a node' },
      { field: 'params.days', reason: 'must be at least 1' },
    ]);
    const priority = await api<{ errors: FieldErrors }>('POST', '/api/jobs/runs', {
      type: 'series-health',
      params: { nodeId: nodes.get('acme.north') },
      ownerId: nodes.get('acme'),
      priority: 5000,
    });
    expect(priority.status).toBe(400);
    expect(priority.body.errors).toEqual([
      { field: 'priority', reason: 'must not be greater than 1000' },
    ]);
    const unknown = await api<{ errors: FieldErrors }>('POST', '/api/jobs/runs', {
      type: 'no-such-type',
      ownerId: nodes.get('acme'),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('type');
    const missingNode = await api<{ errors: FieldErrors }>('POST', '/api/jobs/runs', {
      type: 'series-health',
      params: { nodeId: '00000000-0000-4000-8000-000000000000' },
      ownerId: '00000000-0000-4000-8000-000000000001',
    });
    // The owner is checked first (the policy decides on it), then the nodes the run would read.
    expect(missingNode.status).toBe(400);
    expect(missingNode.body.errors.map((e) => e.field)).toEqual(['ownerId']);
    const missingParam = await api<{ errors: FieldErrors }>('POST', '/api/jobs/runs', {
      type: 'series-health',
      params: { nodeId: '00000000-0000-4000-8000-000000000000' },
      ownerId: nodes.get('acme'),
    });
    expect(missingParam.status).toBe(400);
    expect(missingParam.body.errors).toEqual([
      {
        field: 'params.nodeId',
        reason: 'no node with id 00000000-0000-4000-8000-000000000000',
      },
    ]);
    expect((await api('GET', '/api/jobs/runs/not-a-uuid')).status).toBe(400);
    expect((await api('GET', '/api/jobs/runs/00000000-0000-4000-8000-000000000000')).status).toBe(
      404,
    );
  });

  it('runs series-health over the demo wind farm: fan-out, merge, logs and lineage', async () => {
    const to = new Date();
    const from = new Date(to.getTime() - 2 * 86_400_000);
    const submitted = await api<Run>('POST', '/api/jobs/runs', {
      type: 'series-health',
      params: {
        nodeId: nodes.get('acme.north'),
        from: from.toISOString(),
        to: to.toISOString(),
        raiseAlerts: false,
      },
      ownerId: nodes.get('acme'),
    });
    expect(submitted.status).toBe(201);
    const run = await waitForRun(submitted.body.id, ['succeeded', 'failed']);
    expect(run.state).toBe('succeeded');
    expect(run.progress).toBe(100);
    // 12 turbines, each with 4 SCADA fields and a state series.
    expect(run.result).toMatchObject({ series: 60 });
    expect(run.tasks.filter((t) => t.key.startsWith('scan[')).length).toBe(60);
    expect(run.taskCounts).toMatchObject({ total: 62, succeeded: 62 });

    const logs = await api<{ items: { message: string; taskKey: string | null }[]; last: string }>(
      'GET',
      `/api/jobs/runs/${run.id}/logs?limit=1000`,
    );
    expect(logs.status).toBe(200);
    expect(logs.body.items[0].message).toBe('submitted');
    expect(logs.body.items.some((l) => l.taskKey === 'summarize')).toBe(true);
    const newer = await api<{ items: unknown[] }>(
      'GET',
      `/api/jobs/runs/${run.id}/logs?after=${logs.body.last}`,
    );
    expect(newer.body.items).toEqual([]);

    const lineage = await api<{
      inputs: { seriesKey: string; points: number }[];
      outputs: { itemKind: string; itemId: string }[];
      movements: { resourceReference: string; quantity: string }[];
    }>('GET', `/api/jobs/runs/${run.id}/lineage`);
    expect(lineage.status).toBe(200);
    expect(lineage.body.inputs).toHaveLength(60);
    expect(lineage.body.outputs.map((o) => o.itemKind)).toEqual(['report']);
    const points = lineage.body.inputs.reduce((n, i) => n + i.points, 0);
    const billed = lineage.body.movements
      .filter((m) => !m.resourceReference.startsWith('job.'))
      .reduce((n, m) => n + Number(m.quantity), 0);
    // Every point read is accounted for in a movement of its series' resource.
    expect(billed).toBe(points);
    const report = await api<{ kind: string; metadata: { series: number } }>(
      'GET',
      `/api/items/${lineage.body.outputs[0].itemId}`,
    );
    expect(report.body).toMatchObject({ kind: 'report', metadata: { series: 60 } });
  });

  it('cancels a running run (409 twice), then retries it', async () => {
    const submitted = await api<Run>('POST', '/api/jobs/runs', {
      type: 'platform-check',
      params: { tasks: 2, seconds: 60 },
      ownerId: nodes.get('acme'),
    });
    const id = submitted.body.id;
    await waitForRun(id, ['running']);
    const cancelled = await api<Run>('POST', `/api/jobs/runs/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.state).toBe('cancelled');
    expect(cancelled.body.tasks.every((t) => ['cancelled', 'succeeded'].includes(t.state))).toBe(
      true,
    );
    const again = await api<{ code: string }>('POST', `/api/jobs/runs/${id}/cancel`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('JobRunFinished');
    const retried = await api<Run>('POST', `/api/jobs/runs/${id}/retry`);
    expect(retried.status).toBe(200);
    expect(['queued', 'running']).toContain(retried.body.state);
    expect((await api<Run>('POST', `/api/jobs/runs/${id}/cancel`)).body.state).toBe('cancelled');
  });

  it('fails a run whose tasks run out of attempts; only such a run can be retried', async () => {
    const submitted = await api<Run>('POST', '/api/jobs/runs', {
      type: 'platform-check',
      params: { tasks: 1, seconds: 0, failTimes: 1 },
      ownerId: nodes.get('acme'),
      maxAttempts: 1,
    });
    const failed = await waitForRun(submitted.body.id, ['succeeded', 'failed']);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatch(/task wait\[0\] failed after 1 attempt\(s\): failing attempt 1/);
    // Attempt 2 passes failTimes 1.
    const retried = await api<Run>('POST', `/api/jobs/runs/${failed.id}/retry`);
    expect(retried.status).toBe(200);
    const done = await waitForRun(failed.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    const again = await api<{ code: string }>('POST', `/api/jobs/runs/${failed.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('JobRunNotRetryable');
  });

  it('lists runs newest first with filters', async () => {
    const page = await api<{ items: Run[]; nextCursor: string | null }>(
      'GET',
      '/api/jobs/runs?type=platform-check&limit=1',
    );
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).not.toBeNull();
    const next = await api<{ items: Run[] }>(
      'GET',
      `/api/jobs/runs?type=platform-check&limit=1&cursor=${page.body.nextCursor}`,
    );
    expect(next.body.items[0].id).not.toBe(page.body.items[0].id);
    const bad = await api<{ errors: FieldErrors }>('GET', '/api/jobs/runs?state=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('state');
  });

  it('manages cron schedules: create, pause, resume, delete; a bad cron is a 400', async () => {
    const bad = await api<{ errors: FieldErrors }>('POST', '/api/jobs/schedules', {
      name: 'bad',
      type: 'platform-check',
      cron: '* * 32 * *',
      ownerId: nodes.get('acme'),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('cron');
    const created = await api<{ id: string; state: string; nextRunAt: string }>(
      'POST',
      '/api/jobs/schedules',
      {
        name: 'every second',
        type: 'platform-check',
        params: { tasks: 0 },
        cron: '* * * * * *',
        ownerId: nodes.get('acme'),
      },
    );
    expect(created.status).toBe(201);
    // The worker fires it within a few seconds.
    const deadline = Date.now() + 30_000;
    let runs: Run[] = [];
    while (runs.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      runs = (await api<{ items: Run[] }>('GET', `/api/jobs/runs?scheduleId=${created.body.id}`))
        .body.items;
    }
    expect(runs.length).toBeGreaterThan(0);
    const paused = await api<{ state: string }>(
      'POST',
      `/api/jobs/schedules/${created.body.id}/pause`,
    );
    expect(paused.body.state).toBe('paused');
    const resumed = await api<{ state: string }>(
      'POST',
      `/api/jobs/schedules/${created.body.id}/resume`,
    );
    expect(resumed.body.state).toBe('active');
    const listed = await api<{ id: string; lastRunId: string | null }[]>(
      'GET',
      '/api/jobs/schedules',
    );
    expect(listed.body.find((s) => s.id === created.body.id)?.lastRunId).not.toBeNull();
    // The demo data's nightly schedule is there too.
    expect(listed.body.length).toBeGreaterThanOrEqual(2);
    expect((await api('DELETE', `/api/jobs/schedules/${created.body.id}`)).status).toBe(204);
    expect((await api('GET', `/api/jobs/schedules/${created.body.id}`)).status).toBe(404);
  });

  it('serves the same over GraphQL, with field errors in extensions', async () => {
    const types = await graphql<{ jobTypes: { name: string }[] }>('{ jobTypes { name } }');
    expect(types.data?.jobTypes.map((t) => t.name)).toContain('series-health');
    const bad = await graphql(
      `
        mutation ($input: SubmitJobRunInput!) {
          submitJobRun(input: $input) {
            id
          }
        }
      `,
      { input: { type: 'series-health', params: { days: 'many' }, ownerId: nodes.get('acme') } },
    );
    expect(bad.errors?.[0].extensions).toMatchObject({
      code: 'ValidationFailed',
      status: 400,
      errors: expect.arrayContaining([
        { field: 'params.nodeId', reason: 'is required' },
        { field: 'params.days', reason: 'must be a number' },
      ]),
    });
    const workers = await graphql<{ jobWorkers: { running: number; stoppedAt: string | null }[] }>(
      '{ jobWorkers { running stoppedAt } }',
    );
    expect(workers.data?.jobWorkers.some((w) => w.stoppedAt === null)).toBe(true);
  });
});

import { createTestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, type ApiHarness, type ApiTestBed } from '../testing/api-harness';

// A job parameter naming an item (rul-predict's modelId) is checked at submission: the caller
// must be allowed to read the item, and an item of another organisation, of another kind or
// that does not exist is refused in the same words.

const id = () => randomUUID();
const A = { org: id(), fleet: id(), model: id(), sensor: id() };
const B = { org: id(), fleet: id(), model: id() };

describe('item parameters of jobs', () => {
  let bed: ApiTestBed;
  let api: ApiHarness;
  let sql: Pool;
  let token = '';

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('item_params'), {
      nodes: [
        [A.org, null, 'organisation', 'alpha'],
        [A.fleet, A.org, 'site', 'alpha.fleet'],
        [B.org, null, 'organisation', 'beta'],
        [B.fleet, B.org, 'site', 'beta.fleet'],
      ],
      members: [['owner@alpha.test', A.org, 'owner']],
    });
    ({ api, sql } = bed);
    token = bed.tokens['owner@alpha.test'];
    for (const [o, name] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const)
      await sql.query(
        `INSERT INTO item (id, kind, reference, name, owner_id, metadata, updated_at)
         VALUES ($1, 'model', $2, $2, $3, '{"type": "rul-gbt"}', now())`,
        [o.model, `${name}.model`, o.fleet],
      );
    await sql.query(
      `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, 'sensor', 'alpha.sensor', 's', $2, now())`,
      [A.sensor, A.fleet],
    );
  });

  afterAll(() => bed?.close());

  const submit = (modelId: string) =>
    api.call('POST', '/api/jobs/runs', {
      token,
      body: { type: 'rul-predict', ownerId: A.org, params: { fleetId: A.fleet, modelId } },
    });

  it('refuses another organisation’s model exactly as one that does not exist', async () => {
    const foreign = await submit(B.model);
    const unknown = await submit(id());
    expect(foreign.status).toBe(400);
    const reason = (body: unknown) =>
      (body as { errors: { field: string; reason: string }[] }).errors.map((e) => ({
        field: e.field,
        reason: e.reason.replace(/[0-9a-f-]{36}/g, '<id>'),
      }));
    expect(reason(foreign.body)).toEqual([
      { field: 'params.modelId', reason: 'no model item with id <id>' },
    ]);
    expect(reason(unknown.body)).toEqual(reason(foreign.body));
    expect(
      (
        await sql.query(`SELECT count(*)::int AS n FROM job_run WHERE params->>'modelId' = $1`, [
          B.model,
        ])
      ).rows[0].n,
    ).toBe(0);
  });

  it('refuses an own item of another kind, and takes an own model', async () => {
    const sensor = await submit(A.sensor);
    expect(sensor.status).toBe(400);
    expect(JSON.stringify(sensor.body)).toContain('no model item with id');
    const own = await submit(A.model);
    expect(own.status).toBe(201);
  });

  it('describes the parameter as an item of kind model', async () => {
    const type = await api.call<{
      parameters: { name: string; type: string; itemKinds: string[] }[];
    }>('GET', '/api/jobs/types/rul-predict', { token });
    expect(type.body.parameters.find((p) => p.name === 'modelId')).toMatchObject({
      type: 'item',
      itemKinds: ['model'],
    });
  });
});

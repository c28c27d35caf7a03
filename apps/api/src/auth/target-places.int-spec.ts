import { createTestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  openApiTestBed,
  organisationTree,
  type ApiHarness,
  type ApiTestBed,
} from '../testing/api-harness';

// The guard reads each target id from the one place its @Can names, from the validated input
// the handler then acts on. The attack it closes: own ids in the query to pass the guard,
// another organisation's ids in the body for the handler (issue: query/body confusion).

const id = () => randomUUID();
const A = { org: id(), machine: id(), lake: id(), site: id() };
const B = { org: id(), machine: id(), lake: id(), site: id() };

describe('target places', () => {
  let bed: ApiTestBed;
  let api: ApiHarness;
  let sql: Pool;
  let token = '';
  let resource = '';

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('target_places'), {
      nodes: [...organisationTree(A, 'alpha'), ...organisationTree(B, 'beta')],
      members: [['owner@alpha.test', A.org, 'owner']],
    });
    ({ api, sql } = bed);
    token = bed.tokens['owner@alpha.test'];
    resource = (
      await sql.query<{ id: string }>(
        `INSERT INTO resource (id, reference, name, unit, value_type, updated_at)
         VALUES ($1, 'r', 'R', 'u', 'float', now()) RETURNING id`,
        [id()],
      )
    ).rows[0].id;
  });

  afterAll(() => bed?.close());

  const movement = (source: string, destination: string) => ({
    resourceId: resource,
    sourceId: source,
    destinationId: destination,
    quantity: '1000000',
    unitPrice: '99',
    start: '2026-01-01T00:00:00Z',
    stop: '2026-01-01T01:00:00Z',
  });
  const movementsOfB = async () =>
    (
      await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM movement WHERE source_id = ANY($1) OR destination_id = ANY($1)',
        [[B.machine, B.lake]],
      )
    ).rows[0].n;

  it('refuses own ids in the query vouching for another organisation’s ids in the body', async () => {
    const reply = await api.call(
      'POST',
      `/api/movements?sourceId=${A.machine}&destinationId=${A.lake}`,
      { token, body: movement(B.machine, B.lake) },
    );
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({
      code: 'ValidationFailed',
      errors: [
        {
          field: 'sourceId',
          reason: 'given in the query and in the body; send it in the body only',
        },
      ],
    });
    expect(await movementsOfB()).toBe(0);
  });

  it('refuses a target named in the query and the body even when both are the caller’s', async () => {
    const reply = await api.call('POST', `/api/movements?destinationId=${A.lake}`, {
      token,
      body: movement(A.machine, A.lake),
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('destinationId');
  });

  it('refuses a route target given again in the query or the body', async () => {
    const query = await api.call('PATCH', `/api/nodes/${A.site}?id=${B.site}`, {
      token,
      body: { name: 'renamed' },
    });
    expect(query.status).toBe(400);
    expect(query.body).toMatchObject({
      errors: [
        { field: 'id', reason: 'given in the route and in the query; send it in the route only' },
      ],
    });
    const body = await api.call('PATCH', `/api/nodes/${A.site}`, {
      token,
      body: { name: 'renamed', id: B.site },
    });
    expect(body.status).toBe(400);
    const names = await sql.query<{ name: string }>(
      'SELECT name FROM node WHERE id = ANY($1) ORDER BY name',
      [[A.site, B.site]],
    );
    expect(names.rows.map((r) => r.name)).toEqual(['alpha.site', 'beta.site']);
  });

  it('refuses a body target moved into the query of a route that reads the body', async () => {
    // parentId only in the query: the body's own (absent) parentId decides, on the platform.
    const reply = await api.call('POST', `/api/nodes?parentId=${A.site}`, {
      token,
      body: { kind: 'site', name: 'x', reference: 'x1' },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.body)).toContain('send it in the body only');
  });

  it('decides on the body the handler acts on, nested ids included', async () => {
    const own = await api.call('POST', '/api/movements', {
      token,
      body: movement(A.machine, A.lake),
    });
    expect(own.status).toBe(201);
    const foreign = await api.call('POST', '/api/movements', {
      token,
      body: movement(A.machine, B.lake),
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatchObject({
      errors: [{ field: 'destinationId', reason: `no node with id ${B.lake}` }],
    });
    // A job's parameters name nodes too: B's machine there is refused like an unknown one.
    const run = await api.call('POST', '/api/jobs/runs', {
      token,
      body: { type: 'series-health', ownerId: A.org, params: { nodeId: B.machine } },
    });
    const unknown = await api.call('POST', '/api/jobs/runs', {
      token,
      body: { type: 'series-health', ownerId: A.org, params: { nodeId: id() } },
    });
    expect(run.status).toBeGreaterThanOrEqual(400);
    expect(run.status).toBe(unknown.status);
    expect(await movementsOfB()).toBe(0);
  });

  it('checks GraphQL targets given through variables as through literals', async () => {
    const mutation =
      'mutation($input: CreateMovementInput!) { createMovement(input: $input) { id } }';
    const foreign = await api.graphql(mutation, { input: movement(B.machine, B.lake) }, token);
    expect(foreign.body.errors?.[0]?.extensions).toMatchObject({ code: 'ValidationFailed' });
    const own = await api.graphql(mutation, { input: movement(A.machine, A.lake) }, token);
    expect(own.body.errors).toBeUndefined();
    expect(await movementsOfB()).toBe(0);
  });
});

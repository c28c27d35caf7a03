import { createTestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { maxTagPatternLength, maxTagPatterns } from '@sextant/ingest';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, type ApiHarness, type ApiTestBed } from '../testing/api-harness';

// The fluentd tag patterns of mapping.forward.nodes are matched against every forward
// message's tag: the API refuses patterns over the cap, and too many of them, naming the
// setting, when a path is created or changed (REST and GraphQL).
const ids = { org: randomUUID(), site: randomUUID(), lake: randomUUID() };
const hostile = `*${'a*'.repeat(maxTagPatternLength / 2)}b`;

describe('forward tag patterns of a path', () => {
  let bed: ApiTestBed;
  let sql: Pool;
  let api: ApiHarness;
  let token = '';

  const create = (forward: Record<string, unknown>) =>
    api.call<{ id: string; errors?: { field: string; reason: string }[] }>('POST', '/api/paths', {
      token,
      body: {
        name: `p-${randomUUID()}`,
        sourceId: ids.site,
        destinationId: ids.lake,
        protocol: 'forward',
        mapping: { forward },
      },
    });

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('api_forward_rules'), {
      nodes: [
        [ids.org, null, 'organisation', 'org'],
        [ids.site, ids.org, 'site', 'org.site'],
        [ids.lake, ids.org, 'database', 'org.lake'],
      ],
      members: [['owner@org.test', ids.org, 'owner']],
    });
    ({ api, sql } = bed);
    token = bed.tokens['owner@org.test'];
  });

  afterAll(() => bed?.close());

  it('takes patterns up to the cap', async () => {
    const reply = await create({ nodes: { ['x'.repeat(maxTagPatternLength)]: 'org.site' } });
    expect(reply.status).toBe(201);
  });

  it('refuses a pattern over the cap with 400 naming the setting, and stores nothing', async () => {
    const before = await sql.query('SELECT count(*)::int AS n FROM path');
    const reply = await create({ nodes: { 'ok.*': 'org.site', [hostile]: 'org.site' } });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      {
        field: `mapping.forward.nodes["${hostile.slice(0, 40)}…"]`,
        reason: `the pattern has ${hostile.length} characters; at most ${maxTagPatternLength} are allowed`,
      },
    ]);
    const after = await sql.query('SELECT count(*)::int AS n FROM path');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('refuses more rules than the cap', async () => {
    const nodes = Object.fromEntries(
      Array.from({ length: maxTagPatterns + 1 }, (_, i) => [`t${i}.*`, 'org.site']),
    );
    const reply = await create({ nodes });
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      {
        field: 'mapping.forward.nodes',
        reason: `has ${maxTagPatterns + 1} rules; at most ${maxTagPatterns} are allowed`,
      },
    ]);
  });

  it('refuses the same on a change, through REST and GraphQL, and keeps the path as it was', async () => {
    const created = await create({ nodes: { 'ok.*': 'org.site' } });
    expect(created.status).toBe(201);
    const id = created.body.id;
    const patched = await api.call<{ errors?: { field: string }[] }>('PATCH', `/api/paths/${id}`, {
      token,
      body: { mapping: { forward: { nodes: { [hostile]: 'org.site' } } } },
    });
    expect(patched.status).toBe(400);
    expect(patched.body.errors?.[0].field).toMatch(/^mapping\.forward\.nodes\["\*a\*a/);
    const gql = await api.graphql<{ updatePath: { id: string } | null }>(
      'mutation($id: ID!, $input: UpdatePathInput!) { updatePath(id: $id, input: $input) { id } }',
      { id, input: { mapping: { forward: { nodes: { [hostile]: 'org.site' } } } } },
      token,
    );
    expect(gql.body.errors?.[0].extensions).toMatchObject({ code: 'ValidationFailed' });
    expect(gql.body.errors?.[0].message).toMatch(/mapping\.forward\.nodes.*at most 256/);
    const { rows } = await sql.query('SELECT mapping FROM path WHERE id = $1', [id]);
    expect(rows[0].mapping).toEqual({ forward: { nodes: { 'ok.*': 'org.site' } } });
  });
});

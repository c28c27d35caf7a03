import { createTestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, type ApiHarness, type ApiTestBed } from '../testing/api-harness';

// Deleting a path that has written points: a 409 saying what still refers to it and what to
// do instead, never a foreign-key error escaping as a 500.

const id = () => randomUUID();
const org = id();
const machine = id();
const lake = id();
const resource = id();

describe('deleting a path', () => {
  let bed: ApiTestBed;
  let api: ApiHarness;
  let sql: Pool;
  let token = '';

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('path_delete'), {
      nodes: [
        [org, null, 'organisation', 'acme'],
        [machine, org, 'machine', 'acme.t01'],
        [lake, org, 'database', 'acme.lake'],
      ],
      members: [['owner@acme.test', org, 'owner']],
    });
    ({ api, sql } = bed);
    token = bed.tokens['owner@acme.test'];
    await sql.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, updated_at) VALUES ($1, 'r', 'R', 'u', 'float', now())`,
      [resource],
    );
  });

  afterAll(() => bed?.close());

  const path = async () => {
    const created = await api.call<{ id: string }>('POST', '/api/paths', {
      token,
      body: { name: `feed ${id()}`, sourceId: machine, destinationId: lake, protocol: 'line' },
    });
    expect(created.status).toBe(201);
    return created.body.id;
  };

  it('answers 409 for a path whose points are still being accounted, naming them', async () => {
    const feed = await path();
    // Points written a moment ago: a series from the path, and its minute not yet a movement.
    await sql.query(
      `INSERT INTO series (key, measurement, field, value_type, node_id, resource_id, path_id)
       VALUES ('scada f', 'scada', 'f', 'float', $1, $2, $3)`,
      [machine, resource, feed],
    );
    await sql.query(
      `INSERT INTO ingest_tally (id, path_id, resource_id, minute, points, first_time, last_time)
       VALUES ($1, $2, $3, date_trunc('minute', now()), 100, now(), now())`,
      [id(), feed, resource],
    );
    const reply = await api.call('DELETE', `/api/paths/${feed}`, { token });
    expect(reply.status).toBe(409);
    expect(reply.body).toMatchObject({ code: 'PathInUse' });
    expect(String((reply.body as { message: string }).message)).toMatch(
      /1 minute of points still being accounted.*revoke it instead \(PATCH state revoked\)/,
    );
    // The advice works: revoking keeps the path and its history.
    const revoked = await api.call('PATCH', `/api/paths/${feed}`, {
      token,
      body: { state: 'revoked' },
    });
    expect(revoked.status).toBe(200);
  });

  it('answers 409 for a path with movements, and deletes one that never carried data', async () => {
    const feed = await path();
    await sql.query(
      `INSERT INTO movement (id, resource_id, source_id, destination_id, path_id, quantity, start, stop, origin)
       VALUES ($1, $2, $3, $4, $5, 10, now() - interval '1 hour', now(), 'ingest')`,
      [id(), resource, machine, lake, feed],
    );
    const reply = await api.call('DELETE', `/api/paths/${feed}`, { token });
    expect(reply.status).toBe(409);
    expect(JSON.stringify(reply.body)).toContain('1 movement,');
    const unused = await path();
    expect((await api.call('DELETE', `/api/paths/${unused}`, { token })).status).toBe(204);
  });
});

import { createTestDatabase } from '@sextant/testing';
import { randomUUID } from 'node:crypto';
import { ensureNodes } from '@sextant/imports';
import { ensureAccounting } from '@sextant/jobs';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, type ApiHarness, type ApiTestBed } from '../testing/api-harness';

// References of nodes and items are unique within an organisation: a 409 never tells one
// organisation another's names, and no organisation can squat a name another will need.
// Organisations' own references (their MQTT namespaces) stay unique across the platform.

const id = () => randomUUID();
const A = { org: id() };
const B = { org: id() };

describe('references unique per organisation', () => {
  let bed: ApiTestBed;
  let api: ApiHarness;
  let sql: Pool;
  let tokens: Record<string, string> = {};

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('references'), {
      nodes: [
        [A.org, null, 'organisation', 'alpha'],
        [B.org, null, 'organisation', 'beta'],
      ],
      members: [
        ['owner@alpha.test', A.org, 'owner'],
        ['owner@beta.test', B.org, 'owner'],
      ],
    });
    ({ api, sql, tokens } = bed);
  });

  afterAll(() => bed?.close());

  const createNode = (token: string, parentId: string, reference: string) =>
    api.call<{ id: string; code?: string; message?: string }>('POST', '/api/nodes', {
      token,
      body: { kind: 'site', name: reference, reference, parentId },
    });

  it('lets two organisations use one name, and refuses it twice in one organisation', async () => {
    const alpha = await createNode(tokens['owner@alpha.test'], A.org, 'north');
    expect(alpha.status).toBe(201);
    // Beta's owner learns nothing of Alpha's north, and can have its own.
    const beta = await createNode(tokens['owner@beta.test'], B.org, 'north');
    expect(beta.status).toBe(201);
    const again = await createNode(tokens['owner@alpha.test'], alpha.body.id, 'north');
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      code: 'ReferenceTaken',
      message: 'reference: another node in this organisation already uses this value',
    });
  });

  it('does the same for items', async () => {
    const item = (token: string, ownerId: string) =>
      api.call('POST', '/api/items', {
        token,
        body: { kind: 'sensor', reference: 'vs-4100', name: 'VS-4100', ownerId },
      });
    expect((await item(tokens['owner@alpha.test'], A.org)).status).toBe(201);
    expect((await item(tokens['owner@beta.test'], B.org)).status).toBe(201);
    expect((await item(tokens['owner@alpha.test'], A.org)).status).toBe(409);
  });

  it('keeps organisations’ own references unique, and never hands out the operator’s', async () => {
    await expect(
      sql.query(
        `INSERT INTO node (id, kind, name, reference, updated_at) VALUES ($1, 'organisation', 'x', 'alpha', now())`,
        [id()],
      ),
    ).rejects.toThrow(/node_reference_scope_reference_key/);
    const reply = await api.call<{ organisation?: { reference: string } }>(
      'POST',
      '/api/auth/register',
      {
        body: {
          email: 'squatter@example.test',
          name: 'Squatter',
          password: 'a long enough password 1',
          organisation: 'Sextant',
        },
      },
    );
    expect(reply.status).toBeLessThan(300);
    const { rows } = await sql.query<{ reference: string }>(
      `SELECT reference FROM node WHERE parent_id IS NULL AND name = 'Sextant'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0].reference).toMatch(/^sextant-[a-z0-9]+$/);
  });

  it('takes a moved subtree, and its items, into its new organisation', async () => {
    const site = id();
    const machine = id();
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, $3, 'site', 'moving', 'moving', now()), ($2, $1, 'machine', 'm', 'moving.m', now())`,
      [site, machine, A.org],
    );
    await sql.query(
      `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, 'sensor', 'moving.s', 's', $2, now())`,
      [id(), machine],
    );
    const scopes = async () =>
      (
        await sql.query<{ scope: string }>(
          `SELECT reference_scope::text AS scope FROM node WHERE id = ANY($1)
           UNION ALL SELECT reference_scope::text FROM item WHERE reference = 'moving.s'`,
          [[site, machine]],
        )
      ).rows.map((r) => r.scope);
    expect(await scopes()).toEqual([A.org, A.org, A.org]);
    await sql.query('UPDATE node SET parent_id = $2 WHERE id = $1', [site, B.org]);
    expect(await scopes()).toEqual([B.org, B.org, B.org]);
    // Into an organisation that already has one of its names: refused, nothing moves.
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, 'site', 'm', 'moving.m', now())`,
      [id(), A.org],
    );
    await expect(
      sql.query('UPDATE node SET parent_id = $2 WHERE id = $1', [site, A.org]),
    ).rejects.toThrow(/node_reference_scope_reference_key/);
    expect(await scopes()).toEqual([B.org, B.org, B.org]);
  });

  it('imports into an organisation’s own node even when another organisation has the name', async () => {
    const [alphaT1] = await ensureNodes(sql, [
      { kind: 'machine', name: 'T1', reference: 'turbine.t1', parentId: A.org, metadata: {} },
    ]);
    const [betaT1] = await ensureNodes(sql, [
      { kind: 'machine', name: 'T1', reference: 'turbine.t1', parentId: B.org, metadata: {} },
    ]);
    expect(betaT1.id).not.toBe(alphaT1.id);
    expect(betaT1.created).toBe(true);
    const [again] = await ensureNodes(sql, [
      { kind: 'machine', name: 'T1', reference: 'turbine.t1', parentId: B.org, metadata: {} },
    ]);
    expect(again.id).toBe(betaT1.id);
  });

  it('keeps the job platform’s accounting node out of reach of a look-alike', async () => {
    // An organisation names a node as the platform's jobs node is named.
    const fake = id();
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, 'other', 'x', 'sextant.jobs', now())`,
      [fake, A.org],
    );
    const refs = await ensureAccounting(sql);
    expect(refs.jobsNodeId).not.toBe(fake);
    const { rows } = await sql.query<{ parent: string | null }>(
      'SELECT parent_id AS parent FROM node WHERE id = $1',
      [refs.jobsNodeId],
    );
    expect(rows[0].parent).toBeNull();
  });
});

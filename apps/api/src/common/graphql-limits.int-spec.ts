import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { membersWithTokens, startApi, type ApiHarness } from '../testing/api-harness';

// Lists of the GraphQL schema have a maximum, through the API in this process.

const ids = {
  org: '00000000-0000-7000-8000-00000000e001',
  site: '00000000-0000-7000-8000-00000000e002',
  crowded: '00000000-0000-7000-8000-00000000e003',
  machine: '00000000-0000-7000-8000-00000000e004',
};

type Reply = Awaited<ReturnType<ApiHarness['graphql']>>;
const codeOf = (reply: Reply) => reply.body.errors?.[0]?.extensions?.code;

describe('GraphQL lists', () => {
  let db: TestDatabase;
  let sql: Pool;
  let api: ApiHarness;
  let token: string;
  const ask = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
    api.call<Reply['body']>('POST', '/graphql', {
      body: { query, variables, ...(operationName ? { operationName } : {}) },
      token,
    });

  beforeAll(async () => {
    db = await createTestDatabase('graphql_limits');
    sql = new Pool({ connectionString: db.url, max: 2 });
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES
         ($1, NULL, 'organisation', 'Limits Org', 'limits', now()),
         ($2, $1, 'site', 'Farm', 'limits.farm', now()),
         ($3, $1, 'site', 'Crowded', 'limits.crowded', now()),
         ($4, $2, 'machine', 'T1', 'limits.farm.t1', now())`,
      [ids.org, ids.site, ids.crowded, ids.machine],
    );
    ({ 'owner@limits.test': token } = await membersWithTokens(
      sql,
      db.url,
      [['owner@limits.test', ids.org, 'owner']],
      'limits',
    ));
    api = await startApi(db.url);
  });

  afterAll(async () => {
    await api?.close();
    await sql?.end();
    await db?.drop();
  });

  it('refuses a list longer than its maximum rather than cutting it', async () => {
    // 3,001 machines on one site: more than remainingLife lists (maintenance.service.ts).
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at)
       SELECT gen_random_uuid(), $1, 'machine', 'M' || i, 'limits.crowded.m' || i, now()
         FROM generate_series(1, 3001) i`,
      [ids.crowded],
    );
    const crowded = await ask('query($id: ID) { remainingLife(nodeId: $id) { nodeId } }', {
      id: ids.crowded,
    });
    expect(crowded.status).toBe(400);
    expect(crowded.body.errors?.[0].extensions).toMatchObject({
      code: 'LimitExceeded',
      errors: [{ field: 'nodeId', reason: expect.stringMatching(/more than 3000 machines/) }],
    });
    const farm = await ask('query($id: ID) { remainingLife(nodeId: $id) { nodeId } }', {
      id: ids.site,
    });
    expect(farm.status).toBe(200);
    expect(farm.body.data).toEqual({ remainingLife: [{ nodeId: ids.machine }] });
    // 10,001 series of one measurement: more than seriesLast answers (series.service.ts).
    await sql.query(
      `INSERT INTO series (key, measurement, tags, field, value_type, node_id)
       SELECT 'bulk,i=' || i || ' v', 'bulk', jsonb_build_object('i', i::text), 'v', 'float', $1
         FROM generate_series(1, 10001) i`,
      [ids.machine],
    );
    const last = await ask('{ seriesLast(measurement: "bulk") { time } }');
    expect(last.status).toBe(400);
    expect(codeOf(last)).toBe('LimitExceeded');
    const narrowed = await ask('{ seriesLast(measurement: "bulk", tag: ["i:7"]) { time } }');
    expect(narrowed.status).toBe(200);
  });

  it('cuts a movement summary at its maximum and says so', async () => {
    // 20 resources × 351 days: 7,020 rows, over the 7,000 of movements.service.ts.
    await sql.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, updated_at)
       SELECT gen_random_uuid(), 'limits.r' || r, 'R' || r, 'u', 'float', now()
         FROM generate_series(1, 20) r`,
    );
    await sql.query(
      `INSERT INTO movement (id, resource_id, source_id, destination_id, quantity, start, stop, origin)
       SELECT gen_random_uuid(), r.id, $1, $2, 1, d, d + interval '1 hour', 'manual'
         FROM resource r, generate_series(timestamptz '2026-01-01', timestamptz '2026-12-17', interval '1 day') d
        WHERE r.reference LIKE 'limits.r%'`,
      [ids.machine, ids.site],
    );
    const query = `query($id: ID!, $from: String, $to: String) {
      movementSummary(nodeId: $id, from: $from, to: $to) { truncated rows { day } } }`;
    const year = await ask(query, {
      id: ids.site,
      from: '2026-01-01T00:00:00Z',
      to: '2026-12-31T00:00:00Z',
    });
    expect(year.body.errors, JSON.stringify(year.body.errors)).toBeUndefined();
    expect(year.status).toBe(200);
    const summary = (year.body.data as { movementSummary: { truncated: boolean; rows: unknown[] } })
      .movementSummary;
    expect(summary.truncated).toBe(true);
    expect(summary.rows).toHaveLength(7_000);
    const month = await ask(query, {
      id: ids.site,
      from: '2026-03-01T00:00:00Z',
      to: '2026-03-31T00:00:00Z',
    });
    expect(month.body.data).toMatchObject({ movementSummary: { truncated: false } });
    // 30 days × 20 resources
    expect(
      (month.body.data as { movementSummary: { rows: unknown[] } }).movementSummary.rows,
    ).toHaveLength(600);
  });
});

import { createTestDatabase, expectWithMessage } from '@sextant/testing';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiTestBed, type ApiHarness, type ApiTestBed } from '../testing/api-harness';

// The GraphQL cost limit as an attacker meets it, through the API in this process: limits in
// variables (and their defaults, and inside fragments), lists priced at their real maximum,
// hostile sizes; and the queries of the README and the end-to-end tests still pass.

const ids = {
  org: '00000000-0000-7000-8000-00000000e001',
  site: '00000000-0000-7000-8000-00000000e002',
  crowded: '00000000-0000-7000-8000-00000000e003',
  machine: '00000000-0000-7000-8000-00000000e004',
};

type Reply = Awaited<ReturnType<ApiHarness['graphql']>>;
const codeOf = (reply: Reply) => reply.body.errors?.[0]?.extensions?.code;

describe('GraphQL cost limit', () => {
  let bed: ApiTestBed;
  let sql: Pool;
  let api: ApiHarness;
  let token: string;
  const ask = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
    api.call<Reply['body']>('POST', '/graphql', {
      body: { query, variables, ...(operationName ? { operationName } : {}) },
      token,
    });

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('graphql_limits'), {
      nodes: [
        [ids.org, null, 'organisation', 'limits'],
        [ids.site, ids.org, 'site', 'limits.farm'],
        [ids.crowded, ids.org, 'site', 'limits.crowded'],
        [ids.machine, ids.site, 'machine', 'limits.farm.t1'],
      ],
      members: [['owner@limits.test', ids.org, 'owner']],
    });
    ({ api, sql } = bed);
    token = bed.tokens['owner@limits.test'];
  });

  afterAll(() => bed?.close());

  it('refuses a limit in a variable exactly as the same limit written out', async () => {
    const literal = await ask('{ nodes(limit: 500) { items { subtree { id } } } }');
    expect(literal.status).toBe(400);
    expect(codeOf(literal)).toBe('QueryTooCostly');
    const variable = await ask('query($n: Int) { nodes(limit: $n) { items { subtree { id } } } }', {
      n: 500,
    });
    expect(variable.status).toBe(400);
    // 1 + 1 + 500 subtrees + 500 × 10,000 ids, in the same answer.
    expect(variable.body).toEqual(literal.body);
    expect(variable.body.errors?.[0].message).toMatch(/query cost 5000502 is over the limit/);
    const small = await ask('query($n: Int) { nodes(limit: $n) { items { subtree { id } } } }', {
      n: 4,
    });
    expect(small.status).toBe(200);
  });

  it('counts the default of a variable and variables inside fragments', async () => {
    const withDefault = await ask(
      'query($n: Int = 500) { nodes(limit: $n) { items { subtree { id } } } }',
    );
    expect(withDefault.status).toBe(400);
    expect(codeOf(withDefault)).toBe('QueryTooCostly');
    const inFragment = await ask(
      `query($n: Int, $k: Int) { nodes(limit: $n) { ...Page } }
       fragment Page on NodeConnection { items { ... on Node { children(limit: $k) { id } } } }`,
      { n: 500, k: 10_000 },
    );
    expect(inFragment.status).toBe(400);
    expect(codeOf(inFragment)).toBe('QueryTooCostly');
    const fewer = await ask(
      `query($n: Int, $k: Int) { nodes(limit: $n) { ...Page } }
       fragment Page on NodeConnection { items { ... on Node { children(limit: $k) { id } } } }`,
      { n: 500, k: 20 },
    );
    expect(fewer.status).toBe(200);
  });

  it('prices a subtree at its 10,000 nodes and children as many unless asked for fewer', async () => {
    const one = await ask(`{ node(id: "${ids.org}") { subtree { id } } }`);
    expect(one.status).toBe(200);
    // Five subtrees: 1 + 5 × (1 + 10,000), just over the 50,000.
    const five = await ask(
      `{ node(id: "${ids.org}") { a: subtree { id } b: subtree { id } c: subtree { id } d: subtree { id } e: subtree { id } } }`,
    );
    expect(five.status).toBe(400);
    expect(five.body.errors?.[0].message).toMatch(/query cost 50006 is over/);
    const page = await ask('{ nodes(limit: 50) { items { subtree { id } } } }');
    expect(page.status).toBe(400);
    expect(codeOf(page)).toBe('QueryTooCostly');
    const children = await ask('{ nodes(limit: 50) { items { children { id } } } }');
    expect(codeOf(children)).toBe('QueryTooCostly');
    const fewer = await ask('{ nodes(limit: 50) { items { children(limit: 100) { id } } } }');
    expect(fewer.status).toBe(200);
    const tooMany = await ask(`{ node(id: "${ids.org}") { children(limit: 10001) { id } } }`);
    expect(tooMany.status).toBe(400);
    expect(codeOf(tooMany)).toBe('ValidationFailed');
  });

  it('measures the operation named in operationName', async () => {
    const document = `query Cheap { nodes(limit: 1) { items { id } } }
                      query Costly { nodes(limit: 500) { items { subtree { id } } } }`;
    expect((await ask(document, undefined, 'Cheap')).status).toBe(200);
    const costly = await ask(document, undefined, 'Costly');
    expect(costly.status).toBe(400);
    expect(codeOf(costly)).toBe('QueryTooCostly');
    // Without a name graphql runs none of them.
    const neither = await ask(document);
    expect(neither.status).toBe(400);
    expect(codeOf(neither)).toBe('GraphqlValidationFailed');
  });

  it('answers hostile limits and sizes with 400, never 500', async () => {
    const query = 'query($n: Int) { nodes(limit: $n) { items { id } } }';
    for (const n of [1e12, 'many', 2 ** 31, { $gt: 1 }]) {
      const reply = await ask(query, { n });
      expectWithMessage(reply.status, JSON.stringify(n)).toBe(400);
      expectWithMessage(codeOf(reply), JSON.stringify(n)).toBe('GraphqlValidationFailed');
    }
    const zero = await ask(query, { n: 0 });
    expect(zero.status).toBe(400);
    expect(codeOf(zero)).toBe('ValidationFailed');
    // 20,000 aliased subtrees: measured (linearly) and refused.
    const aliases = Array.from({ length: 20_000 }, (_, i) => `a${i}: subtree { id }`).join(' ');
    const wide = await ask(`{ node(id: "${ids.org}") { ${aliases} } }`);
    expect(wide.status).toBe(400);
    expect(codeOf(wide)).toBe('QueryTooCostly');
    // 40 fragments each spreading the next twice: 2^40 fields once expanded.
    const fragments = Array.from(
      { length: 40 },
      (_, i) => `fragment F${i} on Node { ...F${i + 1} ...F${i + 1} }`,
    ).join(' ');
    const doubling = await ask(
      `{ node(id: "${ids.org}") { ...F0 } } ${fragments} fragment F40 on Node { id }`,
    );
    expect(doubling.status).toBe(400);
    expect(codeOf(doubling)).toBe('QueryTooCostly');
    // Nested past what graphql's recursive parser and validation rules can follow (300 KB).
    const nested = await ask(`{ ${'a {'.repeat(100_000)} id ${'}'.repeat(100_000)} }`);
    expect(nested.status).toBe(400);
    expect(codeOf(nested)).toBe('QueryTooDeep');
    const list = await ask(
      `{ nodes(q: ${'['.repeat(5_000)}"x"${']'.repeat(5_000)}) { nextCursor } }`,
    );
    expect(list.status).toBe(400);
    expect(codeOf(list)).toBe('QueryTooDeep');
    const chain = Array.from(
      { length: 5_000 },
      (_, i) => `fragment C${i} on Node { ...C${i + 1} }`,
    );
    const chained = await ask(
      `{ node(id: "${ids.org}") { ...C0 } } ${chain.join(' ')} fragment C5000 on Node { id }`,
    );
    expect(chained.status).toBe(400);
    expect(codeOf(chained)).toBe('QueryTooDeep');
  });

  // The GraphQL queries of the README and the end-to-end tests, with the ids they use (before
  // the crowds of machines and series below).
  it.each([
    [
      'README',
      '{ nodes(kind: organisation, limit: 10) { items { name children(limit: 20) { name } } } }',
      {},
    ],
    [
      'model.e2e',
      `{ nodes(kind: organisation, limit: 50) { items { reference name
           children(limit: 20) { reference kind children(limit: 40) { reference } } } } }`,
      {},
    ],
    ['model.e2e paths', 'query ($n: ID) { paths(nodeId: $n) { items { id } } }', { n: ids.site }],
    ['security.e2e', '{ me { email } }', {}],
    ['jobs.e2e', '{ jobTypes { name } }', {}],
    ['jobs.e2e workers', '{ jobWorkers { running stoppedAt } }', {}],
    ['cdc.e2e', '{ cdcSources { id status { state } } }', {}],
    [
      'maintenance.e2e',
      'query ($id: ID) { remainingLife(nodeId: $id) { name } }',
      { id: ids.site },
    ],
    ['auth.int', '{ nodes { items { name children(limit: 100) { name } } } }', {}],
    [
      'isolation.int',
      '{ nodes(limit: 500) { items { id name parent { id } ancestors { id } } } }',
      {},
    ],
    ['isolation.int last', '{ seriesLast(measurement: "m") { series { id } } }', {}],
    ['isolation.int schedules', '{ jobSchedules { id name ownerId } }', {}],
    ['isolation.int machines', '{ remainingLife { nodeId name } }', {}],
    [
      'every field of remaining life',
      `{ remainingLife { nodeId name reference parentId openAlerts activeOrders highestPriority
           estimate { at remaining lower upper unit health modelItemId runId } } }`,
      {},
    ],
    ['me', '{ me { email memberships { nodeId nodeName role } } }', {}],
  ])('still answers the %s query', async (_name, query, variables) => {
    const reply = await ask(query, variables);
    expectWithMessage(reply.body.errors, JSON.stringify(reply.body.errors)).toBeUndefined();
    expect(reply.status).toBe(200);
  });

  it('still answers the e2e queries that need data they find, within the limits', async () => {
    for (const [query, variables] of [
      [
        `query($id: ID!, $from: String!, $to: String!) {
           seriesChart(id: $id, from: $from, to: $to, points: 100) {
             series { field } points { time min max mean } stats { chunks chunksDecoded } } }`,
        { id: '1', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' },
      ],
      [
        'query($id: ID!) { pathEvents(pathId: $id, limit: 1) { items { timeNs record } } }',
        { id: ids.site },
      ],
      [
        'query($id: ID!) { path(id: $id) { ingestStatus { points rejectedLines } } }',
        { id: ids.site },
      ],
    ] as const) {
      const reply = await ask(query, variables);
      // No such series or path here: refused for that (404), not for its cost.
      expectWithMessage(codeOf(reply), query).not.toMatch(/QueryToo/);
      expectWithMessage(reply.status, query).toBe(404);
    }
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
    expectWithMessage(year.body.errors, JSON.stringify(year.body.errors)).toBeUndefined();
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

import { randomUUID } from 'node:crypto';
import { roles, type Role } from '@sextant/policy';
import { demoApiToken } from '@sextant/seed';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiHarness } from '../testing/api-harness';

// Tenant isolation: a member of organisation A, in each role, tries every endpoint and resolver
// on what belongs to organisation B (nodes, paths, tokens, events, series, movements, items,
// CDC sources, members, invitations) and must get exactly what an id that does not exist gets
// (404, or 400 "no node with id" for a reference in a body), see none of B in any list, and
// change nothing of B.

const id = () => randomUUID();
const A = {
  org: id(),
  site: id(),
  machine: id(),
  lake: id(),
  path: id(),
  token: id(),
  item: id(),
  movement: id(),
  cdc: id(),
  run: id(),
  schedule: id(),
  alert: id(),
  order: id(),
};
const B = {
  org: id(),
  site: id(),
  machine: id(),
  lake: id(),
  path: id(),
  token: id(),
  item: id(),
  movement: id(),
  cdc: id(),
  run: id(),
  schedule: id(),
  alert: id(),
  order: id(),
  member: id(),
  invitation: id(),
  user: id(),
};
const resource = id();
let seriesA = '';
let seriesB = '';

type Probe =
  { name: string; method: string; url: string; body?: unknown } | { name: string; graphql: string };

describe('tenant isolation matrix', () => {
  let db: TestDatabase;
  let api: ApiHarness;
  let sql: Pool;
  const tokens = new Map<Role, string>();
  let checks = 0;
  const leaks: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('isolation');
    sql = new Pool({ connectionString: db.url, max: 2 });
    const node = (nid: string, parent: string | null, kind: string, ref: string) =>
      sql.query(
        `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, $3, $4, $4, now())`,
        [nid, parent, kind, ref],
      );
    for (const [o, prefix] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const) {
      await node(o.org, null, 'organisation', prefix);
      await node(o.site, o.org, 'site', `${prefix}.site`);
      await node(o.machine, o.site, 'machine', `${prefix}.machine`);
      await node(o.lake, o.org, 'database', `${prefix}.lake`);
    }
    await sql.query(
      `INSERT INTO resource (id, reference, name, unit, value_type, updated_at) VALUES ($1, 'r', 'R', 'u', 'float', now())`,
      [resource],
    );
    for (const [o, prefix] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const) {
      await sql.query(
        `INSERT INTO path (id, name, source_id, destination_id, protocol, updated_at) VALUES ($1, $2, $3, $4, 'line', now()), ($5, $6, $3, $4, 'cdc', now())`,
        [o.path, `${prefix} feed`, o.machine, o.lake, o.cdc, `${prefix} cdc`],
      );
      await sql.query(
        `INSERT INTO path_token (id, path_id, name, prefix, token_hash) VALUES ($1, $2, 't', 'sxt_x', $3)`,
        [o.token, o.path, randomUUID().replace(/-/g, '').padEnd(64, '0')],
      );
      await sql.query(
        `INSERT INTO cdc_source (path_id, name, connection_secret, connection_hint, tables, slot, publication) VALUES ($1, $2, '\\x00', 'postgresql://x@h/db', ARRAY['public.t'], 's', 'p')`,
        [o.cdc, `${prefix}_db`],
      );
      await sql.query(
        `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, 'sensor', $2, $2, $3, now())`,
        [o.item, `${prefix}.item`, o.site],
      );
      await sql.query(
        `INSERT INTO movement (id, resource_id, source_id, destination_id, path_id, quantity, start, stop, origin) VALUES ($1, $2, $3, $4, $5, 10, now() - interval '1 hour', now(), 'ingest')`,
        [o.movement, resource, o.machine, o.lake, o.path],
      );
      await sql.query(
        `INSERT INTO ingest_event (id, path_id, tag, time, time_ns, record) VALUES ($1, $2, $3, now(), 0, '{}')`,
        [id(), o.path, `${prefix}.tag`],
      );
    }
    // The job platform's rows: a run, a schedule, an alert and an order answering it.
    for (const [o, prefix] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const) {
      await sql.query(
        `INSERT INTO job_run (id, type, owner_id, state, params) VALUES ($1, 'series-health', $2, 'failed', $3)`,
        [o.run, o.org, JSON.stringify({ nodeId: o.machine })],
      );
      await sql.query(
        `INSERT INTO job_schedule (id, name, type, cron, owner_id, next_run_at) VALUES ($1, $2, 'series-health', '0 3 * * *', $3, now() + interval '1 day')`,
        [o.schedule, `${prefix} nightly`, o.org],
      );
      for (const [ticket, kind] of [
        [o.alert, 'alert'],
        [o.order, 'maintenance_order'],
      ] as const) {
        await sql.query(
          `INSERT INTO item (id, kind, reference, name, owner_id, updated_at) VALUES ($1, $2, $3, $3, $4, now())`,
          [ticket, kind, `${prefix}.${kind}`, o.machine],
        );
        await sql.query(`INSERT INTO maintenance_ticket (item_id, alert_id) VALUES ($1, $2)`, [
          ticket,
          kind === 'maintenance_order' ? o.alert : null,
        ]);
      }
    }
    const series = async (nodeId: string, site: string) =>
      (
        await sql.query<{ id: string }>(
          `INSERT INTO series (key, measurement, tags, field, value_type, node_id, resource_id) VALUES ($1, 'm', $2, 'f', 'float', $3, $4) RETURNING id::text`,
          [`m,site=${site} f`, JSON.stringify({ site }), nodeId, resource],
        )
      ).rows[0].id;
    seriesA = await series(A.machine, 'alpha');
    seriesB = await series(B.machine, 'beta');
    // B's people: an owner with a membership and a pending invitation.
    await sql.query(
      `INSERT INTO app_user (id, email, name, password_hash, updated_at) VALUES ($1, 'owner@beta.test', 'Beta Owner', 'x', now())`,
      [B.user],
    );
    await sql.query(
      `INSERT INTO membership (id, user_id, node_id, role, updated_at) VALUES ($1, $2, $3, 'owner', now())`,
      [B.member, B.user, B.org],
    );
    await sql.query(
      `INSERT INTO invitation (id, node_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, $2, 'new@beta.test', 'viewer', $3, $4, now() + interval '1 day')`,
      [B.invitation, B.org, 'f'.repeat(64), B.user],
    );
    // A's people: one user per role, granted on A's organisation.
    for (const role of roles) {
      const user = id();
      await sql.query(
        `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, updated_at) VALUES ($1, $2, $2, 'x', now(), now())`,
        [user, `${role}@alpha.test`],
      );
      await sql.query(
        `INSERT INTO membership (id, user_id, node_id, role, updated_at) VALUES ($1, $2, $3, $4, now())`,
        [id(), user, A.org, role],
      );
      tokens.set(role, await demoApiToken(db.url, `${role}@alpha.test`, 'isolation'));
    }
    api = await startApi(db.url);
  });

  afterAll(async () => {
    console.log(
      `isolation matrix: ${checks} checks (endpoints and resolvers × ${roles.length} roles), ${leaks.length} leaks`,
    );
    await api?.close();
    await sql?.end();
    await db?.drop();
  });

  /** Probes of B's rows; `x` stands for the id, replaced by B's and by a random one. */
  function probes(b: typeof B & { series: string }): Probe[] {
    const nodeBody = { kind: 'site', name: 'x', reference: `x${Date.now()}` };
    const rest = (method: string, url: string, body?: unknown): Probe => ({
      name: `${method} ${url}`,
      method,
      url,
      body,
    });
    const gql = (query: string): Probe => ({
      name: `graphql ${query.slice(0, 60)}`,
      graphql: query,
    });
    return [
      rest('GET', `/api/nodes/${b.org}`),
      rest('GET', `/api/nodes/${b.site}/children`),
      rest('GET', `/api/nodes/${b.machine}/ancestors`),
      rest('GET', `/api/nodes/${b.org}/subtree`),
      rest('GET', `/api/nodes/${b.org}/movement-summary`),
      rest('GET', `/api/nodes/${b.org}/members`),
      rest('GET', `/api/nodes/${b.org}/invitations`),
      rest('POST', `/api/nodes/${b.org}/invitations`, { email: 'spy@alpha.test', role: 'viewer' }),
      rest('PATCH', `/api/nodes/${b.site}`, { name: 'taken over' }),
      rest('PATCH', `/api/nodes/${A.site}`, { parentId: b.site }),
      rest('DELETE', `/api/nodes/${b.machine}`),
      rest('POST', '/api/nodes', { ...nodeBody, parentId: b.site }),
      rest('GET', `/api/paths/${b.path}`),
      rest('PATCH', `/api/paths/${b.path}`, { state: 'paused' }),
      rest('PATCH', `/api/paths/${A.path}`, { destinationId: b.lake }),
      rest('DELETE', `/api/paths/${b.path}`),
      rest('POST', '/api/paths', {
        name: 'x',
        sourceId: A.machine,
        destinationId: b.lake,
        protocol: 'line',
      }),
      rest('GET', `/api/paths/${b.path}/tokens`),
      rest('POST', `/api/paths/${b.path}/tokens`, { name: 'spy' }),
      rest('DELETE', `/api/paths/${b.path}/tokens/${b.token}`),
      rest('GET', `/api/paths/${b.path}/events`),
      rest('GET', `/api/paths/${b.path}/ingest-status`),
      rest('GET', `/api/items/${b.item}`),
      rest('PATCH', `/api/items/${b.item}`, { name: 'taken' }),
      rest('PATCH', `/api/items/${A.item}`, { ownerId: b.site }),
      rest('DELETE', `/api/items/${b.item}`),
      rest('POST', '/api/items', {
        kind: 'sensor',
        reference: `i${Date.now()}`,
        name: 'x',
        ownerId: b.site,
      }),
      rest('GET', `/api/movements/${b.movement}`),
      rest('POST', '/api/movements', {
        resourceId: resource,
        sourceId: A.machine,
        destinationId: b.lake,
        quantity: '1',
        start: '2026-01-01T00:00:00Z',
        stop: '2026-01-01T01:00:00Z',
      }),
      rest('GET', `/api/series/${b.series}`),
      rest(
        'GET',
        `/api/series/${b.series}/points?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`,
      ),
      rest(
        'GET',
        `/api/series/${b.series}/chart?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z`,
      ),
      rest('GET', `/api/cdc/sources/${b.cdc}`),
      rest('GET', `/api/cdc/sources/${b.cdc}/commands`),
      rest('GET', `/api/cdc/sources/${b.cdc}/lag`),
      rest('GET', `/api/cdc/sources/${b.cdc}/dead-letters`),
      rest('POST', `/api/cdc/sources/${b.cdc}/pause`),
      rest('POST', `/api/cdc/sources/${b.cdc}/resume`),
      rest('POST', `/api/cdc/sources/${b.cdc}/resnapshot`, { table: 'public.t' }),
      rest('POST', `/api/cdc/sources/${b.cdc}/dead-letters/replay`, {}),
      rest('DELETE', `/api/cdc/sources/${b.cdc}?force=true`),
      rest('POST', '/api/cdc/sources', {
        name: 'spy',
        sourceId: A.machine,
        destinationId: b.lake,
        connectionString: 'postgresql://x@127.0.0.1:1/x',
        tables: ['public.t'],
      }),
      rest('GET', `/api/jobs/runs/${b.run}`),
      rest('GET', `/api/jobs/runs/${b.run}/logs`),
      rest('GET', `/api/jobs/runs/${b.run}/lineage`),
      rest('POST', `/api/jobs/runs/${b.run}/cancel`),
      rest('POST', `/api/jobs/runs/${b.run}/retry`),
      rest('POST', '/api/jobs/runs', { type: 'series-health', ownerId: b.org, params: {} }),
      rest('POST', '/api/jobs/runs', {
        type: 'series-health',
        ownerId: A.org,
        params: { nodeId: b.machine },
      }),
      rest('GET', `/api/jobs/schedules/${b.schedule}`),
      rest('POST', `/api/jobs/schedules/${b.schedule}/pause`),
      rest('POST', `/api/jobs/schedules/${b.schedule}/resume`),
      rest('DELETE', `/api/jobs/schedules/${b.schedule}`),
      rest('POST', '/api/jobs/schedules', {
        name: 'spy',
        type: 'series-health',
        cron: '0 4 * * *',
        ownerId: b.org,
        params: { nodeId: b.machine },
      }),
      rest('GET', `/api/alerts/${b.alert}`),
      rest('PATCH', `/api/alerts/${b.alert}`, { title: 'taken' }),
      rest('POST', `/api/alerts/${b.alert}/state`, { state: 'planned' }),
      rest('POST', '/api/alerts', { nodeId: b.machine, title: 'spy' }),
      rest('GET', `/api/maintenance-orders/${b.order}`),
      rest('PATCH', `/api/maintenance-orders/${b.order}`, { title: 'taken' }),
      rest('POST', `/api/maintenance-orders/${b.order}/state`, { state: 'planned' }),
      rest('POST', '/api/maintenance-orders', { nodeId: b.machine, title: 'spy' }),
      rest('POST', '/api/maintenance-orders', {
        nodeId: A.machine,
        title: 'spy',
        alertId: b.alert,
      }),
      rest('GET', `/api/remaining-life/${b.machine}`),
      rest('GET', `/api/remaining-life?nodeId=${b.org}`),
      rest('POST', `/api/lightcurves?parentId=${b.site}`, {}),
      rest('POST', `/api/lightcurves/stars/${b.site}/transit-search`, {}),
      rest('GET', `/api/lightcurves/stars/${b.site}/candidates`),
      rest('GET', `/api/lightcurves/candidates/${b.item}`),
      rest('POST', `/api/imports/cmapss/${b.site}`, {}),
      rest('POST', `/api/imports/wind-scada/${b.site}`, {}),
      rest('POST', `/api/imports/solar-generation/${b.site}`, {}),
      rest('POST', `/api/imports/solar-weather/${b.site}`, {}),
      rest('GET', `/api/items/${b.item}/content`),
      rest('PATCH', `/api/members/${b.member}`, { role: 'viewer' }),
      rest('DELETE', `/api/members/${b.member}`),
      rest('DELETE', `/api/invitations/${b.invitation}`),
      rest('GET', `/api/audit?nodeId=${b.org}`),
      gql(`{ node(id: "${b.org}") { id } }`),
      gql(`{ path(id: "${b.path}") { id } }`),
      gql(`{ pathTokens(pathId: "${b.path}") { id } }`),
      gql(`{ pathEvents(pathId: "${b.path}") { items { id } } }`),
      gql(`{ item(id: "${b.item}") { id } }`),
      gql(`{ movement(id: "${b.movement}") { id } }`),
      gql(`{ movementSummary(nodeId: "${b.org}") { nodeId } }`),
      gql(
        `{ seriesPoints(id: "${b.series}", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { nextCursor } }`,
      ),
      gql(
        `{ seriesChart(id: "${b.series}", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { stats { chunks } } }`,
      ),
      gql(`{ cdcSource(id: "${b.cdc}") { id } }`),
      gql(`{ jobRun(id: "${b.run}") { id } }`),
      gql(`{ jobRunLogs(id: "${b.run}") { last } }`),
      gql(`{ jobRunLineage(id: "${b.run}") { inputs { seriesId } } }`),
      gql(`mutation { cancelJobRun(id: "${b.run}") { id } }`),
      gql(`mutation { retryJobRun(id: "${b.run}") { id } }`),
      gql(`mutation { pauseJobSchedule(id: "${b.schedule}") { id } }`),
      gql(`mutation { deleteJobSchedule(id: "${b.schedule}") }`),
      gql(`{ alert(id: "${b.alert}") { id } }`),
      gql(`mutation { updateAlert(id: "${b.alert}", input: { title: "x" }) { id } }`),
      gql(`{ maintenanceOrder(id: "${b.order}") { id } }`),
      gql(
        `mutation { setMaintenanceOrderState(id: "${b.order}", input: { state: planned }) { id } }`,
      ),
      gql(`mutation { createAlert(input: { nodeId: "${b.machine}", title: "spy" }) { id } }`),
      gql(`{ remainingLifeHistory(nodeId: "${b.machine}") { at } }`),
      gql(`{ members(nodeId: "${b.org}") { id } }`),
      gql(`{ invitations(nodeId: "${b.org}") { id } }`),
      gql(`mutation { updateNode(id: "${b.site}", input: { name: "x" }) { id } }`),
      gql(`mutation { deleteNode(id: "${b.machine}") }`),
      gql(
        `mutation { createNode(input: { kind: site, name: "x", reference: "gx${Date.now()}", parentId: "${b.site}" }) { id } }`,
      ),
      gql(`mutation { updatePath(id: "${b.path}", input: { state: paused }) { id } }`),
      gql(`mutation { deletePath(id: "${b.path}") }`),
      gql(`mutation { createPathToken(pathId: "${b.path}", input: { name: "spy" }) { token } }`),
      gql(`mutation { revokePathToken(pathId: "${b.path}", tokenId: "${b.token}") { id } }`),
      gql(`mutation { updateItem(id: "${b.item}", input: { name: "x" }) { id } }`),
      gql(`mutation { deleteItem(id: "${b.item}") }`),
      gql(`mutation { pauseCdcSource(id: "${b.cdc}") { id } }`),
      gql(`mutation { resumeCdcSource(id: "${b.cdc}") { id } }`),
      gql(`mutation { resnapshotCdcTable(id: "${b.cdc}", table: "public.t") { id } }`),
      gql(`mutation { changeMemberRole(id: "${b.member}", input: { role: "viewer" }) { id } }`),
      gql(`mutation { removeMember(id: "${b.member}") { id } }`),
      gql(`mutation { revokeInvitation(id: "${b.invitation}") { id } }`),
      gql(
        `mutation { inviteMember(nodeId: "${b.org}", input: { email: "spy@alpha.test", role: "viewer" }) { id } }`,
      ),
    ];
  }

  async function answer(probe: Probe, token: string): Promise<{ status: number; code: string }> {
    if ('graphql' in probe) {
      const reply = await api.graphql(probe.graphql, undefined, token);
      const error = reply.body.errors?.[0];
      return {
        status: Number(error?.extensions?.status ?? reply.status),
        code: String(error?.extensions?.code ?? 'ok'),
      };
    }
    const reply = await api.call(probe.method, probe.url, { body: probe.body, token });
    const body = (reply.body ?? {}) as { code?: string; errors?: { reason: string }[] };
    const reason = body.errors?.[0]?.reason?.replace(/[0-9a-f-]{36}|\d{1,19}/g, '<id>') ?? '';
    return { status: reply.status, code: `${body.code ?? 'ok'} ${reason}` };
  }

  it.each(roles)('shows a %s of A nothing of B that an unknown id would not show', async (role) => {
    const token = tokens.get(role)!;
    // The token works: A's own organisation is there.
    expect((await api.call('GET', `/api/nodes/${A.org}`, { token })).status).toBe(200);
    const nowhere = Object.fromEntries(Object.keys(B).map((k) => [k, id()])) as typeof B;
    const real = probes({ ...B, series: seriesB });
    const fake = probes({ ...nowhere, series: '999999999' });
    for (const [i, probe] of real.entries()) {
      const got = await answer(probe, token);
      const unknown = await answer(fake[i], token);
      checks++;
      // Not found, or refused exactly as for an id that does not exist (e.g. a viewer's 403 on
      // its own node that the probe would move under B's).
      const hidden =
        got.status >= 400 && got.status === unknown.status && got.code === unknown.code;
      if (!hidden)
        leaks.push(
          `${role}: ${probe.name} → ${got.status} ${got.code} (unknown id: ${unknown.status} ${unknown.code})`,
        );
    }
    expect(leaks.filter((l) => l.startsWith(`${role}:`))).toEqual([]);
  });

  it.each(roles)('lists and counts nothing of B for a %s of A', async (role) => {
    const token = tokens.get(role)!;
    const secretsOfB = [...Object.values(B), `"id":"${seriesB}"`, 'beta'];
    const lists = [
      '/api/nodes?limit=500',
      `/api/nodes?parentId=${B.org}`,
      '/api/paths?limit=500',
      `/api/paths?nodeId=${B.machine}`,
      '/api/items?limit=500',
      `/api/items?ownerId=${B.site}`,
      '/api/movements?limit=500',
      `/api/movements?nodeId=${B.lake}`,
      '/api/series?limit=500',
      `/api/series?nodeId=${B.machine}`,
      '/api/series?tag=site:beta',
      '/api/series/last?measurement=m',
      '/api/cdc/sources',
      `/api/paths/ingest-status?ids=${B.path},${A.path}`,
      '/api/audit?limit=500',
      '/api/resources',
      '/api/jobs/runs?limit=500',
      `/api/jobs/runs?ownerId=${B.org}`,
      '/api/jobs/schedules',
      '/api/alerts?limit=500',
      `/api/alerts?nodeId=${B.machine}`,
      '/api/maintenance-orders?limit=500',
      '/api/remaining-life',
    ];
    for (const url of lists) {
      const reply = await api.call('GET', url, { token });
      checks++;
      const text = JSON.stringify(reply.body);
      if (![200, 403].includes(reply.status) || secretsOfB.some((s) => text.includes(s)))
        leaks.push(`${role}: GET ${url} → ${reply.status} ${text.slice(0, 200)}`);
    }
    const aggregate = await api.call('POST', '/api/series/aggregate', {
      token,
      body: {
        measurement: 'm',
        field: 'f',
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-02T00:00:00Z',
        every: '1h',
        aggregates: ['count'],
        groupBy: ['site'],
      },
    });
    checks++;
    if (JSON.stringify(aggregate.body).includes('beta'))
      leaks.push(`${role}: aggregate shows B's series`);
    for (const query of [
      '{ nodes(limit: 500) { items { id name parent { id } ancestors { id } } } }',
      '{ paths(limit: 500) { items { id name } } }',
      '{ items(limit: 500) { items { id } } }',
      '{ movements(limit: 500) { items { id sourceId destinationId } } }',
      '{ series(limit: 500) { items { id nodeId } } }',
      '{ seriesLast(measurement: "m") { series { id } } }',
      '{ cdcSources { id } }',
      `{ pathIngestStatuses(ids: ["${B.path}"]) { pathId } }`,
      '{ auditEvents(limit: 500) { items { id nodeId } } }',
      '{ jobRuns(limit: 500) { items { id ownerId params } } }',
      '{ jobSchedules { id name ownerId } }',
      '{ alerts(limit: 500) { items { id nodeId title } } }',
      '{ maintenanceOrders(limit: 500) { items { id nodeId alertId } } }',
      '{ remainingLife { nodeId name } }',
    ]) {
      const reply = await api.graphql(query, undefined, token);
      checks++;
      const text = JSON.stringify(reply.body);
      if (secretsOfB.some((s) => text.includes(s)))
        leaks.push(`${role}: graphql ${query} → ${text.slice(0, 200)}`);
    }
    expect(leaks.filter((l) => l.startsWith(`${role}:`))).toEqual([]);
  });

  it.each(roles)(
    'answers injection attempts in every filter and tag query of a %s with 200 or 400, never B',
    async (role) => {
      const token = tokens.get(role)!;
      const payloads = [
        "' OR '1'='1",
        "beta'; DROP TABLE node; --",
        '%',
        '_',
        '\\',
        '") OR 1=1 --',
        '{"site": "beta"}',
        "site:beta' OR '1'='1",
        `${B.org}' OR 'x'='x`,
      ];
      const lists = [
        (v: string) => `/api/nodes?q=${encodeURIComponent(v)}`,
        (v: string) => `/api/nodes?sort=${encodeURIComponent(v)}`,
        (v: string) => `/api/nodes?cursor=${encodeURIComponent(v)}`,
        (v: string) => `/api/nodes?parentId=${encodeURIComponent(v)}`,
        (v: string) => `/api/paths?q=${encodeURIComponent(v)}`,
        (v: string) => `/api/items?q=${encodeURIComponent(v)}`,
        (v: string) => `/api/resources?q=${encodeURIComponent(v)}`,
        (v: string) => `/api/movements?cursor=${encodeURIComponent(v)}`,
        (v: string) => `/api/series?measurement=${encodeURIComponent(v)}`,
        (v: string) => `/api/series?field=${encodeURIComponent(v)}`,
        (v: string) => `/api/series?tag=${encodeURIComponent(`site:${v}`)}`,
        (v: string) => `/api/series?tag=${encodeURIComponent(`${v}:beta`)}`,
        (v: string) => `/api/series/last?tag=${encodeURIComponent(`site:${v}`)}`,
        (v: string) => `/api/audit?action=${encodeURIComponent(v)}`,
        (v: string) => `/api/paths/${B.path}/events?cursor=${encodeURIComponent(v)}`,
      ];
      for (const list of lists)
        for (const payload of payloads) {
          const url = list(payload);
          const reply = await api.call('GET', url, { token });
          checks++;
          const text = JSON.stringify(reply.body);
          if (reply.status >= 500 || (reply.status === 200 && text.includes('beta')))
            leaks.push(`${role}: GET ${url} → ${reply.status} ${text.slice(0, 160)}`);
        }
      for (const payload of payloads) {
        const reply = await api.call('POST', '/api/series/aggregate', {
          token,
          body: {
            measurement: payload,
            field: 'f',
            tags: { site: payload, [payload]: 'beta' },
            from: '2026-01-01T00:00:00Z',
            to: '2026-01-02T00:00:00Z',
            every: '1h',
            aggregates: ['count'],
            groupBy: [payload],
          },
        });
        const graph = await api.graphql(
          'query($q: String, $tag: [String!]) { nodes(q: $q) { items { id } } series(tag: $tag) { items { id } } }',
          { q: payload, tag: [`site:${payload}`] },
          token,
        );
        checks += 2;
        for (const [name, status, text] of [
          ['aggregate', reply.status, JSON.stringify(reply.body)],
          ['graphql', graph.status, JSON.stringify(graph.body)],
        ] as const)
          if (status >= 500 || text.includes('beta') || text.includes(B.org))
            leaks.push(`${role}: ${name} with ${payload} → ${status} ${text.slice(0, 160)}`);
      }
      expect(leaks.filter((l) => l.startsWith(`${role}:`))).toEqual([]);
      // The tables are all still there.
      expect((await sql.query('SELECT count(*)::int AS n FROM node')).rows[0].n).toBeGreaterThan(7);
    },
  );

  it('left every row of B as it was', async () => {
    const state = await sql.query(
      `SELECT (SELECT name FROM node WHERE id = $1) AS site,
              (SELECT count(*)::int FROM node WHERE id = ANY($2::uuid[])) AS nodes,
              (SELECT state::text FROM path WHERE id = $3) AS path,
              (SELECT revoked_at FROM path_token WHERE id = $4) AS revoked,
              (SELECT count(*)::int FROM path_token WHERE path_id = $3) AS tokens,
              (SELECT name FROM item WHERE id = $5) AS item,
              (SELECT role::text FROM membership WHERE id = $6) AS role,
              (SELECT revoked_at FROM invitation WHERE id = $7) AS invitation,
              (SELECT count(*)::int FROM invitation WHERE node_id = $8) AS invitations,
              (SELECT state::text FROM path WHERE id = $9) AS cdc,
              (SELECT count(*)::int FROM cdc_command WHERE path_id = $9) AS commands,
              (SELECT count(*)::int FROM movement WHERE destination_id = $10) AS movements,
              (SELECT state::text FROM job_run WHERE id = $11) AS run,
              (SELECT count(*)::int FROM job_run WHERE owner_id = $8) AS runs,
              (SELECT state::text || ' ' || name FROM job_schedule WHERE id = $12) AS schedule,
              (SELECT count(*)::int FROM job_schedule WHERE owner_id = $8) AS schedules,
              (SELECT string_agg(i.name || ' ' || t.state, ', ' ORDER BY i.name)
                 FROM item i JOIN maintenance_ticket t ON t.item_id = i.id
                WHERE i.owner_id = $13) AS tickets`,
      [
        B.site,
        Object.values(B).slice(0, 4),
        B.path,
        B.token,
        B.item,
        B.member,
        B.invitation,
        B.org,
        B.cdc,
        B.lake,
        B.run,
        B.schedule,
        B.machine,
      ],
    );
    expect(state.rows[0]).toEqual({
      site: 'beta.site',
      nodes: 4,
      path: 'active',
      revoked: null,
      tokens: 1,
      item: 'beta.item',
      role: 'owner',
      invitation: null,
      invitations: 1,
      cdc: 'active',
      commands: 0,
      movements: 1,
      run: 'failed',
      runs: 1,
      schedule: 'active beta nightly',
      schedules: 1,
      tickets: 'beta.alert open, beta.maintenance_order open',
    });
    expect(leaks).toEqual([]);
  });

  it('still serves A its own rows (the matrix is not passing by refusing everything)', async () => {
    const owner = tokens.get('owner')!;
    expect((await api.call('GET', `/api/paths/${A.path}`, { token: owner })).status).toBe(200);
    expect((await api.call('GET', `/api/series/${seriesA}`, { token: owner })).status).toBe(200);
    expect((await api.call('GET', `/api/cdc/sources/${A.cdc}`, { token: owner })).status).toBe(200);
    const billing = tokens.get('billing')!;
    expect((await api.call('GET', `/api/movements/${A.movement}`, { token: billing })).status).toBe(
      200,
    );
    // Billing sees movements, not raw series: forbidden (403), since the node is its own.
    expect((await api.call('GET', `/api/series/${seriesA}`, { token: billing })).status).toBe(403);
    expect((await api.call('GET', `/api/jobs/runs/${A.run}`, { token: owner })).status).toBe(200);
    expect((await api.call('GET', `/api/alerts/${A.alert}`, { token: owner })).status).toBe(200);
    const runs = await api.call('GET', '/api/jobs/runs', { token: owner });
    expect((runs.body as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([A.run]);
    const viewer = tokens.get('viewer')!;
    expect(
      (await api.call('PATCH', `/api/nodes/${A.site}`, { token: viewer, body: { name: 'x' } }))
        .status,
    ).toBe(403);
  });
});

import { randomUUID } from 'node:crypto';
import { roles, type Role } from '@sextant/policy';
import { demoApiToken } from '@sextant/seed';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startApi, type ApiHarness } from '../testing/api-harness';
import { enumerateHandlers, type Handler } from '../testing/route-table';

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
  member: id(),
  invitation: id(),
  user: id(),
  apiToken: id(),
  subscription: id(),
  invoice: id(),
  line: id(),
  budget: id(),
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
  apiToken: id(),
  subscription: id(),
  invoice: id(),
  line: id(),
  budget: id(),
};
const resource = id();
// A plan is the platform's (no organisation): both organisations subscribe to it.
const plan = id();
let seriesA = '';
let seriesB = '';

type Ids = typeof B & { series: string };

/** A request with slots for ids (see templates()). */
type Template =
  | { kind: 'rest'; method: string; url: string; body?: () => unknown; filter?: boolean }
  | { kind: 'graphql'; query: string; variables?: () => Record<string, unknown> };

type Probe =
  | { kind: 'rest'; method: string; url: string; body?: unknown }
  | { kind: 'graphql'; query: string; variables?: Record<string, unknown> };

/** A probe with B's id, and the same with an id that does not exist. */
interface Variant {
  name: string;
  real: Probe;
  fake: Probe;
  /** Must be refused (not only answered as for an unknown id). */
  strict: boolean;
}

/** An id put where the route does not read it: [field, id]. */
interface Extra {
  query?: [string, string];
  body?: [string, string];
  nested?: [string, string];
}

/** The slot holding an id of each target kind. */
const kindSlot: Record<string, keyof Ids> = {
  node: 'machine',
  path: 'path',
  item: 'item',
  movement: 'movement',
  series: 'series',
  cdc: 'cdc',
  membership: 'member',
  invitation: 'invitation',
  job: 'run',
  schedule: 'schedule',
  alert: 'alert',
  order: 'order',
  subscription: 'subscription',
  invoice: 'invoice',
  budget: 'budget',
};

/** Id names a get or a list might take as a filter, and the kind of id each holds. */
const queryIds: [string, string][] = [
  ['id', 'node'],
  ['nodeId', 'node'],
  ['parentId', 'node'],
  ['ownerId', 'node'],
  ['sourceId', 'node'],
  ['destinationId', 'node'],
  ['pathId', 'path'],
  ['itemId', 'item'],
  ['alertId', 'alert'],
  ['seriesId', 'series'],
  ['runId', 'job'],
  ['organisationId', 'node'],
];

/** What GraphQL answers to an operation that does not fit the schema. */
const invalidOperation =
  /Cannot query field|Unknown argument|Unknown type|must have a selection|Syntax Error|is not defined by type|was not provided/;

const gqlWindow = 'from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z"';

describe('tenant isolation matrix', () => {
  let db: TestDatabase;
  let api: ApiHarness;
  let sql: Pool;
  const tokens = new Map<Role, string>();
  let checks = 0;
  const leaks: string[] = [];
  let unique = 0;
  let restHandlers: Handler[] = [];
  let graphqlHandlers: Handler[] = [];
  let stateOfBBefore: Record<string, string> = {};
  const ownIds = (): Ids => ({ ...A, series: seriesA });
  const B_ids = (): Ids => ({ ...B, series: seriesB });
  const nowhere = Object.fromEntries([
    ...Object.keys(B).map((k) => [k, id()]),
    ['series', '999999999'],
  ]) as Ids;
  const secretsOfB = () => [...Object.values(B), `"id":"${seriesB}"`, 'beta'];
  const leaksB = (text: string) => secretsOfB().some((secret) => text.includes(secret));

  /** The REST handler a template's request reaches (the most specific route that matches). */
  function restHandlerOf(template: Extract<Template, { kind: 'rest' }>): Handler | undefined {
    const path = template.url.split('?')[0].replace(/\{(A\.)?\w+\}/g, 'x');
    return restHandlers
      .filter((h) => {
        const [method, route] = h.name.split(' ');
        const pattern = new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`);
        return method === template.method && pattern.test(path);
      })
      .sort((x, y) => (x.name.match(/:/g)?.length ?? 0) - (y.name.match(/:/g)?.length ?? 0))[0];
  }

  /**
   * A digest of every row that names one of B's ids in a uuid column (or B's ids in job
   * parameters), table by table: any change to B, or any new row pointing at B, shows.
   */
  async function stateOfB(): Promise<Record<string, string>> {
    const { rows: columns } = await sql.query<{ table: string; column: string; udt: string }>(
      `SELECT c.table_name AS table, c.column_name AS column, c.udt_name AS udt
         FROM information_schema.columns c JOIN information_schema.tables t
           ON t.table_schema = c.table_schema AND t.table_name = c.table_name
        WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
          AND (c.udt_name IN ('uuid', '_uuid') OR (c.udt_name = 'jsonb' AND c.column_name = 'params'))
        ORDER BY 1, 2`,
    );
    const tables = new Map<string, string[]>();
    for (const { table, column, udt } of columns) {
      const test =
        udt === 'uuid'
          ? `"${column}" = ANY($1::uuid[])`
          : udt === '_uuid'
            ? `"${column}" && $1::uuid[]`
            : `"${column}"::text ~ $2`;
      tables.set(table, [...(tables.get(table) ?? []), test]);
    }
    const ids = Object.values(B);
    const state: Record<string, string> = {};
    for (const [table, tests] of tables) {
      const where = tests.join(' OR ');
      const { rows } = await sql.query<{ digest: string }>(
        `SELECT count(*) || ':' || md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
           FROM "${table}" t WHERE ${where}`,
        where.includes('$2') ? [ids, ids.join('|')] : [ids],
      );
      state[table] = rows[0].digest;
    }
    return state;
  }

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
    // Billing: a subscription of each organisation, a draft invoice with a line, a budget.
    await sql.query(
      `INSERT INTO plan (id, code, name, currency, interval, updated_at) VALUES ($1, 'std', 'Std', 'EUR', 'month', now())`,
      [plan],
    );
    await sql.query(
      `INSERT INTO plan_version (id, plan_id, effective_from, fixed_fee) VALUES ($1, $2, '2026-01-01', 10)`,
      [id(), plan],
    );
    for (const [o, prefix] of [
      [A, 'alpha'],
      [B, 'beta'],
    ] as const) {
      await sql.query(
        `INSERT INTO subscription (id, organisation_id, open_organisation_id, plan_id, starts_at, anchor_day, updated_at)
         VALUES ($1, $2, $2, $3, '2026-01-01', 1, now())`,
        [o.subscription, o.org, plan],
      );
      await sql.query(
        `INSERT INTO invoice (id, kind, document_key, issuer, organisation_id, subscription_id, plan_id, period_start,
                              period_end, currency, minor_units, subtotal, total, customer_details, issuer_details, updated_at)
         VALUES ($1, 'invoice', $6, 'iso', $2, $3, $4, '2026-01-01', '2026-02-01', 'EUR', 2, 10, 10,
                 $5, '{"name": "Issuer", "address": []}', now())`,
        [
          o.invoice,
          o.org,
          o.subscription,
          plan,
          JSON.stringify({ name: prefix, address: [] }),
          `inv:${o.invoice}`,
        ],
      );
      await sql.query(
        `INSERT INTO invoice_line (id, invoice_id, position, kind, description, period_start, period_end, amount)
         VALUES ($1, $2, 1, 'fixed_fee', 'fee', '2026-01-01', '2026-02-01', 10)`,
        [o.line, o.invoice],
      );
      await sql.query(
        `INSERT INTO billing_budget (id, organisation_id, kind, amount, updated_at) VALUES ($1, $2, 'money', 10, now())`,
        [o.budget, o.org],
      );
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
    // Each organisation's people: an owner with a membership and a pending invitation (A's
    // are its own counterparts of B's, for the probes that put A's ids in a slot).
    for (const [o, domain, name, hash] of [
      [B, 'beta', 'Beta Owner', 'f'],
      [A, 'alpha', 'Alpha Owner', 'e'],
    ] as const) {
      const email = o === A ? 'owner2@alpha.test' : 'owner@beta.test';
      await sql.query(
        `INSERT INTO app_user (id, email, name, password_hash, updated_at) VALUES ($1, $2, $3, 'x', now())`,
        [o.user, email, name],
      );
      await sql.query(
        `INSERT INTO membership (id, user_id, node_id, role, updated_at) VALUES ($1, $2, $3, 'owner', now())`,
        [o.member, o.user, o.org],
      );
      await sql.query(
        `INSERT INTO invitation (id, node_id, email, role, token_hash, invited_by, expires_at) VALUES ($1, $2, $3, 'viewer', $4, $5, now() + interval '1 day')`,
        [o.invitation, o.org, `new@${domain}.test`, hash.repeat(64), o.user],
      );
    }
    for (const [o, hash] of [
      [A, 'a'],
      [B, 'b'],
    ] as const)
      await sql.query(
        `INSERT INTO api_token (id, user_id, name, prefix, token_hash, expires_at) VALUES ($1, $2, 'cli', 'sxp_x', $3, now() + interval '1 day')`,
        [o.apiToken, o.user, hash.repeat(64)],
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
    ({ rest: restHandlers, graphql: graphqlHandlers } = enumerateHandlers(api.app));
    stateOfBBefore = await stateOfB();
  });

  afterAll(async () => {
    console.log(
      `isolation matrix: ${checks} checks (endpoints and resolvers × ${roles.length} roles), ${leaks.length} leaks`,
    );
    await api?.close();
    await sql?.end();
    await db?.drop();
  });

  /**
   * One request per guarded route and field. `{key}` is a slot: B's id of that key, a random
   * id, or A's own (see variants); `{A.key}` is always A's. The series slot is `{series}`.
   */
  function templates(): Template[] {
    const ref = () => `x${(unique += 1)}`;
    const window = 'from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z';
    const rest = (method: string, url: string, body?: () => unknown): Template => ({
      kind: 'rest',
      method,
      url,
      body,
    });
    // A list or search: its ids are filters, answered for B as for an unknown id.
    const list = (url: string, body?: () => unknown): Template => ({
      kind: 'rest',
      method: body ? 'POST' : 'GET',
      url,
      body,
      filter: true,
    });
    const gql = (query: string, variables?: () => Record<string, unknown>): Template => ({
      kind: 'graphql',
      query,
      variables,
    });
    const movement = (source: string, destination: string) => () => ({
      resourceId: resource,
      sourceId: source,
      destinationId: destination,
      quantity: '1',
      start: '2026-01-01T00:00:00Z',
      stop: '2026-01-01T01:00:00Z',
    });
    return [
      rest('GET', '/api/nodes/{org}'),
      rest('GET', '/api/nodes/{site}/children'),
      rest('GET', '/api/nodes/{machine}/ancestors'),
      rest('GET', '/api/nodes/{org}/subtree'),
      rest('GET', '/api/nodes/{org}/movement-summary'),
      rest('GET', '/api/nodes/{org}/members'),
      rest('GET', '/api/nodes/{org}/invitations'),
      rest('POST', '/api/nodes/{org}/invitations', () => ({
        email: `${ref()}@alpha.test`,
        role: 'viewer',
      })),
      rest('PATCH', '/api/nodes/{site}', () => ({ name: 'taken over' })),
      rest('PATCH', '/api/nodes/{A.site}', () => ({ parentId: '{site}' })),
      rest('DELETE', '/api/nodes/{machine}'),
      rest('POST', '/api/nodes', () => ({
        kind: 'site',
        name: 'x',
        reference: ref(),
        parentId: '{site}',
      })),
      rest('GET', '/api/paths/{path}'),
      rest('PATCH', '/api/paths/{path}', () => ({ state: 'paused' })),
      rest('PATCH', '/api/paths/{A.path}', () => ({ destinationId: '{lake}' })),
      rest('PATCH', '/api/paths/{A.path}', () => ({ sourceId: '{machine}' })),
      rest('DELETE', '/api/paths/{path}'),
      rest('POST', '/api/paths', () => ({
        name: ref(),
        sourceId: '{machine}',
        destinationId: '{lake}',
        protocol: 'line',
      })),
      rest('GET', '/api/paths/{path}/tokens'),
      rest('POST', '/api/paths/{path}/tokens', () => ({ name: 'spy' })),
      rest('DELETE', '/api/paths/{path}/tokens/{token}'),
      rest('GET', '/api/paths/{path}/events'),
      rest('GET', '/api/paths/{path}/ingest-status'),
      rest('GET', '/api/items/{item}'),
      rest('GET', '/api/items/{item}/content'),
      rest('PATCH', '/api/items/{item}', () => ({ name: 'taken' })),
      rest('PATCH', '/api/items/{A.item}', () => ({ ownerId: '{site}' })),
      rest('DELETE', '/api/items/{item}'),
      rest('POST', '/api/items', () => ({
        kind: 'sensor',
        reference: ref(),
        name: 'x',
        ownerId: '{site}',
      })),
      rest('GET', '/api/movements/{movement}'),
      rest('POST', '/api/movements', movement('{machine}', '{lake}')),
      rest('POST', '/api/movements', () => ({
        ...movement('{A.machine}', '{A.lake}')(),
        pathId: '{path}',
      })),
      rest('POST', '/api/movements', () => ({
        ...movement('{A.machine}', '{A.lake}')(),
        itemId: '{item}',
      })),
      rest('POST', '/api/movements', () => ({
        ...movement('{A.machine}', '{A.lake}')(),
        quantity: '-1',
        correctsId: '{movement}',
      })),
      rest('POST', `/api/billing/plans/${plan}/versions`, () => ({
        effectiveFrom: '2027-03-01T00:00:00Z',
        organisationId: '{org}',
        charges: [],
      })),
      rest('GET', '/api/billing/organisations/{org}/account'),
      rest('PUT', '/api/billing/organisations/{org}/account', () => ({ legalName: 'taken' })),
      rest('GET', '/api/billing/organisations/{org}/subscriptions'),
      rest('POST', '/api/billing/organisations/{org}/subscriptions', () => ({
        planId: plan,
        startsAt: '2026-11-01T00:00:00Z',
      })),
      rest('POST', '/api/billing/subscriptions/{subscription}/change', () => ({
        planId: plan,
        at: '2027-02-01T00:00:00Z',
      })),
      rest('POST', '/api/billing/subscriptions/{subscription}/cancel', () => ({ when: 'now' })),
      rest('GET', '/api/billing/invoices/{invoice}'),
      rest('GET', '/api/billing/invoices/{invoice}/lines/{line}/movements'),
      rest('GET', '/api/billing/invoices/{invoice}/pdf'),
      rest('GET', '/api/billing/organisations/{org}/usage'),
      rest('GET', '/api/billing/organisations/{org}/budgets'),
      rest('POST', '/api/billing/organisations/{org}/budgets', () => ({
        kind: 'money',
        amount: '5',
      })),
      rest('DELETE', '/api/billing/budgets/{budget}'),
      rest('POST', '/api/billing/runs', () => ({ organisationId: '{org}', mode: 'refresh' })),
      rest('GET', '/api/series/{series}'),
      rest('GET', `/api/series/{series}/points?${window}`),
      rest('GET', `/api/series/{series}/chart?${window}`),
      rest('GET', '/api/cdc/sources/{cdc}'),
      rest('GET', '/api/cdc/sources/{cdc}/commands'),
      rest('GET', '/api/cdc/sources/{cdc}/lag'),
      rest('GET', '/api/cdc/sources/{cdc}/dead-letters'),
      rest('POST', '/api/cdc/sources/{cdc}/pause'),
      rest('POST', '/api/cdc/sources/{cdc}/resume'),
      rest('POST', '/api/cdc/sources/{cdc}/resnapshot', () => ({ table: 'public.t' })),
      rest('POST', '/api/cdc/sources/{cdc}/dead-letters/replay', () => ({})),
      rest('DELETE', '/api/cdc/sources/{cdc}?force=true'),
      rest('POST', '/api/cdc/sources', () => ({
        name: ref(),
        sourceId: '{machine}',
        destinationId: '{lake}',
        connectionString: 'postgresql://x@127.0.0.1:1/x',
        tables: ['public.t'],
        paused: true,
      })),
      rest('GET', '/api/jobs/runs/{run}'),
      rest('GET', '/api/jobs/runs/{run}/logs'),
      rest('GET', '/api/jobs/runs/{run}/lineage'),
      rest('POST', '/api/jobs/runs/{run}/cancel'),
      rest('POST', '/api/jobs/runs/{run}/retry'),
      rest('POST', '/api/jobs/runs', () => ({
        type: 'series-health',
        ownerId: '{org}',
        params: { nodeId: '{machine}' },
      })),
      rest('POST', '/api/jobs/runs', () => ({
        type: 'rul-predict',
        ownerId: '{A.org}',
        params: { fleetId: '{A.site}', modelId: '{item}' },
      })),
      rest('GET', '/api/jobs/schedules/{schedule}'),
      rest('POST', '/api/jobs/schedules/{schedule}/pause'),
      rest('POST', '/api/jobs/schedules/{schedule}/resume'),
      rest('DELETE', '/api/jobs/schedules/{schedule}'),
      rest('POST', '/api/jobs/schedules', () => ({
        name: ref(),
        type: 'series-health',
        cron: '0 4 * * *',
        ownerId: '{org}',
        params: { nodeId: '{machine}' },
        paused: true,
      })),
      rest('GET', '/api/alerts/{alert}'),
      rest('PATCH', '/api/alerts/{alert}', () => ({ title: 'taken' })),
      rest('POST', '/api/alerts/{alert}/state', () => ({ state: 'planned' })),
      rest('POST', '/api/alerts', () => ({ nodeId: '{machine}', title: 'spy' })),
      rest('GET', '/api/maintenance-orders/{order}'),
      rest('PATCH', '/api/maintenance-orders/{order}', () => ({ title: 'taken' })),
      rest('POST', '/api/maintenance-orders/{order}/state', () => ({ state: 'planned' })),
      rest('POST', '/api/maintenance-orders', () => ({
        nodeId: '{machine}',
        title: 'spy',
        alertId: '{alert}',
      })),
      rest('GET', '/api/remaining-life/{machine}'),
      rest('POST', '/api/lightcurves?parentId={site}', () => 'SIMPLE'),
      rest('POST', '/api/lightcurves/stars/{site}/transit-search', () => ({})),
      rest('GET', '/api/lightcurves/stars/{site}/candidates'),
      rest('GET', '/api/lightcurves/candidates/{item}'),
      rest('POST', '/api/imports/cmapss/{site}', () => 'x'),
      rest('POST', '/api/imports/wind-scada/{site}', () => 'x'),
      rest('POST', '/api/imports/solar-generation/{site}', () => 'x'),
      rest('POST', '/api/imports/solar-weather/{site}', () => 'x'),
      rest('PATCH', '/api/members/{member}', () => ({ role: 'viewer' })),
      rest('DELETE', '/api/members/{member}'),
      rest('DELETE', '/api/invitations/{invitation}'),
      rest('DELETE', '/api/auth/tokens/{apiToken}'),
      list('/api/nodes'),
      list('/api/paths'),
      list('/api/paths/ingest-status?ids={path}'),
      list('/api/items'),
      list('/api/movements'),
      list('/api/series'),
      list('/api/series/last?measurement=m'),
      list('/api/series/aggregate', () => ({
        measurement: 'm',
        field: 'f',
        nodeId: '{machine}',
        from: '2026-01-01T00:00:00Z',
        to: '2026-01-02T00:00:00Z',
        every: '1h',
        aggregates: ['count'],
      })),
      list('/api/cdc/sources'),
      list('/api/jobs/runs'),
      list('/api/jobs/schedules'),
      list('/api/jobs/workers'),
      list('/api/alerts'),
      list('/api/maintenance-orders'),
      list('/api/remaining-life?nodeId={org}'),
      list('/api/audit?nodeId={org}'),
      list('/api/billing/invoices?organisationId={org}'),
      list('/api/billing/invoices.csv?organisationId={org}'),
      list('/api/billing/usage-lines.csv?organisationId={org}'),
      gql('mutation { revokeApiToken(id: "{apiToken}") { id } }'),
      gql('{ node(id: "{org}") { id parent { id } children { id } } }'),
      gql(
        'query($id: ID!) { node(id: $id) { id ancestors { id } subtree(limit: 10) { id } } }',
        () => ({
          id: '{machine}',
        }),
      ),
      gql('{ path(id: "{path}") { id ingestStatus { pathId } } }'),
      gql('{ pathTokens(pathId: "{path}") { id } }'),
      gql('{ pathEvents(pathId: "{path}") { items { id } } }'),
      gql('{ item(id: "{item}") { id } }'),
      gql('{ movement(id: "{movement}") { id } }'),
      gql('{ movementSummary(nodeId: "{org}") { nodeId } }'),
      gql(`{ seriesPoints(id: "{series}", ${gqlWindow}) { nextCursor } }`),
      gql(`{ seriesChart(id: "{series}", ${gqlWindow}) { stats { chunks } } }`),
      gql('{ cdcSource(id: "{cdc}") { id } }'),
      gql('{ jobRun(id: "{run}") { id } }'),
      gql('{ jobRunLogs(id: "{run}") { last } }'),
      gql('{ jobRunLineage(id: "{run}") { inputs { seriesId } } }'),
      gql('mutation { cancelJobRun(id: "{run}") { id } }'),
      gql('mutation { retryJobRun(id: "{run}") { id } }'),
      gql('mutation { pauseJobSchedule(id: "{schedule}") { id } }'),
      gql('mutation { resumeJobSchedule(id: "{schedule}") { id } }'),
      gql('mutation { deleteJobSchedule(id: "{schedule}") }'),
      gql('mutation($input: SubmitJobRunInput!) { submitJobRun(input: $input) { id } }', () => ({
        input: { type: 'series-health', ownerId: '{org}', params: { nodeId: '{machine}' } },
      })),
      gql(
        'mutation($input: CreateJobScheduleInput!) { createJobSchedule(input: $input) { id } }',
        () => ({
          input: {
            name: ref(),
            type: 'series-health',
            cron: '0 4 * * *',
            ownerId: '{org}',
            params: { nodeId: '{machine}' },
            paused: true,
          },
        }),
      ),
      gql('{ alert(id: "{alert}") { id } }'),
      gql('mutation { updateAlert(id: "{alert}", input: { title: "x" }) { id } }'),
      gql('mutation { setAlertState(id: "{alert}", input: { state: planned }) { id } }'),
      gql('mutation { createAlert(input: { nodeId: "{machine}", title: "spy" }) { id } }'),
      gql('{ maintenanceOrder(id: "{order}") { id } }'),
      gql('mutation { updateMaintenanceOrder(id: "{order}", input: { title: "x" }) { id } }'),
      gql('mutation { setMaintenanceOrderState(id: "{order}", input: { state: planned }) { id } }'),
      gql(
        'mutation($input: CreateMaintenanceOrderInput!) { createMaintenanceOrder(input: $input) { id } }',
        () => ({ input: { nodeId: '{machine}', title: 'spy', alertId: '{alert}' } }),
      ),
      gql('{ remainingLifeHistory(nodeId: "{machine}") { at } }'),
      gql('{ members(nodeId: "{org}") { id } }'),
      gql('{ invitations(nodeId: "{org}") { id } }'),
      gql(
        'mutation($n: ID!) { inviteMember(nodeId: $n, input: { email: "spy@alpha.test", role: "viewer" }) { id } }',
        () => ({ n: '{org}' }),
      ),
      gql('mutation { updateNode(id: "{site}", input: { name: "x" }) { id } }'),
      gql('mutation { updateNode(id: "{A.site}", input: { parentId: "{org}" }) { id } }'),
      gql('mutation { deleteNode(id: "{machine}") }'),
      gql('mutation($input: CreateNodeInput!) { createNode(input: $input) { id } }', () => ({
        input: { kind: 'site', name: 'x', reference: ref(), parentId: '{site}' },
      })),
      gql('mutation($input: CreatePathInput!) { createPath(input: $input) { id } }', () => ({
        input: { name: ref(), sourceId: '{machine}', destinationId: '{lake}', protocol: 'line' },
      })),
      gql('mutation { updatePath(id: "{path}", input: { state: paused }) { id } }'),
      gql(
        'mutation($id: ID!, $input: UpdatePathInput!) { updatePath(id: $id, input: $input) { id } }',
        () => ({ id: '{A.path}', input: { destinationId: '{lake}' } }),
      ),
      gql('mutation { deletePath(id: "{path}") }'),
      gql('mutation { createPathToken(pathId: "{path}", input: { name: "spy" }) { token } }'),
      gql('mutation { revokePathToken(pathId: "{path}", tokenId: "{token}") { id } }'),
      gql('mutation($input: CreateItemInput!) { createItem(input: $input) { id } }', () => ({
        input: { kind: 'sensor', reference: ref(), name: 'x', ownerId: '{site}' },
      })),
      gql('mutation { updateItem(id: "{item}", input: { name: "x" }) { id } }'),
      gql('mutation { updateItem(id: "{A.item}", input: { ownerId: "{site}" }) { id } }'),
      gql('mutation { deleteItem(id: "{item}") }'),
      gql(
        'mutation($input: CreateMovementInput!) { createMovement(input: $input) { id } }',
        () => ({ input: movement('{machine}', '{lake}')() }),
      ),
      gql(
        'mutation($input: CreateCdcSourceInput!) { createCdcSource(input: $input) { id } }',
        () => ({
          input: {
            name: ref(),
            sourceId: '{machine}',
            destinationId: '{lake}',
            connectionString: 'postgresql://x@127.0.0.1:1/x',
            tables: ['public.t'],
            paused: true,
          },
        }),
      ),
      gql('mutation { pauseCdcSource(id: "{cdc}") { id } }'),
      gql('mutation { resumeCdcSource(id: "{cdc}") { id } }'),
      gql('mutation { resnapshotCdcTable(id: "{cdc}", table: "public.t") { id } }'),
      gql('mutation { changeMemberRole(id: "{member}", input: { role: "viewer" }) { id } }'),
      gql('mutation { removeMember(id: "{member}") { id } }'),
      gql('mutation { revokeInvitation(id: "{invitation}") { id } }'),
      gql(
        'mutation($input: CreateMovementInput!) { createMovement(input: $input) { id } }',
        () => ({
          input: {
            ...movement('{A.machine}', '{A.lake}')(),
            quantity: '-1',
            correctsId: '{movement}',
          },
        }),
      ),
      gql(
        `mutation($input: AddPlanVersionInput!) { addPlanVersion(planId: "${plan}", input: $input) { id } }`,
        () => ({
          input: { effectiveFrom: '2027-03-01T00:00:00Z', organisationId: '{org}', charges: [] },
        }),
      ),
      gql('{ billingAccount(organisationId: "{org}") { organisationId taxRate } }'),
      gql(
        'mutation { updateBillingAccount(organisationId: "{org}", input: { legalName: "x" }) { organisationId } }',
      ),
      gql('{ subscriptions(organisationId: "{org}") { id } }'),
      gql(
        `mutation { subscribe(organisationId: "{org}", input: { planId: "${plan}", startsAt: "2026-11-01T00:00:00Z" }) { id } }`,
      ),
      gql(
        `mutation($id: ID!) { changeSubscriptionPlan(id: $id, input: { planId: "${plan}", at: "2027-02-01T00:00:00Z" }) { id } }`,
        () => ({ id: '{subscription}' }),
      ),
      gql('mutation { cancelSubscription(id: "{subscription}", input: { when: now }) { id } }'),
      gql('{ invoice(id: "{invoice}") { id total lines { id amount } } }'),
      gql(
        'query($i: ID!, $l: ID!) { invoiceLineMovements(invoiceId: $i, lineId: $l) { items { id } } }',
        () => ({ i: '{invoice}', l: '{line}' }),
      ),
      gql('{ billingUsage(organisationId: "{org}") { organisationId } }'),
      gql('{ budgets(organisationId: "{org}") { id } }'),
      gql(
        'mutation { createBudget(organisationId: "{org}", input: { kind: money, amount: "5" }) { id } }',
      ),
      gql('mutation { deleteBudget(id: "{budget}") { id } }'),
      gql(
        'mutation($input: StartBillingRunInput!) { startBillingRun(input: $input) { id } }',
        () => ({ input: { organisationId: '{org}', mode: 'refresh' } }),
      ),
    ];
  }

  /** Fills a template's slots: `{A.key}` with A's ids, `{key}` with `slots`' (else A's). */
  function fill(value: string, slots: Partial<Ids>): string {
    return value.replace(/\{(A\.)?(\w+)\}/g, (whole, own: string | undefined, key: string) => {
      if (!(key in ownIds())) return whole;
      const ids = own ? ownIds() : { ...ownIds(), ...slots };
      return ids[key as keyof Ids];
    });
  }

  function fillDeep(value: unknown, slots: Partial<Ids>): unknown {
    if (typeof value === 'string') return fill(value, slots);
    if (Array.isArray(value)) return value.map((v) => fillDeep(v, slots));
    if (typeof value === 'object' && value !== null)
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillDeep(v, slots)]));
    return value;
  }

  /** The slots of a template: the keys of `{key}` (not `{A.key}`) in its url, body or query. */
  function slotsOf(template: Template): (keyof Ids)[] {
    const text =
      template.kind === 'rest'
        ? `${template.url} ${JSON.stringify(template.body?.() ?? null)}`
        : `${template.query} ${JSON.stringify(template.variables?.() ?? null)}`;
    return [...new Set([...text.matchAll(/\{(?!A\.)(\w+)\}/g)].map((m) => m[1]))].filter(
      (k): k is keyof Ids => k in ownIds(),
    );
  }

  /**
   * The probes of a template, each with B's id and with a random id in the same place:
   * - every slot in turn (route, query, body, nested body, GraphQL argument, input, variable),
   *   the others holding A's own ids;
   * - each target the route's policy names, given again (or instead) in every other place of
   *   the request: the query, the body, the body nested under `input`, with A's own request
   *   otherwise intact;
   * - gets: B's ids in the query under every id name a filter could take.
   */
  function variants(template: Template): Variant[] {
    const out: Variant[] = [];
    // A slot the request really reads must be refused for B; a list's filter may answer 200.
    const strict = template.kind === 'graphql' || !template.filter;
    const build = (slots: Partial<Ids>, extra?: Extra): Probe => {
      if (template.kind === 'graphql') {
        const variables = template.variables ? fillDeep(template.variables(), slots) : undefined;
        return {
          kind: 'graphql',
          query: fill(template.query, slots),
          variables: variables as Record<string, unknown> | undefined,
        };
      }
      let url = fill(template.url, slots);
      if (extra?.query)
        url += `${url.includes('?') ? '&' : '?'}${extra.query[0]}=${extra.query[1]}`;
      let body = template.body ? fillDeep(template.body(), slots) : undefined;
      if (extra?.body) body = { ...(body as object), [extra.body[0]]: extra.body[1] };
      if (extra?.nested)
        body = { ...(body as object), input: { [extra.nested[0]]: extra.nested[1] } };
      return { kind: 'rest', method: template.method, url, body };
    };
    const label =
      template.kind === 'rest'
        ? `${template.method} ${template.url}`
        : `graphql ${template.query.slice(0, 70)}`;
    for (const slot of slotsOf(template))
      out.push({
        name: `${label} [${slot} of B]`,
        real: build({ [slot]: B_ids()[slot] }),
        fake: build({ [slot]: nowhere[slot] }),
        strict,
      });
    if (template.kind !== 'rest') return out;
    const handler = restHandlerOf(template);
    const refs =
      handler?.policy?.kind === 'target' ? [...handler.policy.anyOf, ...handler.policy.also] : [];
    const places: (keyof Extra)[] = ['query'];
    if (template.method !== 'GET') places.push('body');
    if (template.body && typeof template.body() === 'object') places.push('nested');
    for (const ref of refs) {
      const name = ref.field.split('.')[0];
      const slot = kindSlot[ref.kind];
      for (const place of places) {
        if (place === ref.place) continue;
        // B's id where the route does not read it, A's request otherwise intact.
        out.push({
          name: `${label} [${ref.field} of B in the ${place}]`,
          real: build({}, { [place]: [name, B_ids()[slot]] }),
          fake: build({}, { [place]: [name, nowhere[slot]] }),
          strict: false,
        });
        // And the other way round: A's own id where the route does not read it, to vouch
        // for B's id in each slot the route does read.
        for (const key of slotsOf(template))
          out.push({
            name: `${label} [${key} of B, ${ref.field} of A in the ${place}]`,
            real: build({ [key]: B_ids()[key] }, { [place]: [name, ownIds()[slot]] }),
            fake: build({ [key]: nowhere[key] }, { [place]: [name, ownIds()[slot]] }),
            strict,
          });
      }
    }
    if (template.method === 'GET')
      for (const [name, kind] of queryIds) {
        if (refs.some((r) => r.field === name)) continue;
        out.push({
          name: `${label} [?${name}= of B]`,
          real: build({}, { query: [name, B_ids()[kindSlot[kind]]] }),
          fake: build({}, { query: [name, nowhere[kindSlot[kind]]] }),
          strict: false,
        });
      }
    return out;
  }

  async function answer(
    probe: Probe,
    token: string,
  ): Promise<{ status: number; code: string; text: string }> {
    const mask = (text: string) => text.replace(/[0-9a-f-]{36}|\d{1,19}/g, '<id>');
    if (probe.kind === 'graphql') {
      const reply = await api.graphql(probe.query, probe.variables, token);
      const error = reply.body.errors?.[0];
      return {
        status: Number(error?.extensions?.status ?? reply.status),
        code: `${String(error?.extensions?.code ?? 'ok')} ${mask(error?.message ?? '')}`,
        text: JSON.stringify(reply.body),
      };
    }
    const reply = await api.call(probe.method, probe.url, {
      body: probe.body,
      token,
      headers: typeof probe.body === 'string' ? { 'content-type': 'text/plain' } : {},
    });
    const body = (reply.body ?? {}) as { code?: string; errors?: { reason: string }[] };
    const reason = mask(body.errors?.[0]?.reason ?? '');
    return {
      status: reply.status,
      code: `${body.code ?? 'ok'} ${reason}`,
      text: JSON.stringify(reply.body),
    };
  }

  it.each(roles)(
    'shows a %s of A nothing of B, wherever the request carries B’s id, that an unknown id would not show',
    async (role) => {
      const token = tokens.get(role)!;
      // The token works: A's own organisation is there.
      expect((await api.call('GET', `/api/nodes/${A.org}`, { token })).status).toBe(200);
      for (const template of templates())
        for (const { name, real, fake, strict } of variants(template)) {
          const got = await answer(real, token);
          const unknown = await answer(fake, token);
          checks++;
          // Refused exactly as for an id that does not exist (e.g. a viewer's 403 on its own
          // node that the probe would move under B's), or, where B's id sits in a place the
          // route does not read, served as A's own request without a trace of B.
          const same = got.status === unknown.status && got.code === unknown.code;
          const hidden =
            same && (strict ? got.status >= 400 : got.status >= 400 || !leaksB(got.text));
          // A probe GraphQL itself refuses tests nothing: it must be a valid operation.
          if (real.kind === 'graphql' && invalidOperation.test(got.text))
            leaks.push(`${role}: ${name} is not a valid operation: ${got.text.slice(0, 160)}`);
          if (!hidden)
            leaks.push(
              `${role}: ${name} → ${got.status} ${got.code} (unknown id: ${unknown.status} ${unknown.code})`,
            );
        }
      expect(leaks.filter((l) => l.startsWith(`${role}:`))).toEqual([]);
    },
  );

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
      '/api/billing/invoices?limit=500',
      `/api/billing/invoices?organisationId=${B.org}`,
      '/api/billing/invoices.csv',
      '/api/billing/usage-lines.csv',
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
      '{ invoices(limit: 500) { items { id organisationId organisationName } } }',
      `{ invoices(organisationId: "${B.org}") { items { id } } }`,
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

  it('probes every guarded route and field, and every list', () => {
    const all = templates();
    const missing: string[] = [];
    for (const handler of restHandlers) {
      const policy = handler.policy?.kind;
      if (policy !== 'target' && policy !== 'scoped') continue;
      const covered = all.some((t) => t.kind === 'rest' && restHandlerOf(t)?.name === handler.name);
      if (!covered) missing.push(handler.name);
    }
    for (const handler of graphqlHandlers) {
      const [owner, field] = handler.name.split('.');
      if (handler.policy?.kind !== 'target' || (owner !== 'Query' && owner !== 'Mutation'))
        continue;
      if (!all.some((t) => t.kind === 'graphql' && new RegExp(`\\b${field}\\(`).test(t.query)))
        missing.push(handler.name);
    }
    expect(missing).toEqual([]);
  });

  it('left every row of B as it was', async () => {
    // Nothing names B's ids that did not before, and no row of B changed.
    const after = await stateOfB();
    const changed = Object.keys(after).filter((t) => after[t] !== stateOfBBefore[t]);
    expect(changed).toEqual([]);
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
    const logs = await api.graphql(`{ jobRunLogs(id: "${A.run}") { last } }`, undefined, owner);
    expect(logs.body.errors).toBeUndefined();
    expect((await api.call('GET', `/api/alerts/${A.alert}`, { token: owner })).status).toBe(200);
    const runs = await api.call('GET', '/api/jobs/runs', { token: owner });
    expect((runs.body as { items: { id: string }[] }).items.map((r) => r.id)).toEqual([A.run]);
    const viewer = tokens.get('viewer')!;
    expect(
      (await api.call('PATCH', `/api/nodes/${A.site}`, { token: viewer, body: { name: 'x' } }))
        .status,
    ).toBe(403);
    // Money: the billing role of A sees A's invoice; a viewer (or an admin) none of it.
    const invoice = await api.call<{ id: string }>('GET', `/api/billing/invoices/${A.invoice}`, {
      token: billing,
    });
    expect(invoice.body.id).toBe(A.invoice);
    const listed = await api.call<{ items: { id: string }[] }>('GET', '/api/billing/invoices', {
      token: billing,
    });
    expect(listed.body.items.map((i) => i.id)).toEqual([A.invoice]);
    for (const role of ['viewer', 'operator', 'analyst', 'admin'] as const) {
      const token = tokens.get(role)!;
      for (const url of [
        `/api/billing/invoices/${A.invoice}`,
        `/api/billing/invoices/${A.invoice}/pdf`,
        `/api/billing/organisations/${A.org}/account`,
        `/api/billing/organisations/${A.org}/subscriptions`,
        `/api/billing/organisations/${A.org}/usage`,
        `/api/billing/organisations/${A.org}/budgets`,
        '/api/billing/plans',
      ])
        expect([role, url, (await api.call('GET', url, { token })).status]).toEqual([
          role,
          url,
          403,
        ]);
      const list = await api.call<{ items: unknown[] }>('GET', '/api/billing/invoices', { token });
      expect([role, list.body.items]).toEqual([role, []]);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { membersWithTokens, startApi, type ApiHarness } from '../testing/api-harness';

// MQTT topics are namespaced per organisation: the first level of every filter of a path is the
// reference of its source's organisation. An operator of another organisation (or of another
// part of the same one) tries to take topics that are not its own, over REST and GraphQL.

const id = () => randomUUID();
const A = { org: id(), plant1: id(), plant2: id(), t07: id(), t12: id(), lake: id() };
const B = { org: id(), plant1: id(), lake: id() };

interface ErrorAnswer {
  code: string;
  message: string;
  errors?: { field: string; reason: string }[];
}

interface PathAnswer {
  id: string;
  settings: { mqtt?: { topics: string[] } };
}

describe('MQTT paths: topics namespaced per organisation', () => {
  let db: TestDatabase;
  let api: ApiHarness;
  let sql: Pool;
  let tokens: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('mqtt_topics');
    sql = new Pool({ connectionString: db.url, max: 2 });
    const node = (nid: string, parent: string | null, kind: string, ref: string) =>
      sql.query(
        `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, $3, $4, $4, now())`,
        [nid, parent, kind, ref],
      );
    await node(A.org, null, 'organisation', 'acme');
    await node(A.plant1, A.org, 'site', 'acme.plant1');
    await node(A.plant2, A.org, 'site', 'acme.plant2');
    await node(A.t07, A.plant1, 'machine', 'acme.plant1.t07');
    await node(A.t12, A.plant2, 'machine', 'acme.plant2.t12');
    await node(A.lake, A.org, 'database', 'acme.lake');
    await node(B.org, null, 'organisation', 'globex');
    await node(B.plant1, B.org, 'site', 'globex.plant1');
    await node(B.lake, B.org, 'database', 'globex.lake');
    tokens = await membersWithTokens(
      sql,
      db.url,
      [
        ['owner@acme.test', A.org, 'owner'],
        ['operator@acme.test', A.org, 'operator'],
        // Operators of one site each, who do not see each other's paths.
        ['plant1@acme.test', A.plant1, 'operator'],
        ['plant2@acme.test', A.plant2, 'operator'],
        ['operator@globex.test', B.org, 'operator'],
      ],
      'mqtt-topics',
    );
    api = await startApi(db.url);
  });

  afterAll(async () => {
    await api?.close();
    await sql?.end();
    await db?.drop();
  });

  const mqtt = (topics: unknown[], extra: Record<string, unknown> = {}) => ({
    mqtt: { topics, ...extra },
  });

  function createPath(
    token: string,
    sourceId: string,
    destinationId: string,
    settings: Record<string, unknown>,
  ) {
    return api.call<PathAnswer & ErrorAnswer>('POST', '/api/paths', {
      token: tokens[token],
      body: {
        name: `mqtt ${randomUUID().slice(0, 8)}`,
        sourceId,
        destinationId,
        protocol: 'mqtt',
        settings,
      },
    });
  }

  it('takes a filter in the organisation’s namespace and answers with the full topic', async () => {
    const created = await createPath(
      'operator@acme.test',
      A.plant1,
      A.lake,
      mqtt(['acme/plant1/+/telemetry'], { topicTags: { '2': 'turbine' } }),
    );
    expect(created.status).toBe(201);
    expect(created.body.settings.mqtt?.topics).toEqual(['acme/plant1/+/telemetry']);
    const read = await api.graphql<{ path: { settings: PathAnswer['settings'] } }>(
      `query ($id: ID!) { path(id: $id) { settings } }`,
      { id: created.body.id },
      tokens['operator@acme.test'],
    );
    expect(read.body.data?.path.settings.mqtt?.topics).toEqual(['acme/plant1/+/telemetry']);
  });

  it.each([
    [
      'acme/plant1/T07/telemetry',
      /is outside the organisation’s namespace: start it with globex\//,
    ],
    ['#', /a wildcard at the first level would take other organisations’ topics/],
    ['+/plant1/+/telemetry', /a wildcard at the first level/],
    ['$SYS/#', /topics starting with \$ \(\$SYS and the like\) belong to the broker/],
    ['$share/g/acme/#', /is outside the organisation’s namespace/],
    ['$share/g/#', /a wildcard at the first level/],
    [
      'plant1/+/telemetry',
      /start it with globex\/ \(for example "globex\/plant1\/\+\/telemetry"\)/,
    ],
  ])(
    'refuses another organisation’s operator the filter %s, naming the setting',
    async (filter, reason) => {
      const refused = await createPath(
        'operator@globex.test',
        B.plant1,
        B.lake,
        mqtt(['globex/plant1/+/telemetry', filter]),
      );
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('ValidationFailed');
      expect(refused.body.errors).toEqual([
        { field: 'settings.mqtt.topics[1]', reason: expect.stringMatching(reason) as unknown },
      ]);
    },
  );

  it('refuses the same over GraphQL, and when a path is changed', async () => {
    const gql = await api.graphql<{ createPath: { id: string } }>(
      `mutation ($s: ID!, $d: ID!, $settings: JSONObject) {
         createPath(input: {name: "hijack", sourceId: $s, destinationId: $d, protocol: mqtt, settings: $settings}) { id }
       }`,
      { s: B.plant1, d: B.lake, settings: mqtt(['acme/#']) },
      tokens['operator@globex.test'],
    );
    expect(gql.body.data).toBeNull();
    expect(gql.body.errors?.[0].extensions).toMatchObject({
      code: 'ValidationFailed',
      errors: [{ field: 'settings.mqtt.topics[0]' }],
    });

    const own = await createPath(
      'operator@globex.test',
      B.plant1,
      B.lake,
      mqtt(['globex/plant1/+/telemetry']),
    );
    expect(own.status).toBe(201);
    const changed = await api.call<ErrorAnswer>('PATCH', `/api/paths/${own.body.id}`, {
      token: tokens['operator@globex.test'],
      body: { settings: mqtt(['acme/plant1/T07/telemetry']) },
    });
    expect(changed.status).toBe(400);
    expect(changed.body.errors?.[0].field).toBe('settings.mqtt.topics[0]');
    const gqlChange = await api.graphql<{ updatePath: { id: string } }>(
      `mutation ($id: ID!, $settings: JSONObject) { updatePath(id: $id, input: {settings: $settings}) { id } }`,
      { id: own.body.id, settings: mqtt(['#']) },
      tokens['operator@globex.test'],
    );
    expect(gqlChange.body.errors?.[0].extensions).toMatchObject({ code: 'ValidationFailed' });
    const { rows } = await sql.query<{ settings: unknown }>(
      'SELECT settings FROM path WHERE id = $1',
      [own.body.id],
    );
    expect(rows[0].settings).toEqual(mqtt(['globex/plant1/+/telemetry']));
  });

  it('asks for settings.mqtt with an example in the namespace', async () => {
    const refused = await createPath('operator@acme.test', A.plant1, A.lake, {});
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      {
        field: 'settings.mqtt',
        reason: 'is missing: set { "topics": ["acme/site/+/telemetry"] }',
      },
    ]);
  });

  it('refuses a filter overlapping one of a path the caller cannot see, without naming it', async () => {
    const plant1 = await createPath('plant1@acme.test', A.t07, A.plant1, mqtt(['acme/shared/#']));
    expect(plant1.status).toBe(201);
    // Another site's operator of the same organisation would take some of its messages (a site's
    // operators see only paths with an end in their site).
    const refused = await createPath(
      'plant2@acme.test',
      A.t12,
      A.plant2,
      mqtt(['acme/plant2/+', 'acme/shared/T07/telemetry']),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('TopicTaken');
    expect(refused.body.errors).toEqual([
      {
        field: 'settings.mqtt.topics[1]',
        reason: expect.stringMatching(
          /overlaps the topic filter of a path you cannot see/,
        ) as unknown,
      },
    ]);
    expect(refused.body.message).not.toContain('acme/shared/#');
    expect(refused.body.message).not.toContain(plant1.body.id);
    // Disjoint filters are fine; so is an overlap the caller sees (the more specific one wins).
    expect(
      (await createPath('plant2@acme.test', A.t12, A.plant2, mqtt(['acme/plant2/+']))).status,
    ).toBe(201);
    expect(
      (await createPath('operator@acme.test', A.plant2, A.lake, mqtt(['acme/shared/T07/x'])))
        .status,
    ).toBe(201);
  });

  it('moves the topics of an organisation’s paths when its reference changes', async () => {
    const own = await createPath(
      'operator@acme.test',
      A.t07,
      A.lake,
      mqtt(['acme/moving/+', '$share/g/acme/moving2/#']),
    );
    expect(own.status).toBe(201);
    const other = await createPath(
      'operator@globex.test',
      B.plant1,
      B.lake,
      mqtt(['globex/moving/+']),
    );
    // A path stored before topics were namespaced: it can still be paused, and is left as it is.
    const legacy = id();
    await sql.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, settings, updated_at)
       VALUES ($1, 'legacy', $2, $3, 'mqtt', $4, now())`,
      [legacy, A.plant1, A.lake, JSON.stringify(mqtt(['plant1/+/telemetry']))],
    );
    const paused = await api.call('PATCH', `/api/paths/${legacy}`, {
      token: tokens['operator@acme.test'],
      body: { state: 'paused' },
    });
    expect(paused.status).toBe(200);

    const renamed = await api.call('PATCH', `/api/nodes/${A.org}`, {
      token: tokens['owner@acme.test'],
      body: { reference: 'acme-corp' },
    });
    expect(renamed.status).toBe(200);
    const topicsOf = async (pathId: string) =>
      (
        await api.call<PathAnswer>('GET', `/api/paths/${pathId}`, {
          token: tokens['owner@acme.test'],
        })
      ).body.settings.mqtt?.topics;
    expect(await topicsOf(own.body.id)).toEqual([
      'acme-corp/moving/+',
      '$share/g/acme-corp/moving2/#',
    ]);
    expect(await topicsOf(legacy)).toEqual(['plant1/+/telemetry']);
    const { rows } = await sql.query<{ settings: unknown }>(
      'SELECT settings FROM path WHERE id = $1',
      [other.body.id],
    );
    expect(rows[0].settings).toEqual(mqtt(['globex/moving/+']));
    // The audit says which paths moved.
    const audit = await sql.query<{ details: Record<string, unknown> }>(
      `SELECT details FROM audit_event WHERE action = 'path.update' AND target_id = $1`,
      [own.body.id],
    );
    expect(audit.rows.map((r) => r.details)).toContainEqual(
      expect.objectContaining({ topicsMovedFrom: 'acme/', to: 'acme-corp/' }),
    );
    // New paths use the new namespace; the old one is refused.
    expect(
      (await createPath('operator@acme.test', A.plant1, A.lake, mqtt(['acme/x']))).status,
    ).toBe(400);
    expect(
      (await createPath('operator@acme.test', A.plant1, A.lake, mqtt(['acme-corp/x']))).status,
    ).toBe(201);
    // A reference taken is 409 as before, and nothing moves.
    const taken = await api.call<ErrorAnswer>('PATCH', `/api/nodes/${A.org}`, {
      token: tokens['owner@acme.test'],
      body: { reference: 'globex' },
    });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('ReferenceTaken');
    expect(await topicsOf(own.body.id)).toEqual([
      'acme-corp/moving/+',
      '$share/g/acme-corp/moving2/#',
    ]);
    // Renaming back moves them back.
    await api.call('PATCH', `/api/nodes/${A.org}`, {
      token: tokens['owner@acme.test'],
      body: { reference: 'acme' },
    });
    expect(await topicsOf(own.body.id)).toEqual(['acme/moving/+', '$share/g/acme/moving2/#']);
  });
});

import { randomUUID } from 'node:crypto';
import { demoApiToken } from '@sextant/seed';
import { expectWithMessage, inject, startTestBroker, type TestBroker } from '@sextant/testing';
import { connectAsync, type MqttClient } from 'mqtt';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { api, uniqueRef } from '../support/http';
import { logged, pointsOf, startGateway, type OwnGateway } from '../support/ingest';

// Two organisations on one broker, through the running API and a gateway subscribed to that
// broker: the operator of B tries to take A's device messages, as it could before topics were
// namespaced, and each organisation must receive only its own.

interface Org {
  id: string;
  reference: string;
  site: string;
  lake: string;
  /** An API token of the organisation's operator. */
  token: string;
}

interface ListedSeries {
  id: string;
  nodeId: string;
  tags: Record<string, string>;
}

describe('MQTT ingest with two organisations on one broker', () => {
  let broker: TestBroker;
  let gateway: OwnGateway | null = null;
  let publisher: MqttClient;
  let sql: Pool;
  let a: Org;
  let b: Org;
  const clientId = `sextant-e2e-${randomUUID().slice(0, 8)}`;
  const as = (org: Org) => ({ authorization: `Bearer ${org.token}` });

  async function node(kind: string, reference: string, parentId?: string): Promise<string> {
    const created = await api<{ id: string }>('POST', '/api/nodes', {
      kind,
      name: reference,
      reference,
      ...(parentId ? { parentId } : {}),
    });
    expect(created.status).toBe(201);
    return created.body.id;
  }

  /** A new organisation with a site and a lake, and its operator's API token. */
  async function organisation(prefix: string): Promise<Org> {
    const reference = uniqueRef(prefix);
    const id = await node('organisation', reference);
    const site = await node('site', `${reference}.plant1`, id);
    const lake = await node('database', `${reference}.lake`, id);
    const email = `operator@${reference}.test`;
    const user = randomUUID();
    await sql.query(
      `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, updated_at)
       VALUES ($1, $2, $2, 'x', now(), now())`,
      [user, email],
    );
    await sql.query(
      `INSERT INTO membership (id, user_id, node_id, role, updated_at)
       VALUES ($1, $2, $3, 'operator', now())`,
      [randomUUID(), user, id],
    );
    const token = await demoApiToken(inject('databaseUrl'), email, 'e2e mqtt');
    return { id, reference, site, lake, token };
  }

  function createPath(org: Org, topics: string[]) {
    return api<{ id: string; code: string; errors?: { field: string; reason: string }[] }>(
      'POST',
      '/api/paths',
      {
        name: `mqtt ${randomUUID().slice(0, 8)}`,
        sourceId: org.site,
        destinationId: org.lake,
        protocol: 'mqtt',
        settings: { mqtt: { topics, topicTags: { '2': 'turbine' } } },
      },
      as(org),
    );
  }

  async function seriesOf(org: Org, measurement: string): Promise<ListedSeries[]> {
    const reply = await api<{ items: ListedSeries[] }>(
      'GET',
      `/api/series?measurement=${measurement}&limit=100`,
      undefined,
      as(org),
    );
    expect(reply.status).toBe(200);
    return reply.body.items.sort((x, y) => x.tags.turbine.localeCompare(y.tags.turbine));
  }

  beforeAll(async () => {
    sql = new Pool({ connectionString: inject('databaseUrl'), max: 2 });
    broker = await startTestBroker();
    console.log(`MQTT e2e uses the ${broker.name}`);
    publisher = await connectAsync(broker.url, { clientId: `${clientId}-pub` });
    a = await organisation('mqtt-a');
    b = await organisation('mqtt-b');
  });

  afterAll(async () => {
    if (gateway) {
      gateway.process.child.kill('SIGTERM');
      await gateway.process.exited;
    }
    await publisher?.endAsync();
    // Drop the gateway's persistent session: the local broker may be shared.
    const session = await connectAsync(broker.url, { clientId, clean: true }).catch(() => null);
    await session?.endAsync();
    await broker?.close();
    await sql?.end();
  });

  it('refuses B’s operator every filter that would take A’s messages, over REST and GraphQL', async () => {
    expect((await createPath(a, [`${a.reference}/plant1/+/telemetry`])).status).toBe(201);
    for (const filter of [
      `${a.reference}/plant1/T07/telemetry`,
      '#',
      '+/plant1/+/telemetry',
      `$share/g/${a.reference}/#`,
      '$SYS/#',
    ]) {
      const refused = await createPath(b, [filter]);
      expectWithMessage(refused.status, filter).toBe(400);
      expect(refused.body.errors?.[0].field).toBe('settings.mqtt.topics[0]');
      // The answer names B's own namespace, never A's organisation.
      expect(JSON.stringify(refused.body)).not.toContain(a.id);
    }
    const gql = await api<{ data: unknown; errors?: { extensions?: { code?: string } }[] }>(
      'POST',
      '/graphql',
      {
        query: `mutation ($s: ID!, $d: ID!, $settings: JSONObject) {
          createPath(input: {name: "hijack", sourceId: $s, destinationId: $d, protocol: mqtt, settings: $settings}) { id }
        }`,
        variables: {
          s: b.site,
          d: b.lake,
          settings: { mqtt: { topics: [`${a.reference}/plant1/+/telemetry`] } },
        },
      },
      as(b),
    );
    expect(gql.body.errors?.[0].extensions?.code).toBe('ValidationFailed');

    const own = await createPath(b, [`${b.reference}/plant1/+/telemetry`]);
    expect(own.status).toBe(201);
    const changed = await api(
      'PATCH',
      `/api/paths/${own.body.id}`,
      {
        settings: { mqtt: { topics: [`${a.reference}/#`] } },
      },
      as(b),
    );
    expect(changed.status).toBe(400);
  });

  it('gives each organisation only the messages published in its namespace', async () => {
    gateway = await startGateway({ MQTT_URL: broker.url, MQTT_CLIENT_ID: clientId });
    expect(await logged(gateway, /ingest mqtt: \d+ topic filters? subscribed/, 15_000)).toBe(true);
    // Each organisation its own measurement: series keys are not per organisation yet.
    const [measurementA, measurementB] = [uniqueRef('mqtt_a'), uniqueRef('mqtt_b')].map((m) =>
      m.replace(/-/g, '_'),
    );
    const time = Date.parse('2026-11-21T10:00:00Z');
    const publish = (topic: string, measurement: string, value: number) =>
      publisher.publishAsync(
        topic,
        JSON.stringify({ measurement, fields: { power_kw: value }, time: time + value }),
        { qos: 1 },
      );
    await publish(`${a.reference}/plant1/T07/telemetry`, measurementA, 1);
    await publish(`${a.reference}/plant1/T01/telemetry`, measurementA, 2);
    await publish(`${b.reference}/plant1/T07/telemetry`, measurementB, 3);
    await publish(`${a.reference}/plant1/T07/telemetry`, measurementA, 4);

    let seriesA: ListedSeries[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline;) {
      seriesA = await seriesOf(a, measurementA);
      const points = await Promise.all(seriesA.map((s) => pointsOf(s.id)));
      if (points.flat().length >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // A's messages are on A's site, T07's two in one series.
    expect(seriesA.map((s) => [s.nodeId, s.tags])).toEqual([
      [a.site, { turbine: 'T01' }],
      [a.site, { turbine: 'T07' }],
    ]);
    expect((await pointsOf(seriesA[1].id)).map((p) => p.value)).toEqual([1, 4]);
    const seriesB = await seriesOf(b, measurementB);
    expect(seriesB.map((s) => [s.nodeId, s.tags])).toEqual([[b.site, { turbine: 'T07' }]]);
    // Neither sees the other's.
    expect(await seriesOf(b, measurementA)).toEqual([]);
    expect(await seriesOf(a, measurementB)).toEqual([]);
  });
});

import { IngestWriter, PathDirectory, uuidv7 } from '@sextant/ingest';
import {
  createTestDatabase,
  startTestBroker,
  TestDatabase,
  type TestBroker,
} from '@sextant/testing';
import { TimeSeriesQueries, TimeSeriesStore } from '@sextant/timeseries';
import { connectAsync, MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PathStats } from '../stats';
import { MqttSubscriber } from './mqtt-subscriber';

async function until<T>(probe: () => Promise<T>, done: (value: T) => boolean, ms = 15_000) {
  const end = Date.now() + ms;
  let value = await probe();
  while (!done(value) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

describe(MqttSubscriber.name, () => {
  let db: TestDatabase;
  let pool: Pool;
  let broker: TestBroker;
  let publisher: MqttClient;
  let lakeId: string;
  let orgId: string;
  // Topics and sessions of this run only: the local broker may be shared. The first level of
  // a topic is the namespace of an organisation: its reference.
  const run = randomBytes(4).toString('hex');
  const root = `sextant-test-${run}`;
  const clientIds: string[] = [];
  const subscribers: MqttSubscriber[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('mqtt');
    pool = new Pool({ connectionString: db.url, max: 4 });
    broker = await startTestBroker();
    console.log(`MQTT tests use the ${broker.name}`);
    publisher = await connectAsync(broker.url, { clientId: `sextant-test-pub-${run}` });
    orgId = await node('org', null, 'organisation', root);
    lakeId = await node('lake', orgId);
  });

  afterAll(async () => {
    for (const subscriber of subscribers) await subscriber.stop();
    await publisher?.endAsync();
    // Drop the persistent sessions left on the broker.
    for (const clientId of clientIds) {
      const client = await connectAsync(broker.url, { clientId, clean: true });
      await client.endAsync();
    }
    await broker?.close();
    await pool?.end();
    await db?.drop();
  });

  async function node(
    name: string,
    parentId: string | null,
    kind = 'sensor',
    reference = `${name}-${run}-${uuidv7().slice(-6)}`,
  ): Promise<string> {
    const id = uuidv7();
    await pool.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, $3, $4, $5, now())`,
      [id, parentId, kind, name, reference],
    );
    return id;
  }

  /**
   * A node under `parentId` (this run's organisation by default) and an mqtt path from it to
   * `destinationId`, stored as it is (the API would refuse some of them); returns the node's id.
   */
  async function mqttPath(
    mqtt: Record<string, unknown>,
    { state = 'active', parentId = orgId, destinationId = lakeId, name = '' } = {},
  ): Promise<string> {
    const sourceId = await node('sensor', parentId);
    await pool.query(
      `INSERT INTO path (id, name, source_id, destination_id, protocol, state, settings, updated_at)
       VALUES ($1, $2, $3, $4, 'mqtt', $5, $6, now())`,
      [
        uuidv7(),
        name || `mqtt ${sourceId}`,
        sourceId,
        destinationId,
        state,
        JSON.stringify({ mqtt }),
      ],
    );
    return sourceId;
  }

  function subscriber(
    clientId: string,
    writerPool: Pool = pool,
  ): { subscriber: MqttSubscriber; stats: PathStats; logs: string[] } {
    if (!clientIds.includes(clientId)) clientIds.push(clientId);
    const stats = new PathStats();
    const logs: string[] = [];
    const subscriber = new MqttSubscriber({
      mqtt: { url: broker.url, clientId, username: null, password: null },
      directory: new PathDirectory(pool),
      writer: new IngestWriter(new TimeSeriesStore(writerPool)),
      stats,
      maxRecordBytes: 1 << 20,
      reloadIntervalMs: 60_000,
      log: (line) => logs.push(line),
    });
    subscribers.push(subscriber);
    subscriber.start();
    return { subscriber, stats, logs };
  }

  /** Points stored per series of a measurement: chunk counts, so a duplicate would show. */
  async function stored(measurement: string) {
    const { rows } = await pool.query<{
      node_id: string;
      tags: Record<string, string>;
      points: number;
    }>(
      `SELECT s.node_id, s.tags, sum(c.count)::int AS points
         FROM series s JOIN chunk c ON c.series_id = s.id
        WHERE s.measurement = $1 GROUP BY s.id ORDER BY s.tags->>'turbine'`,
      [measurement],
    );
    return rows;
  }

  const total = (rows: { points: number }[]) => rows.reduce((n, r) => n + r.points, 0);
  const t0 = Date.parse('2026-11-21T10:00:00Z');

  it('stores each message published on a path’s topics exactly once, tagged by topic', async () => {
    const measurement = `scada_${run}`;
    const plantNode = await mqttPath({
      topics: [`${root}/plant1/+/telemetry`],
      topicTags: { '2': 'turbine' },
    });
    // A more specific filter of another path takes the messages of its topic.
    const specialNode = await mqttPath({ topics: [`${root}/plant1/T99/telemetry`] });
    const { subscriber: sub } = subscriber(`sextant-test-a-${run}`);
    await sub.ready();
    for (let i = 0; i < 30; i++) {
      const turbine = ['T01', 'T02', 'T99'][i % 3];
      const record = { measurement, fields: { power_kw: 1000 + i }, time: t0 + i * 1000 };
      await publisher.publishAsync(`${root}/plant1/${turbine}/telemetry`, JSON.stringify(record), {
        qos: 1,
      });
    }
    const rows = await until(
      () => stored(measurement),
      (r) => total(r) >= 30,
    );
    expect(rows.map((r) => [r.tags, r.points])).toEqual([
      [{ turbine: 'T01' }, 10],
      [{ turbine: 'T02' }, 10],
      [{}, 10], // the T99 path has no topic tags
    ]);
    expect(rows.map((r) => r.node_id)).toEqual([plantNode, plantNode, specialNode]);
    // Nothing arrives twice later on either.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(total(await stored(measurement))).toBe(30);
    await sub.stop();
  });

  it('logs and counts a bad payload, acknowledges it, and stores the good ones after it', async () => {
    const measurement = `bad_${run}`;
    await mqttPath({ topics: [`${root}/bad/#`], format: 'ndjson' });
    const clientId = `sextant-test-b-${run}`;
    const { subscriber: sub, stats, logs } = subscriber(clientId);
    await sub.ready();
    const topic = `${root}/bad/device`;
    await publisher.publishAsync(topic, '{"measurement": ', { qos: 1 });
    await publisher.publishAsync(
      topic,
      `{"fields":{"v":1}}\n{"measurement":"${measurement}","v":2,"time":${t0}}`,
      {
        qos: 1,
      },
    );
    await publisher.publishAsync(
      topic,
      `{"measurement":"${measurement}","v":3,"time":${t0 + 1000}}`,
      {
        qos: 1,
      },
    );
    const rows = await until(
      () => stored(measurement),
      (r) => total(r) >= 2,
    );
    expect(total(rows)).toBe(2);
    const [path] = stats.snapshot();
    expect(path.rejectedLines).toBe(2); // the broken message, and line 1 of the second
    expect(path.points).toBe(2);
    expect(logs.join('\n')).toContain(
      `topic ${topic}: 1 record rejected, 0 points stored; line 1: not valid JSON`,
    );
    expect(logs.join('\n')).toContain(
      `topic ${topic}: 1 record rejected, 1 points stored; line 1: missing measurement`,
    );

    // Acknowledged: a new connection of the same session gets none of them again.
    await sub.stop();
    const again = subscriber(clientId);
    await again.subscriber.ready();
    await publisher.publishAsync(
      topic,
      `{"measurement":"${measurement}","v":4,"time":${t0 + 2000}}`,
      {
        qos: 1,
      },
    );
    await until(
      () => stored(measurement),
      (r) => total(r) >= 3,
    );
    expect(again.stats.snapshot()).toMatchObject([{ points: 1, rejectedLines: 0 }]);
    expect(total(await stored(measurement))).toBe(3);
    await again.subscriber.stop();
  });

  it('does not acknowledge a message whose commit failed: the next session gets it again', async () => {
    const measurement = `retry_${run}`;
    await mqttPath({ topics: [`${root}/retry/+`] });
    const clientId = `sextant-test-c-${run}`;
    // A writer whose database is unreachable: every commit fails.
    const down = new Pool({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
      connectionTimeoutMillis: 200,
    });
    const first = subscriber(clientId, down);
    await first.subscriber.ready();
    await publisher.publishAsync(
      `${root}/retry/x`,
      JSON.stringify({ measurement, v: 1, time: t0 }),
      { qos: 1 },
    );
    await until(
      async () => first.logs.join('\n'),
      (text) => text.includes('could not store the message'),
    );
    await first.subscriber.stop(); // as a crash would: nothing acknowledged
    await down.end();
    expect(await stored(measurement)).toEqual([]);

    const second = subscriber(clientId);
    const rows = await until(
      () => stored(measurement),
      (r) => total(r) >= 1,
    );
    expect(total(rows)).toBe(1);
    expect(second.logs.some((l) => l.includes('(session resumed)'))).toBe(true);
    await second.subscriber.stop();
  });

  it('picks up a path created after start on reload, and drops a paused one', async () => {
    const measurement = `later_${run}`;
    const { subscriber: sub, logs } = subscriber(`sextant-test-d-${run}`);
    await sub.ready();
    await mqttPath({ topics: [`${root}/later/+`] });
    await mqttPath({ topics: [`${root}/paused/+`] }, { state: 'paused' });
    await sub.reload();
    await publisher.publishAsync(
      `${root}/later/x`,
      JSON.stringify({ measurement, v: 1, time: t0 }),
      { qos: 1 },
    );
    await publisher.publishAsync(
      `${root}/paused/x`,
      JSON.stringify({ measurement: `${measurement}_p`, v: 1 }),
      {
        qos: 1,
      },
    );
    const rows = await until(
      () => stored(measurement),
      (r) => total(r) >= 1,
    );
    expect(total(rows)).toBe(1);
    expect(await stored(`${measurement}_p`)).toEqual([]);
    expect(logs.join('\n')).toMatch(/\d+ topic filters subscribed/);
    await sub.stop();
  });

  it('gives two organisations on one broker only their own messages, whatever filters were stored', async () => {
    // Two organisations: their references are their namespaces, the first level of topics.
    const [refA, refB] = [`a-${run}`, `b-${run}`];
    const [orgA, orgB] = [
      await node('Org A', null, 'organisation', refA),
      await node('Org B', null, 'organisation', refB),
    ];
    const [lakeA, lakeB] = [await node('lake A', orgA), await node('lake B', orgB)];
    // Each organisation its own measurement (the same key is the test below).
    const [measurementA, measurementB] = [`tenant_a_${run}`, `tenant_b_${run}`];
    const nodeA = await mqttPath(
      { topics: [`${refA}/plant1/+/telemetry`], topicTags: { '2': 'turbine' } },
      { parentId: orgA, destinationId: lakeA, name: `A plant ${run}` },
    );
    const nodeB = await mqttPath(
      { topics: [`${refB}/plant1/+/telemetry`], topicTags: { '2': 'turbine' } },
      { parentId: orgB, destinationId: lakeB, name: `B plant ${run}` },
    );
    // What B's operator stored before topics were namespaced: each would take some of A's
    // messages (the first is more specific than A's own filter, so it would win).
    const hijacks = [
      `${refA}/plant1/T07/telemetry`,
      '#',
      '+/plant1/+/telemetry',
      `$share/g-${run}/${refA}/#`,
    ];
    for (const [i, topic] of hijacks.entries())
      await mqttPath(
        { topics: [topic] },
        { parentId: orgB, destinationId: lakeB, name: `B hijack ${i} ${run}` },
      );
    // And A's own path of that time: not in A's namespace either.
    await mqttPath(
      { topics: ['plant1/legacy/+'] },
      { parentId: orgA, destinationId: lakeA, name: `A legacy ${run}` },
    );

    const { subscriber: sub, logs, stats } = subscriber(`sextant-test-f-${run}`);
    await sub.ready();
    const t = t0 + 3_600_000;
    const publish = (topic: string, measurement: string, value: number) =>
      publisher.publishAsync(
        topic,
        JSON.stringify({ measurement, fields: { power_kw: value }, time: t + value }),
        { qos: 1 },
      );
    await publish(`${refA}/plant1/T07/telemetry`, measurementA, 1);
    await publish(`${refA}/plant1/T01/telemetry`, measurementA, 2);
    await publish(`${refB}/plant1/T07/telemetry`, measurementB, 3);
    await publish(`${refA}/plant1/T07/telemetry`, measurementA, 4);
    const both = async () => [...(await stored(measurementA)), ...(await stored(measurementB))];
    const rows = await until(both, (r) => total(r) >= 4);
    // A's three messages are on A's node, B's one on B's: none crossed.
    expect(rows.map((r) => [r.node_id, r.tags, r.points])).toEqual([
      [nodeA, { turbine: 'T01' }, 1],
      [nodeA, { turbine: 'T07' }, 2],
      [nodeB, { turbine: 'T07' }, 1],
    ]);
    // Nothing arrives later through another path either.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(total(await both())).toBe(4);

    const text = logs.join('\n');
    for (const [i, topic] of hijacks.entries())
      expect(text).toContain(
        `path "B hijack ${i} ${run}" is not subscribed: settings.mqtt.topics[0]: ${JSON.stringify(topic)}`,
      );
    expect(text).toContain(
      `path "A legacy ${run}" is not subscribed: settings.mqtt.topics[0]: "plant1/legacy/+" is outside the organisation’s namespace: start it with ${refA}/ (for example "${refA}/plant1/legacy/+")`,
    );
    // The refusals show on the paths' statistics (the path page) too.
    const snapshot = stats.snapshot();
    for (const i of hijacks.keys())
      expect(snapshot.find((p) => p.pathName === `B hijack ${i} ${run}`)?.lastError).toMatch(
        /^settings\.mqtt\.topics\[0\]: /,
      );
    await sub.stop();
  });

  it('skips a path with unusable settings and says why', async () => {
    await mqttPath({ topics: [`${root}/#/b`] });
    const { subscriber: sub, logs, stats } = subscriber(`sextant-test-e-${run}`);
    await sub.ready();
    expect(logs.join('\n')).toContain(
      `is not subscribed: settings.mqtt.topics[0]: "${root}/#/b": # must be a whole level`,
    );
    expect(stats.snapshot().some((p) => /# must be a whole level/.test(p.lastError ?? ''))).toBe(
      true,
    );
  });

  it('keeps two organisations’ messages of one series key on their own series, types apart', async () => {
    const measurement = `shared_${run}`;
    // Two organisations, a machine each, an mqtt path from each machine.
    const machineOf = async (name: string) => {
      const organisation = await node(`${name} org`, null, 'organisation', `${name}-${run}`);
      const machine = await node(`${name}-t01`, organisation);
      await pool.query(`UPDATE node SET kind = 'machine' WHERE id = $1`, [machine]);
      await pool.query(
        `INSERT INTO path (id, name, source_id, destination_id, protocol, state, settings, updated_at)
         VALUES ($1, $2, $3, $4, 'mqtt', 'active', $5, now())`,
        [
          uuidv7(),
          `mqtt ${name}`,
          machine,
          organisation,
          JSON.stringify({ mqtt: { topics: [`${name}-${run}/#`] } }),
        ],
      );
      return machine;
    };
    const acme = await machineOf('acme');
    const rival = await machineOf('rival');
    const { subscriber: sub, logs } = subscriber(`sextant-test-f-${run}`);
    await sub.ready();
    const record = (field: string, value: number | string, i: number) =>
      JSON.stringify({
        measurement,
        tags: { site: 'north', turbine: 'T01' },
        fields: { [field]: value },
        time: t0 + i * 1000,
      });
    const publish = (name: string, payload: string) =>
      publisher.publishAsync(`${name}-${run}/telemetry`, payload, { qos: 1 });
    // ACME's float first; the rival writes the same key at the same times, and a string
    // where ACME's series of that key is a float.
    await publish('acme', record('wind_speed_ms', 5, 0));
    await publish('acme', record('wind_speed_ms', 6, 1));
    await publish('acme', record('gust', 1.5, 0));
    await publish('rival', record('wind_speed_ms', 123, 0));
    await publish('rival', record('gust', 'strong', 0));
    const rows = await until(
      () => stored(measurement),
      (r) => total(r) >= 5,
    );
    expect(total(rows)).toBe(5);
    // Then a float to the rival's own string series: refused, naming only its own type.
    await publish('rival', record('gust', 2.5, 1));
    await until(
      async () => logs.join('\n'),
      (text) => text.includes('1 record rejected'),
    );
    const { rows: series } = await pool.query<{ id: string; node_id: string; field: string }>(
      'SELECT id::text, node_id, field FROM series WHERE measurement = $1 ORDER BY field, node_id',
      [measurement],
    );
    const queries = new TimeSeriesQueries(new TimeSeriesStore(pool));
    const values = async (nodeId: string, field: string) => {
      const one = series.find((x) => x.node_id === nodeId && x.field === field)!;
      const raw = await queries.raw(BigInt(one.id), {
        from: BigInt(t0) * 1_000_000n,
        to: BigInt(t0 + 60_000) * 1_000_000n,
        limit: 10,
        order: 'asc',
      });
      return raw.points.values;
    };
    expect(series).toHaveLength(4); // 2 fields x 2 organisations
    expect(await values(acme, 'wind_speed_ms')).toEqual([5, 6]);
    expect(await values(rival, 'wind_speed_ms')).toEqual([123]);
    expect(await values(acme, 'gust')).toEqual([1.5]);
    expect(await values(rival, 'gust')).toEqual(['strong']);
    const text = logs.join('\n');
    expect(text).toMatch(/float value for a field stored as string/);
    expect(text).not.toMatch(/stored as float/);
    await sub.stop();
  });
});

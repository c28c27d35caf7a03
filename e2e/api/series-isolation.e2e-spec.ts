import { InfluxDB, Point } from '@influxdata/influxdb-client';
import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { inject } from '@sextant/testing';
import { api, uniqueRef } from '../support/http';
import { postToGateway } from '../support/ingest';

// Two organisations write the same series key (`<m>,site=north,turbine=T01 wind_speed_ms`)
// through their own path tokens, over every protocol, with real clients. Each organisation's
// points land on its own node's series, neither overwrites the other, and a type conflict
// in one neither affects nor reveals the other. The paths are made by each organisation's
// owner, as an attacker with an account of their own would.

interface Organisation {
  label: string;
  headers: Record<string, string>;
  rootId: string;
  machineId: string;
  machineReference: string;
  destinationId: string;
}

interface ListedSeries {
  id: string;
  nodeId: string;
  field: string;
  valueType: string;
}

const t0 = Date.parse('2026-11-20T00:00:00Z');
const tags = { site: 'north', turbine: 'T01' };

/** A bearer token of a demo owner (cookie sign-in, then a personal API token). */
async function ownerHeaders(email: string): Promise<Record<string, string>> {
  const owner = inject('demoUsers').find((u) => u.email === email)!;
  const signIn = await fetch(`${inject('apiUrl')}/api/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: owner.email, password: owner.password }),
  });
  expect(signIn.status).toBe(200);
  const cookies = signIn.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = cookies.find((c) => c.startsWith('sextant_csrf='))!.split('=')[1];
  const token = await api<{ token: string }>(
    'POST',
    '/api/auth/tokens',
    { name: 'series isolation e2e' },
    { authorization: '', cookie: cookies.join('; '), 'x-csrf-token': csrf },
  );
  expect(token.status).toBe(201);
  return { authorization: `Bearer ${token.body.token}` };
}

/** An organisation's owner, with a new machine under its root to write from. */
async function organisation(
  label: string,
  email: string,
  rootReference: string,
  destinationReference: string,
): Promise<Organisation> {
  const headers = await ownerHeaders(email);
  const nodes = await api<{ items: { id: string; reference: string }[] }>(
    'GET',
    '/api/nodes?limit=500',
    undefined,
    headers,
  );
  const id = (reference: string) => nodes.body.items.find((n) => n.reference === reference)!.id;
  const machineReference = uniqueRef(`${rootReference}.iso`);
  const machine = await api<{ id: string }>(
    'POST',
    '/api/nodes',
    {
      name: `Turbine ${machineReference}`,
      reference: machineReference,
      kind: 'machine',
      parentId: id(rootReference),
    },
    headers,
  );
  expect(machine.status).toBe(201);
  return {
    label,
    headers,
    rootId: id(rootReference),
    machineId: machine.body.id,
    machineReference,
    destinationId: id(destinationReference),
  };
}

/** A path of the organisation's machine and a token of it, made by its owner. */
async function pathOf(
  org: Organisation,
  protocol: string,
  mapping: Record<string, unknown> = {},
): Promise<{ pathId: string; token: string }> {
  const path = await api<{ id: string }>(
    'POST',
    '/api/paths',
    {
      name: uniqueRef(`${org.label} ${protocol}`),
      sourceId: org.machineId,
      destinationId: org.destinationId,
      protocol,
      mapping,
    },
    org.headers,
  );
  expect(path.status).toBe(201);
  const token = await api<{ token: string }>(
    'POST',
    `/api/paths/${path.body.id}/tokens`,
    { name: 'e2e' },
    org.headers,
  );
  expect(token.status).toBe(201);
  return { pathId: path.body.id, token: token.body.token };
}

async function seriesSeenBy(org: Organisation | null, measurement: string) {
  const reply = await api<{ items: ListedSeries[] }>(
    'GET',
    `/api/series?measurement=${encodeURIComponent(measurement)}&limit=100`,
    undefined,
    org?.headers ?? {},
  );
  expect(reply.status).toBe(200);
  return reply.body.items;
}

async function valuesOf(org: Organisation, id: string): Promise<unknown[]> {
  const reply = await api<{ points: { value: unknown }[] }>(
    'GET',
    `/api/series/${id}/points?from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z&limit=100`,
    undefined,
    org.headers,
  );
  expect(reply.status).toBe(200);
  return reply.body.points.map((p) => p.value);
}

/**
 * What each organisation and the platform see once ACME wrote wind speeds `acmeSpeeds` and
 * gusts `acmeGusts`, and the rival wind speed 123 and gusts `rivalGusts` of another type.
 */
async function expectApart(
  measurement: string,
  [acme, rival]: [Organisation, Organisation],
  expected: {
    acmeSpeeds: number[];
    acmeGusts: unknown[];
    rivalGusts: unknown[];
    types: [string, string];
  },
) {
  const acmeSeries = await seriesSeenBy(acme, measurement);
  const rivalSeries = await seriesSeenBy(rival, measurement);
  const one = (list: ListedSeries[], field: string) => list.find((x) => x.field === field)!;
  expect(acmeSeries.map((x) => [x.field, x.nodeId]).sort()).toEqual([
    ['gust', acme.machineId],
    ['wind_speed_ms', acme.machineId],
  ]);
  expect(rivalSeries.map((x) => [x.field, x.nodeId]).sort()).toEqual([
    ['gust', rival.machineId],
    ['wind_speed_ms', rival.machineId],
  ]);
  expect([one(acmeSeries, 'gust').valueType, one(rivalSeries, 'gust').valueType]).toEqual(
    expected.types,
  );
  expect(await valuesOf(acme, one(acmeSeries, 'wind_speed_ms').id)).toEqual(expected.acmeSpeeds);
  expect(await valuesOf(rival, one(rivalSeries, 'wind_speed_ms').id)).toEqual([123]);
  expect(await valuesOf(acme, one(acmeSeries, 'gust').id)).toEqual(expected.acmeGusts);
  expect(await valuesOf(rival, one(rivalSeries, 'gust').id)).toEqual(expected.rivalGusts);
  // Neither reaches the other's series by id.
  const foreign = await api(
    'GET',
    `/api/series/${one(acmeSeries, 'wind_speed_ms').id}/points?from=2026-11-19T00:00:00Z&to=2026-11-21T00:00:00Z`,
    undefined,
    rival.headers,
  );
  expect(foreign.status).toBe(404);
  // The latest point, by measurement: each its own.
  const last = async (org: Organisation) =>
    (
      await api<{ series: { nodeId: string }; value: unknown }[]>(
        'GET',
        `/api/series/last?measurement=${encodeURIComponent(measurement)}&field=wind_speed_ms`,
        undefined,
        org.headers,
      )
    ).body.map((p) => [p.series.nodeId, p.value]);
  expect(await last(acme)).toEqual([[acme.machineId, expected.acmeSpeeds.at(-1)]]);
  expect(await last(rival)).toEqual([[rival.machineId, 123]]);
  // The platform administrator sees both, and aggregates by tags without merging them.
  expect(await seriesSeenBy(null, measurement)).toHaveLength(4);
  const aggregate = await api<{
    groups: { organisationId: string; tags: Record<string, string>; series: number }[];
  }>('POST', '/api/series/aggregate', {
    measurement,
    field: 'wind_speed_ms',
    from: '2026-11-19T00:00:00Z',
    to: '2026-11-21T00:00:00Z',
    every: '2d',
    aggregates: ['count'],
    groupBy: ['turbine'],
  });
  expect(aggregate.status).toBe(200);
  expect(
    aggregate.body.groups
      .map((g) => [g.organisationId, g.tags, g.series])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  ).toEqual(
    [
      [acme.rootId, { turbine: 'T01' }, 1],
      [rival.rootId, { turbine: 'T01' }, 1],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );
  const owned = await api<{ groups: { organisationId: string }[] }>(
    'POST',
    '/api/series/aggregate',
    {
      measurement,
      field: 'wind_speed_ms',
      from: '2026-11-19T00:00:00Z',
      to: '2026-11-21T00:00:00Z',
      every: '2d',
      aggregates: ['count'],
      groupBy: ['turbine'],
    },
    rival.headers,
  );
  expect(owned.body.groups.map((g) => g.organisationId)).toEqual([rival.rootId]);
}

describe('series of two organisations with the same key', () => {
  let orgs: Promise<[Organisation, Organisation]> | null = null;
  // ACME and Skyline, the demo's two organisations, each through its owner.
  const both = () =>
    (orgs ??= Promise.all([
      organisation('acme', 'owner@acme.example', 'acme', 'acme.lake'),
      organisation('skyline', 'owner@skyline.example', 'skyline', 'skyline.archive'),
    ]));

  it('line protocol over HTTP (InfluxDB client): each on its own series', async () => {
    const [acme, rival] = await both();
    const measurement = uniqueRef('iso_line');
    const write = async (token: string, points: Point[]) => {
      const writer = new InfluxDB({ url: inject('ingestUrl'), token }).getWriteApi(
        'org',
        'bucket',
        'ns',
        { maxRetries: 0 },
      );
      writer.writePoints(points);
      await writer.close(); // resolves once the gateway answered 204
    };
    const point = (i: number) =>
      new Point(measurement)
        .tag('site', tags.site)
        .tag('turbine', tags.turbine)
        .timestamp(new Date(t0 + i * 10_000));
    const acmePath = await pathOf(acme, 'line');
    await write(
      acmePath.token,
      [5, 6, 7].map((v, i) => point(i).floatField('wind_speed_ms', v).floatField('gust', 1.5)),
    );
    // The rival's token, same key and times; its gust a string where ACME's is a float.
    const rivalPath = await pathOf(rival, 'line');
    await write(rivalPath.token, [
      point(0).floatField('wind_speed_ms', 123).stringField('gust', 'strong'),
    ]);
    // A float gust now conflicts with the rival's own string series, and says only that.
    const conflict = await postToGateway(
      '/api/v2/write?precision=s',
      `${measurement},site=north,turbine=T01 gust=2.5 ${BigInt(t0 / 1000) + 20n}`,
      { authorization: `Token ${rivalPath.token}` },
    );
    expect(conflict.status).toBe(400);
    const text = JSON.stringify(conflict.body);
    expect(text).toMatch(/float value for a field stored as string/);
    expect(text).not.toMatch(/stored as float/);
    await write(acmePath.token, [point(1).floatField('gust', 2.5)]);
    await expectApart(measurement, [acme, rival], {
      acmeSpeeds: [5, 6, 7],
      acmeGusts: [1.5, 2.5, 1.5],
      rivalGusts: ['strong'],
      types: ['float', 'string'],
    });
  });

  it('JSON over HTTP: each on its own series', async () => {
    const [acme, rival] = await both();
    const measurement = uniqueRef('iso_json');
    const post = (token: string, records: Record<string, unknown>[]) =>
      postToGateway('/api/v1/json', JSON.stringify(records), {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
      });
    const record = (i: number, fields: Record<string, unknown>) => ({
      measurement,
      tags,
      fields,
      time: new Date(t0 + i * 10_000).toISOString(),
    });
    const acmeToken = (await pathOf(acme, 'http')).token;
    const rivalToken = (await pathOf(rival, 'http')).token;
    const acmeWrite = await post(
      acmeToken,
      [5, 6, 7].map((v, i) => record(i, { wind_speed_ms: v, gust: 1.5 })),
    );
    expect(acmeWrite.status).toBe(204);
    const rivalWrite = await post(rivalToken, [record(0, { wind_speed_ms: 123, gust: 'strong' })]);
    expect(rivalWrite.status).toBe(204);
    const conflict = await post(rivalToken, [record(2, { gust: 2.5 })]);
    expect(conflict.status).toBe(400);
    const text = JSON.stringify(conflict.body);
    expect(text).toMatch(/float value for a field stored as string/);
    expect(text).not.toMatch(/stored as float/);
    expect((await post(acmeToken, [record(1, { gust: 2.5 })])).status).toBe(204);
    await expectApart(measurement, [acme, rival], {
      acmeSpeeds: [5, 6, 7],
      acmeGusts: [1.5, 2.5, 1.5],
      rivalGusts: ['strong'],
      types: ['float', 'string'],
    });
  });

  it('fluentd forward (fluent-logger): each on its own series, a tag cannot steer to the other', async () => {
    const [acme, rival] = await both();
    const measurement = uniqueRef('iso_forward');
    const forward = { measurement, tags: ['site', 'turbine'] };
    const acmePath = await pathOf(acme, 'forward', { forward });
    // The rival's mapping names ACME's machine for the tag it sends: the rule is ignored.
    const rivalPath = await pathOf(rival, 'forward', {
      forward: { ...forward, nodes: { 'steal.*': acme.machineReference } },
    });
    /** Records at t0 + i × 10 s. */
    const send = async (
      token: string,
      tag: string,
      records: [number, Record<string, unknown>][],
    ) => {
      // fluent-logger is CommonJS without types.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { createFluentSender } = require('fluent-logger') as {
        createFluentSender: (
          tag: string,
          options: Record<string, unknown>,
        ) => {
          emit: (
            label: string,
            data: object,
            time: number,
            callback: (error?: Error) => void,
          ) => void;
          end: () => void;
          on: (event: string, listener: (error: Error) => void) => void;
        };
      };
      const sender = createFluentSender(tag, {
        host: '127.0.0.1',
        port: inject('ingestForwardPort'),
        requireAckResponse: true,
        ackResponseTimeout: 10_000,
        // The forward shared key of a path token: its sha256, hex.
        security: {
          clientHostname: 'e2e-isolation',
          sharedKey: createHash('sha256').update(token).digest('hex'),
        },
        internalLogger: { info: () => undefined, error: () => undefined },
      });
      sender.on('error', () => undefined);
      for (const [i, record] of records)
        await new Promise<void>((resolve, reject) =>
          sender.emit('', { ...tags, ...record }, Math.floor(t0 / 1000) + i * 10, (error) =>
            error ? reject(error) : resolve(),
          ),
        );
      sender.end();
    };
    await send(
      acmePath.token,
      'acme.scada',
      [5, 6, 7].map((v, i) => [i, { wind_speed_ms: v, gust: 1.5 }]),
    );
    // Forward has no string fields: the rival's gust is a boolean where ACME's is a float.
    await send(rivalPath.token, 'steal.scada', [[0, { wind_speed_ms: 123, gust: true }]]);
    await send(rivalPath.token, 'steal.scada', [[1, { gust: 2.5 }]]);
    // The conflict shows in the rival's own path status, naming its own series' type only.
    let lastError = '';
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      const status = await api<{ lastError: string | null }>(
        'GET',
        `/api/paths/${rivalPath.pathId}/ingest-status`,
        undefined,
        rival.headers,
      );
      lastError = status.body.lastError ?? '';
      if (lastError) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(lastError).toMatch(/float value for a field stored as boolean/);
    expect(lastError).not.toMatch(/stored as float/);
    await send(acmePath.token, 'acme.scada', [[1, { gust: 2.5 }]]);
    await expectApart(measurement, [acme, rival], {
      acmeSpeeds: [5, 6, 7],
      acmeGusts: [1.5, 2.5, 1.5],
      rivalGusts: [true],
      types: ['float', 'boolean'],
    });
  });
});

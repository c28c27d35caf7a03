import { freePort } from '@sextant/db';
import { ManagedProcess, startProcess, waitForLine } from '@sextant/stack';
import path from 'node:path';
import { expect } from '@jest/globals';
import { inject } from '@sextant/testing';
import { api } from './http';
import { lakeNodeId, newNode } from './nodes';

interface Created {
  id: string;
}

/** A path token as the API returns it once, at creation. */
export interface PathToken {
  id: string;
  token: string;
  prefix: string;
}

/** A new sensor node, a path from it to ACME's lake, and a token of that path. */
export async function pathWithToken(
  settings: Record<string, unknown> = {},
  protocol = 'line',
): Promise<{ nodeId: string; pathId: string; token: PathToken; measurement: string }> {
  const lakeId = await lakeNodeId();
  const node = await newNode('e2e.sensor', 'sensor', 'Sensor');
  const reference = node.reference;
  const path = await api<Created>('POST', '/api/paths', {
    name: `${reference} ${protocol}`,
    sourceId: node.id,
    destinationId: lakeId,
    protocol,
    mapping: { fields: { wind_speed_ms: 'wind.speed' } },
    settings,
  });
  expect(path.status).toBe(201);
  const token = await api<PathToken>('POST', `/api/paths/${path.body.id}/tokens`, {
    name: 'e2e',
  });
  expect(token.status).toBe(201);
  return { nodeId: node.id, pathId: path.body.id, token: token.body, measurement: reference };
}

const root = path.resolve(__dirname, '../..');

/** A series as the API lists it. */
export interface ListedSeries {
  id: string;
  nodeId: string;
  resourceId: string;
  measurement: string;
  tags: Record<string, string>;
  field: string;
  valueType: string;
}

/** The series of a measurement, by field and then tags. */
export async function seriesOf(measurement: string): Promise<ListedSeries[]> {
  const reply = await api<{ items: ListedSeries[] }>(
    'GET',
    `/api/series?measurement=${encodeURIComponent(measurement)}&limit=500`,
  );
  return reply.body.items.sort((a, b) =>
    `${a.field} ${JSON.stringify(a.tags)}`.localeCompare(`${b.field} ${JSON.stringify(b.tags)}`),
  );
}

/** Every point of a series (up to 100,000). */
export async function pointsOf(id: string): Promise<{ time: string; value: unknown }[]> {
  const reply = await api<{ points: { time: string; value: unknown }[] }>(
    'GET',
    `/api/series/${id}/points?from=1970-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&limit=100000`,
  );
  return reply.body.points;
}

/** A POST to the e2e stack's gateway, with its JSON answer (null for none). */
export async function postToGateway(
  path: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> | null }> {
  const response = await fetch(`${inject('ingestUrl')}${path}`, { method: 'POST', body, headers });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

/** A gateway process of a test's own (see startGateway). */
export interface OwnGateway {
  process: ManagedProcess;
  httpPort: number;
  forwardPort: number;
  /** Everything it printed, a line each. */
  logs: string[];
}

/**
 * A gateway of the test's own on the e2e stack's database (from the build), so that a test
 * may kill it or give it other settings. `env` overrides the configuration.
 */
export async function startGateway(env: Record<string, string> = {}): Promise<OwnGateway> {
  const httpPort = Number(env.INGEST_HTTP_PORT ?? (await freePort()));
  const forwardPort = Number(env.INGEST_FORWARD_PORT ?? (await freePort()));
  const logs: string[] = [];
  const gateway = startProcess(
    'ingest',
    process.execPath,
    [path.join(root, 'dist/apps/ingest/src/main.js')],
    {
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: inject('databaseUrl'),
      INGEST_HOST: '127.0.0.1',
      MQTT_URL: '',
      ...env,
      INGEST_HTTP_PORT: String(httpPort),
      INGEST_FORWARD_PORT: String(forwardPort),
    },
    root,
    (line) => logs.push(line),
  );
  await waitForLine(gateway, 'ingest ready', 30_000).catch((error: Error) => {
    throw new Error(`${error.message}\n${logs.join('\n')}`);
  });
  return { process: gateway, httpPort, forwardPort, logs };
}

/**
 * Whether the gateway prints a line matching `pattern` within `timeoutMs`: its output comes
 * through a pipe, a moment after what it did.
 */
export async function logged(
  gateway: OwnGateway,
  pattern: RegExp,
  timeoutMs = 5_000,
): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if (gateway.logs.some((line) => pattern.test(line))) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

import { freePort } from '@sextant/db';
import { ManagedProcess, startProcess, waitForLine } from '@sextant/stack';
import path from 'node:path';
import { expect, inject } from 'vitest';
import { api, uniqueRef } from './http';

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
  const nodes = await api<{ items: (Created & { reference: string })[] }>(
    'GET',
    '/api/nodes?limit=500',
  );
  const lake = nodes.body.items.find((n) => n.reference === 'acme.lake')!;
  const reference = uniqueRef('e2e.sensor');
  const node = await api<Created>('POST', '/api/nodes', {
    name: `Sensor ${reference}`,
    reference,
    kind: 'sensor',
  });
  expect(node.status).toBe(201);
  const path = await api<Created>('POST', '/api/paths', {
    name: `${reference} ${protocol}`,
    sourceId: node.body.id,
    destinationId: lake.id,
    protocol,
    mapping: { fields: { wind_speed_ms: 'wind.speed' } },
    settings,
  });
  expect(path.status).toBe(201);
  const token = await api<PathToken>('POST', `/api/paths/${path.body.id}/tokens`, {
    name: 'e2e',
  });
  expect(token.status).toBe(201);
  return { nodeId: node.body.id, pathId: path.body.id, token: token.body, measurement: reference };
}

const root = path.resolve(__dirname, '../..');

/**
 * A gateway of the test's own on the e2e stack's database (from the build), so that a test
 * may kill it or give it other limits. `env` overrides the configuration.
 */
export async function startGateway(
  env: Record<string, string>,
  log: string[],
): Promise<ManagedProcess> {
  const gateway = startProcess(
    'ingest',
    process.execPath,
    [path.join(root, 'dist/apps/ingest/src/main.js')],
    {
      ...process.env,
      DATABASE_URL: inject('databaseUrl'),
      INGEST_HTTP_PORT: String(await freePort()),
      INGEST_FORWARD_PORT: String(await freePort()),
      INGEST_HOST: '127.0.0.1',
      MQTT_URL: '',
      ...env,
    },
    root,
    (line) => log.push(line),
  );
  await waitForLine(gateway, 'ingest ready', 30_000);
  return gateway;
}

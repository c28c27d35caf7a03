import { expect } from 'vitest';
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

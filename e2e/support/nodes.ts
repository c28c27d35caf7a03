import { expect } from '@jest/globals';
import { api, uniqueRef } from './http';

/** The demo data's lake node (acme.lake), where the e2e paths lead. */
export async function lakeNodeId(): Promise<string> {
  const nodes = await api<{ items: { id: string; reference: string }[] }>(
    'GET',
    '/api/nodes?limit=500',
  );
  return nodes.body.items.find((n) => n.reference === 'acme.lake')!.id;
}

/** A new node of `kind`, named and referenced uniquely in the run from `prefix`. */
export async function newNode(
  prefix: string,
  kind: string,
  label: string,
): Promise<{ id: string; reference: string }> {
  const reference = uniqueRef(prefix);
  const node = await api<{ id: string }>('POST', '/api/nodes', {
    name: `${label} ${reference}`,
    reference,
    kind,
  });
  expect(node.status).toBe(201);
  return { id: node.body.id, reference };
}

import { describe, expect, it } from '@jest/globals';
import { api, graphql, uniqueRef } from '../support/http';

interface Node {
  id: string;
  parentId: string | null;
  name: string;
  reference: string;
  kind: string;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describe('the started API', () => {
  it('reports a healthy database', async () => {
    const reply = await api<{ status: string; database: { status: string; migrations: number } }>(
      'GET',
      '/api/health',
    );
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe('ok');
    expect(reply.body.database.status).toBe('up');
    expect(reply.body.database.migrations).toBeGreaterThanOrEqual(1);
  });

  it('serves the OpenAPI document', async () => {
    const reply = await api<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/api/docs/openapi.json',
    );
    expect(reply.status).toBe(200);
    expect(reply.body.paths['/api/movements']).toBeDefined();
  });

  it('returns the demo organisations with their sites and turbines over GraphQL', async () => {
    // Children hold up to 10,000 nodes each: nested in a page they ask for fewer (the cost limit).
    const reply = await graphql<{
      nodes: Page<{
        reference: string;
        children: { reference: string; kind: string; children: { reference: string }[] }[];
      }>;
    }>(`
      {
        nodes(kind: organisation, limit: 50) {
          items {
            reference
            name
            children(limit: 20) {
              reference
              kind
              children(limit: 40) {
                reference
              }
            }
          }
        }
      }
    `);
    expect(reply.errors).toBeUndefined();
    const acme = reply.data!.nodes.items.find((n) => n.reference === 'acme')!;
    const farm = acme.children.find((c) => c.reference === 'acme.north')!;
    expect(farm.kind).toBe('site');
    expect(farm.children.map((t) => t.reference)).toContain('acme.north.t07');
    expect(farm.children).toHaveLength(12);
  });

  it('creates, reads, updates and deletes a node', async () => {
    const reference = uniqueRef('crud');
    const created = await api<Node>('POST', '/api/nodes', {
      kind: 'organisation',
      name: 'CRUD Org',
      reference,
      metadata: { tier: 'gold' },
    });
    expect(created.status).toBe(201);
    const fetched = await api<Node & { metadata: object }>('GET', `/api/nodes/${created.body.id}`);
    expect(fetched.body).toMatchObject({ reference, name: 'CRUD Org', metadata: { tier: 'gold' } });
    const renamed = await api<Node>('PATCH', `/api/nodes/${created.body.id}`, {
      name: 'Renamed Org',
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('Renamed Org');
    expect((await api('DELETE', `/api/nodes/${created.body.id}`)).status).toBe(204);
    expect((await api('GET', `/api/nodes/${created.body.id}`)).status).toBe(404);
  });

  it('answers tree queries: children, ancestors (root first) and subtree with depths', async () => {
    const turbine = (await api<Page<Node>>('GET', '/api/nodes?q=acme.north.t03')).body.items[0];
    const ancestors = await api<{ items: Node[] }>('GET', `/api/nodes/${turbine.id}/ancestors`);
    expect(ancestors.body.items.map((n) => n.reference)).toEqual(['acme', 'acme.north']);
    const acme = ancestors.body.items[0];
    const children = await api<{ items: Node[] }>('GET', `/api/nodes/${acme.id}/children`);
    expect(children.body.items.map((n) => n.reference)).toContain('acme.north');
    const subtree = await api<{ items: (Node & { depth: number })[] }>(
      'GET',
      `/api/nodes/${acme.id}/subtree`,
    );
    expect(subtree.body.items[0]).toMatchObject({ reference: 'acme', depth: 0 });
    expect(subtree.body.items.find((n) => n.reference === 'acme.north.t03')?.depth).toBe(2);
  });

  it('pages through a list with cursors, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/nodes?limit=7&sort=reference${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page<Node> = (await api<Page<Node>>('GET', query)).body;
      seen.push(...page.items.map((n) => n.reference));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 100);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    // the demo alone has 31 nodes: at least 5 pages of 7
    expect(pages).toBeGreaterThanOrEqual(5);
  });

  it('filters movements and sums them per resource and day over a subtree', async () => {
    const farm = (await api<Page<Node>>('GET', '/api/nodes?q=acme.north&kind=site')).body.items[0];
    const t01 = (await api<Page<Node>>('GET', '/api/nodes?q=acme.north.t01')).body.items[0];
    const movements = await api<Page<{ sourceId: string; quantity: string; start: string }>>(
      'GET',
      `/api/movements?nodeId=${t01.id}&nodeRole=source&limit=100`,
    );
    expect(movements.body.items.length).toBeGreaterThan(0);
    expect(movements.body.items.every((m) => m.sourceId === t01.id)).toBe(true);
    const starts = movements.body.items.map((m) => m.start);
    expect(starts).toEqual([...starts].sort().reverse()); // newest first

    const summary = await api<{
      rows: { resourceReference: string; day: string; quantity: string; movements: number }[];
    }>('GET', `/api/nodes/${farm.id}/movement-summary`);
    expect(summary.status).toBe(200);
    const vibration = summary.body.rows.filter((r) => r.resourceReference === 'vibration.rms');
    expect(vibration.length).toBeGreaterThanOrEqual(29);
    // one movement per turbine and day: 12 turbines
    expect(vibration.every((r) => r.movements === 12)).toBe(true);
  });

  it('records a movement once however often it is retried with the same external id', async () => {
    const nodes = (await api<Page<Node>>('GET', '/api/nodes?q=skyline&limit=10')).body.items;
    const scope = nodes.find((n) => n.reference === 'skyline.summit.scope1')!;
    const archive = nodes.find((n) => n.reference === 'skyline.archive')!;
    const resource = (await api<Page<{ id: string }>>('GET', '/api/resources?q=lightcurve')).body
      .items[0];
    const movement = {
      resourceId: resource.id,
      sourceId: scope.id,
      destinationId: archive.id,
      quantity: '14400',
      start: '2026-11-20T00:00:00Z',
      stop: '2026-11-20T04:00:00Z',
      origin: 'analysis',
      externalId: uniqueRef('run'),
    };
    const first = await api<{ id: string }>('POST', '/api/movements', movement);
    const retry = await api<{ id: string }>('POST', '/api/movements', movement);
    expect(first.status).toBe(201);
    expect(retry.body.id).toBe(first.body.id);
    const conflicting = await api<{ code: string }>('POST', '/api/movements', {
      ...movement,
      quantity: '1',
    });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body.code).toBe('DuplicateMovement');
  });

  it('creates and lists paths, resources and items over GraphQL', async () => {
    const refs = {
      org: uniqueRef('gql'),
      resource: uniqueRef('gql.res'),
      item: uniqueRef('gql.item'),
    };
    const org = await graphql<{ createNode: { id: string } }>(
      `mutation { createNode(input: {kind: organisation, name: "GQL Org", reference: "${refs.org}"}) { id } }`,
    );
    const site = await graphql<{ createNode: { id: string } }>(
      `mutation($p: ID) { createNode(input: {kind: site, name: "GQL Site", reference: "${uniqueRef('gql')}", parentId: $p}) { id } }`,
      { p: org.data!.createNode.id },
    );
    const path = await graphql<{ createPath: { id: string; state: string } }>(
      `
        mutation ($s: ID!, $d: ID!, $settings: JSONObject) {
          createPath(
            input: {
              name: "GQL path"
              sourceId: $s
              destinationId: $d
              protocol: mqtt
              settings: $settings
            }
          ) {
            id
            state
          }
        }
      `,
      // MQTT topics start with the organisation's reference.
      {
        s: site.data!.createNode.id,
        d: org.data!.createNode.id,
        settings: { mqtt: { topics: [`${refs.org}/fleet/#`] } },
      },
    );
    expect(path.errors).toBeUndefined();
    expect(path.data!.createPath.state).toBe('active');
    const resource = await graphql<{ createResource: { unitPrice: string } }>(
      `mutation { createResource(input: {reference: "${refs.resource}", name: "R", unit: "kW", valueType: float, unitPrice: "0.00025"}) { unitPrice } }`,
    );
    expect(resource.data!.createResource.unitPrice).toBe('0.00025');
    const item = await graphql<{ createItem: { reference: string } }>(
      `mutation($o: ID!) { createItem(input: {kind: licence, reference: "${refs.item}", name: "L", ownerId: $o}) { reference } }`,
      { o: org.data!.createNode.id },
    );
    expect(item.data!.createItem.reference).toBe(refs.item);
    const paths = await graphql<{ paths: Page<{ id: string }> }>(
      `
        query ($n: ID) {
          paths(nodeId: $n) {
            items {
              id
            }
          }
        }
      `,
      { n: site.data!.createNode.id },
    );
    expect(paths.data!.paths.items.map((p) => p.id)).toEqual([path.data!.createPath.id]);
  });
});

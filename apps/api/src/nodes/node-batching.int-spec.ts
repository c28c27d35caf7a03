import { randomUUID } from 'node:crypto';
import { createTestDatabase } from '@sextant/testing';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PrismaService } from '../prisma/prisma.service';
import { openApiTestBed, type ApiTestBed, type TestNode } from '../testing/api-harness';

// GraphQL resolves a node's parent, children and ancestors one node at a time, and the guard
// checks each parent: unbatched, a page of sites with their machines costs a few statements per
// node (N+1). Batched, the statements of one request do not grow with the number of nodes.

const org = randomUUID();
const sites = Array.from({ length: 10 }, (_, s) => ({
  id: randomUUID(),
  name: `site-${String(s).padStart(2, '0')}`,
  machines: Array.from({ length: 10 }, (_, m) => `m-${String(s).padStart(2, '0')}-${m}`),
}));
const nodes: TestNode[] = [[org, null, 'organisation', 'batch']];
for (const site of sites) {
  nodes.push([site.id, org, 'site', site.name]);
  for (const machine of site.machines) nodes.push([randomUUID(), site.id, 'machine', machine]);
}

const query = `{ nodes(kind: site, limit: 10, sort: "name") { items {
  name parent { name } ancestors { name }
  children(limit: 10) { name parent { name } ancestors { name } }
} } }`;

interface Site {
  name: string;
  parent: { name: string } | null;
  ancestors: { name: string }[];
  children: { name: string; parent: { name: string } | null; ancestors: { name: string }[] }[];
}

describe('GraphQL node relatives, batched', () => {
  let bed: ApiTestBed;
  let statements = 0;

  beforeAll(async () => {
    bed = await openApiTestBed(await createTestDatabase('node-batching'), {
      nodes,
      members: [
        ['owner@batch.test', org, 'owner'],
        ['viewer@batch.test', sites[3].id, 'viewer'],
      ],
    });
    const pool = bed.api.app.get(PrismaService).pool;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    pool.query = ((...args: unknown[]) => {
      statements++;
      return query(...args);
    }) as typeof pool.query;
  });

  afterAll(() => bed?.close());

  async function read(email: string) {
    await bed.api.graphql(query, {}, bed.tokens[email]); // warms the credential cache
    statements = 0;
    const answer = await bed.api.graphql<{ nodes: { items: Site[] } }>(
      query,
      {},
      bed.tokens[email],
    );
    expect(answer.body.errors).toBeUndefined();
    return { sites: answer.body.data!.nodes.items, statements };
  }

  it('reads 10 sites and 100 machines with their relatives in a few statements', async () => {
    const { sites: read_, statements } = await read('owner@batch.test');
    expect(read_.map((s) => s.name)).toEqual(sites.map((s) => s.name));
    for (const [i, site] of read_.entries()) {
      expect(site.parent).toEqual({ name: 'batch' });
      expect(site.ancestors).toEqual([{ name: 'batch' }]);
      expect(site.children.map((c) => c.name)).toEqual(sites[i].machines);
      for (const child of site.children) {
        expect(child.parent).toEqual({ name: site.name });
        expect(child.ancestors).toEqual([{ name: 'batch' }, { name: site.name }]);
      }
    }
    // 221 relatives resolved; one by one that is several hundred statements.
    expect(statements).toBeLessThan(25);
  });

  it('still hides the relatives a member may not see', async () => {
    const { sites: read_, statements } = await read('viewer@batch.test');
    expect(read_.map((s) => s.name)).toEqual([sites[3].name]);
    expect(read_[0].parent).toBeNull();
    expect(read_[0].ancestors).toEqual([]);
    expect(read_[0].children.map((c) => c.name)).toEqual(sites[3].machines);
    for (const child of read_[0].children) {
      expect(child.parent).toEqual({ name: sites[3].name });
      expect(child.ancestors).toEqual([{ name: sites[3].name }]);
    }
    expect(statements).toBeLessThan(25);
  });
});

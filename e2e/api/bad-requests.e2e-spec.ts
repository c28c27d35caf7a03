import { beforeAll, describe, expect, it } from '@jest/globals';
import { api, graphql, uniqueRef } from '../support/http';

// Every client mistake gets a 4xx naming what was wrong, over REST and GraphQL alike.

const missing = '01a20000-0000-7000-8000-000000000000';
let org: { id: string; reference: string };
let site: { id: string };
let turbine: { id: string };
let resource: { id: string; reference: string };

beforeAll(async () => {
  org = (
    await api<{ id: string; reference: string }>('POST', '/api/nodes', {
      kind: 'organisation',
      name: 'Bad Requests Ltd',
      reference: uniqueRef('badreq'),
    })
  ).body;
  site = (
    await api<{ id: string }>('POST', '/api/nodes', {
      kind: 'site',
      name: 'Site',
      reference: uniqueRef('badreq-site'),
      parentId: org.id,
    })
  ).body;
  turbine = (
    await api<{ id: string }>('POST', '/api/nodes', {
      kind: 'machine',
      name: 'T1',
      reference: uniqueRef('badreq-t'),
      parentId: site.id,
    })
  ).body;
  resource = (
    await api<{ id: string; reference: string }>('POST', '/api/resources', {
      reference: uniqueRef('badreq.res'),
      name: 'R',
      unit: 'm/s',
      valueType: 'float',
    })
  ).body;
  // A movement on the turbine, so that deleting it is refused.
  const movement = await api('POST', '/api/movements', {
    resourceId: resource.id,
    sourceId: turbine.id,
    destinationId: org.id,
    quantity: 5,
    start: '2026-11-21T00:00:00Z',
    stop: '2026-11-22T00:00:00Z',
  });
  expect(movement.status).toBe(201);
});

interface RestCase {
  name: string;
  method: string;
  path: () => string;
  body?: () => unknown;
  status: number;
  code: string;
  field?: string;
  message: RegExp;
}

const restCases: RestCase[] = [
  {
    name: 'wrong type',
    method: 'POST',
    path: () => '/api/nodes',
    body: () => ({ kind: 'site', name: 42, reference: uniqueRef('x') }),
    status: 400,
    code: 'ValidationFailed',
    field: 'name',
    message: /must be a string/,
  },
  {
    name: 'missing field',
    method: 'POST',
    path: () => '/api/resources',
    body: () => ({ reference: uniqueRef('r'), name: 'R', valueType: 'float' }),
    status: 400,
    code: 'ValidationFailed',
    field: 'unit',
    message: /unit: must be a string/,
  },
  {
    name: 'unknown id',
    method: 'GET',
    path: () => `/api/nodes/${missing}`,
    status: 404,
    code: 'NodeNotFound',
    message: /no node with id/,
  },
  {
    name: 'malformed id',
    method: 'GET',
    path: () => '/api/paths/not-a-uuid',
    status: 400,
    code: 'ValidationFailed',
    field: 'id',
    message: /must be a UUID/,
  },
  {
    name: 'a node made its own ancestor',
    method: 'PATCH',
    path: () => `/api/nodes/${org.id}`,
    body: () => ({ parentId: turbine.id }),
    status: 400,
    code: 'NodeCycle',
    field: 'parentId',
    message: /lies below this node/,
  },
  {
    name: 'a node made its own parent',
    method: 'PATCH',
    path: () => `/api/nodes/${site.id}`,
    body: () => ({ parentId: site.id }),
    status: 400,
    code: 'NodeCycle',
    field: 'parentId',
    message: /own parent/,
  },
  {
    name: 'duplicate reference',
    method: 'POST',
    path: () => '/api/nodes',
    body: () => ({ kind: 'site', name: 'Copy', reference: org.reference }),
    status: 409,
    code: 'ReferenceTaken',
    field: 'reference',
    message: /already uses this value/,
  },
  {
    name: 'movement with stop before start',
    method: 'POST',
    path: () => '/api/movements',
    body: () => ({
      resourceId: resource.id,
      sourceId: turbine.id,
      destinationId: org.id,
      quantity: 1,
      start: '2026-11-22T00:00:00Z',
      stop: '2026-11-21T00:00:00Z',
    }),
    status: 400,
    code: 'ValidationFailed',
    field: 'stop',
    message: /must not be before start/,
  },
  {
    name: 'negative quantity',
    method: 'POST',
    path: () => '/api/movements',
    body: () => ({
      resourceId: resource.id,
      sourceId: turbine.id,
      destinationId: org.id,
      quantity: -3,
      start: '2026-11-21T00:00:00Z',
      stop: '2026-11-22T00:00:00Z',
    }),
    status: 400,
    code: 'ValidationFailed',
    field: 'quantity',
    message: /may be negative only in a correction/,
  },
  {
    name: 'a path from a node to itself',
    method: 'POST',
    path: () => '/api/paths',
    body: () => ({ name: 'loop', sourceId: site.id, destinationId: site.id, protocol: 'line' }),
    status: 400,
    code: 'PathLoop',
    field: 'destinationId',
    message: /must differ from sourceId/,
  },
  {
    name: 'a path to an unknown node',
    method: 'POST',
    path: () => '/api/paths',
    body: () => ({ name: 'p', sourceId: site.id, destinationId: missing, protocol: 'line' }),
    status: 400,
    code: 'ValidationFailed',
    field: 'destinationId',
    message: /no node with id/,
  },
  {
    name: 'oversized string',
    method: 'POST',
    path: () => '/api/nodes',
    body: () => ({ kind: 'site', name: 'n'.repeat(201), reference: uniqueRef('x') }),
    status: 400,
    code: 'ValidationFailed',
    field: 'name',
    message: /shorter than or equal to 200 characters/,
  },
  {
    name: 'unknown enum value',
    method: 'POST',
    path: () => '/api/nodes',
    body: () => ({ kind: 'planet', name: 'Mars', reference: uniqueRef('x') }),
    status: 400,
    code: 'ValidationFailed',
    field: 'kind',
    message: /must be one of organisation, site/,
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: () => '/api/items',
    body: () => ({
      kind: 'sensor',
      name: 'S',
      reference: uniqueRef('s'),
      ownerId: site.id,
      colour: 'red',
    }),
    status: 400,
    code: 'ValidationFailed',
    field: 'colour',
    message: /should not exist/,
  },
  {
    name: 'invalid JSON',
    method: 'POST',
    path: () => '/api/nodes',
    body: () => '{"kind": "site",',
    status: 400,
    code: 'InvalidJson',
    message: /not valid JSON/,
  },
  {
    name: 'limit too large',
    method: 'GET',
    path: () => '/api/movements?limit=100000',
    status: 400,
    code: 'ValidationFailed',
    field: 'limit',
    message: /must not be greater than 500/,
  },
  {
    name: 'forged cursor',
    method: 'GET',
    path: () => '/api/nodes?cursor=abc',
    status: 400,
    code: 'InvalidCursor',
    field: 'cursor',
    message: /not a cursor/,
  },
  {
    name: 'unknown sort field',
    method: 'GET',
    path: () => '/api/nodes?sort=colour',
    status: 400,
    code: 'ValidationFailed',
    field: 'sort',
    message: /must be one of/,
  },
  {
    name: 'bad date in a filter',
    method: 'GET',
    path: () => '/api/movements?from=yesterday',
    status: 400,
    code: 'ValidationFailed',
    field: 'from',
    message: /ISO 8601/,
  },
  {
    name: 'deleting a node that has movements',
    method: 'DELETE',
    path: () => `/api/nodes/${turbine.id}`,
    status: 409,
    code: 'NodeHasMovements',
    message: /has 1 movements/,
  },
  {
    name: 'deleting a node that has children',
    method: 'DELETE',
    path: () => `/api/nodes/${site.id}`,
    status: 409,
    code: 'NodeHasChildren',
    message: /child nodes/,
  },
  {
    name: 'unknown route',
    method: 'GET',
    path: () => '/api/planets',
    status: 404,
    code: 'RouteNotFound',
    message: /Cannot GET/,
  },
];

describe('bad requests over REST', () => {
  it.each(restCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const reply = await api<{
      statusCode: number;
      code: string;
      message: string;
      errors?: { field: string; reason: string }[];
    }>(c.method, c.path(), c.body?.());
    expect(reply.status).toBe(c.status);
    expect(reply.body.statusCode).toBe(c.status);
    expect(reply.body.code).toBe(c.code);
    expect(reply.body.message).toMatch(c.message);
    if (c.field) expect(reply.body.errors?.map((e) => e.field)).toContain(c.field);
  });
});

interface GraphqlCase {
  name: string;
  query: () => string;
  status: number;
  code: string;
  field?: string;
  message: RegExp;
}

const graphqlCases: GraphqlCase[] = [
  {
    name: 'wrong type',
    query: () =>
      `mutation { createNode(input: {kind: site, name: 42, reference: "${uniqueRef('g')}"}) { id } }`,
    status: 400,
    code: 'GraphqlValidationFailed',
    message: /String cannot represent a non string value/,
  },
  {
    name: 'missing field',
    query: () =>
      `mutation { createResource(input: {reference: "${uniqueRef('g')}", name: "R", valueType: float}) { id } }`,
    status: 400,
    code: 'GraphqlValidationFailed',
    message: /CreateResourceInput.unit" of required type "String!" was not provided/,
  },
  {
    name: 'unknown id',
    query: () => `{ node(id: "${missing}") { id } }`,
    status: 404,
    code: 'NodeNotFound',
    message: /no node with id/,
  },
  {
    name: 'malformed id',
    query: () => '{ path(id: "nope") { id } }',
    status: 400,
    code: 'ValidationFailed',
    field: 'id',
    message: /must be a UUID/,
  },
  {
    name: 'a node made its own ancestor',
    query: () =>
      `mutation { updateNode(id: "${org.id}", input: {parentId: "${turbine.id}"}) { id } }`,
    status: 400,
    code: 'NodeCycle',
    field: 'parentId',
    message: /lies below this node/,
  },
  {
    name: 'duplicate reference',
    query: () =>
      `mutation { createNode(input: {kind: site, name: "Copy", reference: "${org.reference}"}) { id } }`,
    status: 409,
    code: 'ReferenceTaken',
    field: 'reference',
    message: /already uses this value/,
  },
  {
    name: 'movement with stop before start',
    query: () =>
      `mutation { createMovement(input: {resourceId: "${resource.id}", sourceId: "${turbine.id}", destinationId: "${org.id}", quantity: "1", start: "2026-11-22T00:00:00Z", stop: "2026-11-21T00:00:00Z"}) { id } }`,
    status: 400,
    code: 'ValidationFailed',
    field: 'stop',
    message: /must not be before start/,
  },
  {
    name: 'a path from a node to itself',
    query: () =>
      `mutation { createPath(input: {name: "loop", sourceId: "${site.id}", destinationId: "${site.id}", protocol: line}) { id } }`,
    status: 400,
    code: 'PathLoop',
    field: 'destinationId',
    message: /must differ from sourceId/,
  },
  {
    name: 'oversized string',
    query: () =>
      `mutation { createNode(input: {kind: site, name: "${'n'.repeat(201)}", reference: "${uniqueRef('g')}"}) { id } }`,
    status: 400,
    code: 'ValidationFailed',
    field: 'name',
    message: /shorter than or equal to 200/,
  },
  {
    name: 'unknown enum value',
    query: () => '{ nodes(kind: planet) { nextCursor } }',
    status: 400,
    code: 'GraphqlValidationFailed',
    message: /Value "planet" does not exist in "NodeKind" enum/,
  },
  {
    name: 'limit too large',
    query: () => '{ movements(limit: 100000) { nextCursor } }',
    status: 400,
    code: 'ValidationFailed',
    field: 'limit',
    message: /must not be greater than 500/,
  },
  {
    name: 'deleting a node that has movements',
    query: () => `mutation { deleteNode(id: "${turbine.id}") }`,
    status: 409,
    code: 'NodeHasMovements',
    message: /movements/,
  },
  {
    name: 'unknown field',
    query: () => '{ nodes { items { colour } } }',
    status: 400,
    code: 'GraphqlValidationFailed',
    message: /Cannot query field "colour" on type "Node"/,
  },
  {
    name: 'syntax error',
    query: () => '{ nodes(limit: ',
    status: 400,
    code: 'GraphqlValidationFailed',
    message: /Syntax Error/,
  },
];

describe('bad requests over GraphQL', () => {
  it.each(graphqlCases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const reply = await graphql(c.query());
    expect(reply.status).toBe(c.status);
    expect(reply.errors).toHaveLength(1);
    const [error] = reply.errors!;
    expect(error.extensions?.code).toBe(c.code);
    expect(error.extensions?.status).toBe(c.status);
    expect(error.message).toMatch(c.message);
    if (c.field) expect(error.extensions?.errors?.map((e) => e.field)).toContain(c.field);
  });
});

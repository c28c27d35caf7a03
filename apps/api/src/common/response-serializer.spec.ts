import type { OpenAPIObject } from '@nestjs/swagger';
import { describe, expect, it } from '@jest/globals';
import { closedSchema, ResponseSerializers } from './response-serializer';

const components = {
  Row: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      count: { type: 'integer' },
      at: { type: 'string', format: 'date-time' },
      note: { type: 'string', nullable: true },
      kind: { type: 'string', enum: ['a', 'b'] },
    },
    required: ['id', 'count', 'at'],
  },
  Page: {
    type: 'object',
    properties: {
      items: { type: 'array', items: { $ref: '#/components/schemas/Row' } },
      nextCursor: { type: 'string', nullable: true },
      first: { nullable: true, allOf: [{ $ref: '#/components/schemas/Row' }] },
    },
  },
  Open: {
    type: 'object',
    properties: { metadata: { type: 'object', additionalProperties: true } },
  },
  Tree: {
    type: 'object',
    properties: { children: { type: 'array', items: { $ref: '#/components/schemas/Tree' } } },
  },
};

function document(schemas: Record<string, string>): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    components: { schemas: components },
    paths: Object.fromEntries(
      Object.entries(schemas).map(([operationId, name]) => [
        `/${operationId}`,
        {
          get: {
            operationId,
            responses: {
              '200': {
                description: 'ok',
                content: {
                  'application/json': { schema: { $ref: `#/components/schemas/${name}` } },
                },
              },
            },
          },
        },
      ]),
    ),
  } as OpenAPIObject;
}

describe('closedSchema', () => {
  it('inlines references and keeps what changes the output: types, nullability, date-time', () => {
    const page = closedSchema(components.Page, components);
    expect(page).toEqual({
      type: 'object',
      properties: {
        items: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string' },
              count: { type: 'integer' },
              at: { type: 'string', format: 'date-time' },
              note: { type: ['string', 'null'] },
              kind: { type: 'string' },
            },
          },
        },
        nextCursor: { type: ['string', 'null'] },
        first: expect.objectContaining({ type: ['object', 'null'] }),
      },
    });
  });

  it('leaves open schemas to JSON.stringify: free-form objects, unions, recursion, untyped', () => {
    expect(closedSchema(components.Open, components)).toBeNull();
    expect(closedSchema(components.Tree, components)).toBeNull();
    expect(
      closedSchema({ oneOf: [{ type: 'string' }, { type: 'integer' }] }, components),
    ).toBeNull();
    expect(closedSchema({ type: 'object' }, components)).toBeNull();
    expect(closedSchema({ type: 'array' }, components)).toBeNull();
    expect(closedSchema({}, components)).toBeNull();
  });
});

describe('ResponseSerializers', () => {
  const row = { id: 'r1', count: 3, at: new Date('2026-12-07T10:00:00Z'), note: null, kind: 'a' };

  it('compiles the closed operations only, and writes what JSON.stringify writes', () => {
    const serializer = new ResponseSerializers(
      document({ C_page: 'Page', C_open: 'Open', C_tree: 'Tree' }),
      'fail',
    );
    expect(serializer.operations).toEqual(['C_page']);
    const value = { items: [row, { ...row, id: 'r2', note: 'x' }], nextCursor: null, first: null };
    expect(JSON.parse(serializer.serializerOf('GET', '/C_page')!(value))).toEqual(
      JSON.parse(JSON.stringify(value)),
    );
  });

  it('in tests, fails a response that differs from its schema, naming the operation and field', () => {
    const serializer = new ResponseSerializers(document({ C_page: 'Page' }), 'fail');
    const value = { items: [{ ...row, count: 2.5 }], nextCursor: null, first: null };
    expect(() => serializer.serializerOf('GET', '/C_page')!(value)).toThrow(
      'C_page: the response differs from its documented schema at items.0.count',
    );
  });

  it('elsewhere, sends what JSON.stringify writes when they differ', () => {
    const serializer = new ResponseSerializers(document({ C_page: 'Page' }), 'warn');
    const value = { items: [{ ...row, extra: 'kept' }], nextCursor: null, first: null };
    expect(serializer.serializerOf('GET', '/C_page')!(value)).toBe(JSON.stringify(value));
  });
});

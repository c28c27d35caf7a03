import { isDeepStrictEqual } from 'node:util';
import { Logger } from '@nestjs/common';
import type { OpenAPIObject } from '@nestjs/swagger';
import fastJson from 'fast-json-stringify';
import type { FastifyInstance } from 'fastify';

type Schema = Record<string, unknown>;
type Serialize = (value: unknown) => string;

const scalars = new Set(['string', 'number', 'integer', 'boolean']);

/**
 * A response schema with its references inlined, fit for fast-json-stringify: or null when the
 * schema is open somewhere (a free-form object, a union, a recursive type), where only
 * JSON.stringify is sure to write every field. Only what changes the output is kept: types,
 * properties, items, nullability and the date-time format (a Date written as ISO 8601).
 */
export function closedSchema(
  schema: Schema,
  components: Record<string, Schema>,
  seen: ReadonlySet<string> = new Set(),
): Schema | null {
  const nullable = schema.nullable === true;
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/components/schemas/', '');
    if (seen.has(name) || !components[name]) return null;
    const inner = closedSchema(components[name], components, new Set([...seen, name]));
    return inner && nullable ? orNull(inner) : inner;
  }
  if (Array.isArray(schema.allOf)) {
    if (schema.allOf.length !== 1) return null;
    const inner = closedSchema(schema.allOf[0] as Schema, components, seen);
    return inner && nullable ? orNull(inner) : inner;
  }
  if (schema.oneOf || schema.anyOf || schema.not) return null;
  const type = schema.type;
  let closed: Schema | null;
  if (type === 'object') {
    const properties = schema.properties as Record<string, Schema> | undefined;
    if (
      !properties ||
      (schema.additionalProperties !== undefined && schema.additionalProperties !== false)
    )
      return null;
    const inlined: Record<string, Schema> = {};
    for (const [name, property] of Object.entries(properties)) {
      const inner = closedSchema(property, components, seen);
      if (!inner) return null;
      inlined[name] = inner;
    }
    closed = { type: 'object', properties: inlined };
  } else if (type === 'array') {
    const items = schema.items ? closedSchema(schema.items as Schema, components, seen) : null;
    if (!items) return null;
    closed = { type: 'array', items };
  } else if (typeof type === 'string' && scalars.has(type)) {
    closed = { type, ...(schema.format === 'date-time' ? { format: 'date-time' } : {}) };
  } else {
    return null;
  }
  return nullable ? orNull(closed) : closed;
}

function orNull(schema: Schema): Schema {
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
  return { ...schema, type: [...new Set([...types, 'null'])] };
}

/** The first place where two JSON values differ, as a path (`items.3.quantity`). */
function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (isDeepStrictEqual(a, b)) return null;
  if (typeof a === 'object' && a && typeof b === 'object' && b) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const inner = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        path ? `${path}.${key}` : key,
      );
      if (inner) return inner;
    }
  }
  return path || '(the whole body)';
}

/**
 * How serialised responses are checked against JSON.stringify's: not at all in production;
 * in tests, a difference fails the request (a response that does not match its documented
 * schema); elsewhere it is logged once and the JSON.stringify text is sent.
 */
export type SerializerCheck = 'none' | 'fail' | 'warn';

declare module 'fastify' {
  interface FastifyInstance {
    /** The API's compiled response serialisers (see ResponseSerializers.install). */
    responseSerializers?: ResponseSerializers;
  }
}

/** Fastify's route URL of an OpenAPI path: `/api/nodes/{id}` is `/api/nodes/:id`. */
function routeUrl(openApiPath: string): string {
  return openApiPath.replace(/\{([^}]+)\}/g, ':$1');
}

/**
 * Serialisers compiled from the documented schemas of REST responses, for the operations whose
 * schema is closed: lists of a hundred movements are written several times faster than by
 * JSON.stringify. Other responses are left to JSON.stringify.
 */
export class ResponseSerializers {
  /** By `METHOD /route/:param`. */
  private readonly byRoute = new Map<string, { operation: string; serialize: Serialize }>();
  private readonly warned = new Set<string>();
  /** The routes given a compiled serialiser (`GET /api/movements`), as Fastify registered them. */
  readonly installed: string[] = [];

  constructor(
    document: OpenAPIObject,
    private readonly check: SerializerCheck,
  ) {
    const components = (document.components?.schemas ?? {}) as Record<string, Schema>;
    for (const [url, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        if (typeof operation !== 'object' || !operation?.operationId) continue;
        const responses = (operation as { responses?: Record<string, Schema> }).responses ?? {};
        const ok = Object.entries(responses).find(([status]) => /^2\d\d$/.test(status))?.[1];
        const schema = (ok?.content as Record<string, { schema?: Schema }> | undefined)?.[
          'application/json'
        ]?.schema;
        const closed = schema ? closedSchema(schema, components) : null;
        if (!closed || closed.type !== 'object') continue;
        const name = operation.operationId as string;
        this.byRoute.set(`${method.toUpperCase()} ${routeUrl(url)}`, {
          operation: name,
          serialize: this.compile(name, closed),
        });
      }
    }
  }

  /** The operations (Controller_method) written by a compiled serialiser. */
  get operations(): string[] {
    return [...this.byRoute.values()].map((r) => r.operation).sort();
  }

  /** The compiled serialiser of a route (`GET /api/movements`), if its schema is closed. */
  serializerOf(method: string, url: string): Serialize | undefined {
    return this.byRoute.get(`${method} ${url}`)?.serialize;
  }

  /**
   * Gives each REST route with a compiled serialiser to Fastify as the serialiser of its 2xx
   * answers, as the routes are registered: no work per request but the writing itself.
   */
  install(fastify: FastifyInstance): void {
    fastify.decorate<ResponseSerializers>('responseSerializers', this as ResponseSerializers);
    fastify.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) {
        const serialize = this.serializerOf(method, route.url ?? route.path);
        if (!serialize) continue;
        route.schema = { ...route.schema, response: { '2xx': {} } };
        route.serializerCompiler = () => serialize;
        this.installed.push(`${method} ${route.url}`);
      }
    });
  }

  private compile(operation: string, schema: Schema): Serialize {
    const fast = fastJson(schema as unknown as Parameters<typeof fastJson>[0]) as Serialize;
    if (this.check === 'none') return fast;
    return (value) => {
      const text = fast(value);
      const plain = JSON.stringify(value);
      const where = firstDifference(JSON.parse(text), JSON.parse(plain));
      if (!where) return text;
      const message = `${operation}: the response differs from its documented schema at ${where}`;
      if (this.check === 'fail') throw new Error(message);
      if (!this.warned.has(operation)) {
        this.warned.add(operation);
        Logger.warn(`${message}; sent as JSON.stringify writes it`, 'ResponseSerializers');
      }
      return plain;
    };
  }
}

import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost, TypeMetadataStorage } from '@nestjs/graphql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GraphQLSchema } from 'graphql';
import { buildOpenApiDocument } from '../app.factory';
import { POLICY, type Place, type Policy } from '../auth/can.decorator';

// Every REST route and GraphQL field of the API as the app registers them, with the policy
// each names and the fields each place of its request has: what the route-guard test checks
// and what the isolation matrix probes.

export interface Handler {
  /** `POST /api/movements`, or `Mutation.createMovement`. */
  name: string;
  transport: 'rest' | 'graphql';
  policy: Policy | undefined;
  /** The fields of each place of the request (route, query, body; args, input, parent). */
  fields: Map<Place, Set<string>>;
  /** Ids the request must carry, as UUIDs (validation refuses the request without). */
  requiredIds: Set<string>;
}

const verbs = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD'];
const methodsOf = (prototype: object) =>
  Object.getOwnPropertyNames(prototype).filter((m) => m !== 'constructor');

function add(fields: Map<Place, Set<string>>, place: Place, name: string) {
  if (!fields.has(place)) fields.set(place, new Set());
  fields.get(place)!.add(name);
}

/** The handlers of an initialised API application. */
export function enumerateHandlers(app: NestFastifyApplication): {
  rest: Handler[];
  graphql: Handler[];
  schema: GraphQLSchema;
} {
  const rest: Handler[] = [];
  const graphql: Handler[] = [];
  const schema = app.get(GraphQLSchemaHost).schema;
  const openapi = buildOpenApiDocument(app) as unknown as {
    paths: Record<
      string,
      Record<
        string,
        {
          parameters?: {
            name: string;
            in: string;
            required?: boolean;
            schema?: { format?: string };
          }[];
          requestBody?: { content: Record<string, { schema: { $ref?: string } }> };
        }
      >
    >;
    components: {
      schemas: Record<
        string,
        { properties?: Record<string, { format?: string }>; required?: string[] }
      >;
    };
  };
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as (new () => object) | null;
      if (!type) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, type) ?? '');
      for (const method of methodsOf(type.prototype)) {
        const fn = (type.prototype as Record<string, () => void>)[method];
        const path = Reflect.getMetadata(PATH_METADATA, fn) as string | undefined;
        const verb = Reflect.getMetadata(METHOD_METADATA, fn) as number | undefined;
        if (path === undefined || verb === undefined) continue;
        const route = `/api/${[base, path].filter((p) => p && p !== '/').join('/')}`.replace(
          /\/+/g,
          '/',
        );
        const openapiPath = route.replace(/:(\w+)/g, '{$1}');
        const operation = openapi.paths[openapiPath]?.[verbs[verb].toLowerCase()];
        const fields = new Map<Place, Set<string>>();
        for (const m of route.matchAll(/:(\w+)/g)) add(fields, 'route', m[1]);
        for (const p of operation?.parameters ?? [])
          if (p.in === 'query') add(fields, 'query', p.name);
        const ref = operation?.requestBody?.content['application/json']?.schema.$ref;
        const body = ref ? openapi.components.schemas[ref.split('/').pop()!] : undefined;
        for (const f of Object.keys(body?.properties ?? {})) add(fields, 'body', f);
        const requiredIds = new Set(
          (body?.required ?? []).filter((f) => body?.properties?.[f]?.format === 'uuid'),
        );
        for (const f of route.matchAll(/:(\w+)/g)) requiredIds.add(f[1]);
        // A required UUID of the query string (an upload's body is the file) counts too.
        for (const p of operation?.parameters ?? [])
          if (p.in === 'query' && p.required && p.schema?.format === 'uuid')
            requiredIds.add(p.name);
        rest.push({
          name: `${verbs[verb]} ${route}`,
          transport: 'rest',
          policy: Reflect.getMetadata(POLICY, fn),
          fields,
          requiredIds,
        });
      }
    }
    for (const wrapper of module.providers.values()) {
      const type = wrapper.metatype as ((new () => object) & { name: string }) | null;
      if (!type?.prototype || !Reflect.hasMetadata('graphql:resolver_type', type)) continue;
      // The class's object type: its GraphQL name, or the class of it.
      const target = Reflect.getMetadata('graphql:resolver_type', type) as unknown;
      const objectType =
        typeof target === 'string'
          ? target
          : TypeMetadataStorage.getObjectTypesMetadata().find((o) => o.target === target)?.name;
      for (const method of methodsOf(type.prototype)) {
        const fn = (type.prototype as Record<string, () => void>)[method];
        if (!Reflect.hasMetadata('graphql:resolver_name', fn)) continue;
        // @Query() and @ResolveField() without a name take the method's.
        const name =
          (Reflect.getMetadata('graphql:resolver_name', fn) as string | undefined) ?? method;
        const kind = Reflect.getMetadata('graphql:resolver_type', fn) as string | undefined;
        const owner = kind === 'Query' || kind === 'Mutation' ? kind : objectType;
        const field = owner ? schema.getType(owner) : undefined;
        const definition =
          field && 'getFields' in field
            ? (field.getFields() as Record<string, { args?: { name: string; type: unknown }[] }>)[
                name
              ]
            : undefined;
        const fields = new Map<Place, Set<string>>();
        const requiredIds = new Set<string>();
        for (const arg of definition?.args ?? []) {
          add(fields, 'args', arg.name);
          if (String(arg.type) === 'ID!') requiredIds.add(arg.name);
          const input = schema.getType(String(arg.type).replace(/[![\]]/g, ''));
          if (arg.name === 'input' && input && 'getFields' in input)
            for (const [f, d] of Object.entries(
              input.getFields() as Record<string, { type: unknown }>,
            )) {
              add(fields, 'input', f);
              if (String(d.type) === 'ID!') requiredIds.add(f);
            }
        }
        if (owner && owner !== 'Query' && owner !== 'Mutation') {
          const parent = schema.getType(owner);
          if (parent && 'getFields' in parent)
            for (const f of Object.keys(parent.getFields())) add(fields, 'parent', f);
        }
        graphql.push({
          name: `${owner}.${name}`,
          transport: 'graphql',
          policy: Reflect.getMetadata(POLICY, fn),
          fields,
          requiredIds,
        });
      }
    }
  }
  return { rest, graphql, schema };
}

import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import { GraphQLSchemaHost, TypeMetadataStorage } from '@nestjs/graphql';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { actions } from '@sextant/policy';
import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, createApiApp } from '../app.factory';
import { POLICY, type Policy, type TargetRef } from './can.decorator';
import { registeredTargetKinds } from './targets';

// Every REST route and every GraphQL field that runs code must name its policy (@Can or
// @Public), and every target it names must be findable in the request. A module merged
// without guards fails here.

interface Handler {
  name: string;
  policy: Policy | undefined;
  /** Where the route's or field's ids may come from. */
  fields: Set<string>;
  /** Ids the body or input must carry, as UUIDs (validation refuses the request without). */
  requiredIds: Set<string>;
}

const verbs = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'ALL', 'OPTIONS', 'HEAD'];
const methodsOf = (prototype: object) =>
  Object.getOwnPropertyNames(prototype).filter((m) => m !== 'constructor');

describe('route guards', () => {
  let app: NestFastifyApplication;
  let schema: GraphQLSchema;
  const rest: Handler[] = [];
  const graphql: Handler[] = [];

  beforeAll(async () => {
    app = await createApiApp(
      {
        databaseUrl: 'postgresql://guards@127.0.0.1:1/none',
        poolSize: 1,
        schemaFile: null,
        corsOrigins: [],
        ingest: { httpUrl: 'http://localhost:8086', forwardHost: 'localhost', forwardPort: 24224 },
      },
      ['error'],
    );
    await app.init();
    schema = app.get(GraphQLSchemaHost).schema;
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
          const fields = new Set<string>([...route.matchAll(/:(\w+)/g)].map((m) => m[1]));
          for (const p of operation?.parameters ?? []) fields.add(p.name);
          const ref = operation?.requestBody?.content['application/json']?.schema.$ref;
          const body = ref ? openapi.components.schemas[ref.split('/').pop()!] : undefined;
          for (const f of Object.keys(body?.properties ?? {})) fields.add(f);
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
          const fields = new Set<string>();
          const requiredIds = new Set<string>();
          for (const arg of definition?.args ?? []) {
            fields.add(arg.name);
            if (String(arg.type) === 'ID!') requiredIds.add(arg.name);
            const input = schema.getType(String(arg.type).replace(/[![\]]/g, ''));
            if (input && 'getFields' in input)
              for (const [f, d] of Object.entries(
                input.getFields() as Record<string, { type: unknown }>,
              )) {
                fields.add(f);
                if (String(d.type) === 'ID!') requiredIds.add(f);
              }
          }
          if (owner && owner !== 'Query' && owner !== 'Mutation') {
            const parent = schema.getType(owner);
            if (parent && 'getFields' in parent)
              for (const f of Object.keys(parent.getFields())) fields.add(f);
          }
          graphql.push({
            name: `${owner}.${name}`,
            policy: Reflect.getMetadata(POLICY, fn),
            fields,
            requiredIds,
          });
        }
      }
    }
  });

  afterAll(async () => {
    await app?.close();
  });

  it('finds the routes and fields to check', () => {
    expect(rest.length).toBeGreaterThan(60);
    expect(graphql.length).toBeGreaterThan(40);
    // Every field of Query and Mutation, and every field computed by a resolver, is a handler here.
    const handled = new Set(graphql.map((h) => h.name));
    for (const root of ['Query', 'Mutation']) {
      const type = schema.getType(root) as { getFields(): Record<string, unknown> };
      for (const field of Object.keys(type.getFields()))
        expect(handled, `${root}.${field}`).toContain(`${root}.${field}`);
    }
    const plain = Object.values(schema.getTypeMap())
      .filter(
        (t) =>
          !t.name.startsWith('__') &&
          !['Query', 'Mutation'].includes(t.name) &&
          'getFields' in t &&
          !('getValues' in t),
      )
      .flatMap((t) =>
        Object.keys((t as { getFields(): object }).getFields()).map((f) => `${t.name}.${f}`),
      );
    const computed = plain.filter((f) => handled.has(f));
    console.log(
      `route guards: ${rest.length} REST routes, ${graphql.length - computed.length} GraphQL root fields and ${computed.length} computed fields enumerated (${plain.length - computed.length} plain fields are data of guarded objects)`,
    );
  });

  it('guards every REST route and GraphQL field with a policy', () => {
    const unguarded = [...rest, ...graphql].filter((h) => !h.policy).map((h) => h.name);
    expect(unguarded).toEqual([]);
  });

  it('names only known actions and target kinds, with ids the handler receives', () => {
    const problems: string[] = [];
    const kinds = new Set(registeredTargetKinds());
    for (const handler of [...rest, ...graphql]) {
      const policy = handler.policy;
      if (!policy || policy.kind === 'public') continue;
      if (!(actions as readonly string[]).includes(policy.action))
        problems.push(`${handler.name}: action ${policy.action}`);
      if (policy.kind !== 'target') continue;
      const refs: TargetRef[] = [...policy.anyOf, ...policy.also];
      for (const ref of refs) {
        if (!kinds.has(ref.kind)) problems.push(`${handler.name}: kind ${ref.kind}`);
        if (!handler.fields.has(ref.field))
          problems.push(`${handler.name}: no ${ref.field} in the request`);
        // An id the guard needs is one validation insists on, so that a request without it
        // (or with a bad one) is refused before the handler runs.
        else if (
          !ref.optional &&
          !ref.absent &&
          !ref.fromParent &&
          !handler.requiredIds.has(ref.field)
        )
          problems.push(`${handler.name}: ${ref.field} is not a required id`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('leaves only health, sign-in and the account links public', () => {
    const open = [...rest, ...graphql]
      .filter((h) => h.policy?.kind === 'public')
      .map((h) => h.name);
    expect(open.sort()).toEqual(
      [
        'GET /api/health',
        'GET /api/invitations/lookup',
        'POST /api/auth/password-reset',
        'POST /api/auth/password-reset/request',
        'POST /api/auth/register',
        'POST /api/auth/resend-verification',
        'POST /api/auth/sign-in',
        'POST /api/auth/sign-out',
        'POST /api/auth/verify-email',
        'POST /api/invitations/accept',
      ].sort(),
    );
  });
});

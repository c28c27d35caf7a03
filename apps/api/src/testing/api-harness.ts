import { randomUUID } from 'node:crypto';
import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { demoApiToken } from '@sextant/seed';
import { Pool } from 'pg';
import { loadConfig } from '@sextant/config';
import { apiConfigFrom, type ApiConfig } from '../api-config';
import { createApiApp } from '../app.factory';

/** Keeps every line the API logs, to look for what must (and must not) be there. */
class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, message: unknown, rest: unknown[]) {
    this.lines.push(`${level} ${[message, ...rest].map(String).join(' ')}`);
  }
  log(message: unknown, ...rest: unknown[]) {
    this.add('log', message, rest);
  }
  error(message: unknown, ...rest: unknown[]) {
    this.add('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]) {
    this.add('warn', message, rest);
  }
}

export interface Answer<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Record<string, string | string[] | number | undefined>;
}

/** The API in this process, on a test database, driven through Fastify's inject (no socket). */
export interface ApiHarness {
  app: NestFastifyApplication;
  logs: string[];
  call<T = Record<string, unknown>>(
    method: string,
    url: string,
    options?: {
      body?: unknown;
      token?: string;
      headers?: Record<string, string>;
      /** The peer address of the connection (default 127.0.0.1). */
      remoteAddress?: string;
    },
  ): Promise<Answer<T>>;
  graphql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<
    Answer<{ data: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] }>
  >;
  close(): Promise<void>;
}

/** The API's configuration in tests: the documented defaults, on the given database. */
export function testApiConfig(databaseUrl: string, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return { ...apiConfigFrom({ ...loadConfig({}), databaseUrl }), ...overrides };
}

export async function startApi(
  databaseUrl: string,
  overrides: Partial<ApiConfig> = {},
): Promise<ApiHarness> {
  const logger = new CapturingLogger();
  const app = await createApiApp(
    // A response that differs from its documented schema fails the test.
    testApiConfig(databaseUrl, {
      poolSize: 4,
      secretKey: 'a'.repeat(64),
      responseCheck: 'fail',
      ...overrides,
    }),
    logger,
  );
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  const fastify = app.getHttpAdapter().getInstance();
  const call: ApiHarness['call'] = async (method, url, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fastify.inject({
      method: method as 'GET',
      url,
      headers,
      ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
      payload:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = response.body;
    let body: unknown = null;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {
      body = text;
    }
    return { status: response.statusCode, body: body as never, headers: response.headers };
  };
  return {
    app,
    logs: logger.lines,
    call,
    graphql: (query, variables, token) =>
      call('POST', '/graphql', { body: { query, variables }, token }),
    close: () => app.close(),
  };
}

/**
 * Users (verified, with a placeholder password) holding a role on a node each, and an API
 * token of each: email → token.
 */
export async function membersWithTokens(
  sql: Pool,
  databaseUrl: string,
  members: readonly (readonly [email: string, nodeId: string, role: string])[],
  label: string,
): Promise<Record<string, string>> {
  const tokens: Record<string, string> = {};
  for (const [email, nodeId, role] of members) {
    const user = randomUUID();
    await sql.query(
      `INSERT INTO app_user (id, email, name, password_hash, email_verified_at, updated_at)
       VALUES ($1, $2, $2, 'x', now(), now())`,
      [user, email],
    );
    await sql.query(
      `INSERT INTO membership (id, user_id, node_id, role, updated_at) VALUES ($1, $2, $3, $4, now())`,
      [randomUUID(), user, nodeId, role],
    );
    tokens[email] = await demoApiToken(databaseUrl, email, label);
  }
  return tokens;
}

/** A node of a test tree: [id, parent id, kind, reference]; its name is its reference. */
export type TestNode = readonly [
  id: string,
  parentId: string | null,
  kind: string,
  reference: string,
];

/** A database of a test's own, as @sextant/testing's createTestDatabase makes it. */
export interface OwnDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A test database holding a node tree and members with API tokens, and the API on it. */
export interface ApiTestBed {
  db: OwnDatabase;
  sql: Pool;
  api: ApiHarness;
  /** Email → API token of each member. */
  tokens: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Opens a test bed on a test's own database: the nodes in the order given (parents first), the
 * members with their API tokens, and the API on it. Closing it drops the database.
 */
export async function openApiTestBed(
  db: OwnDatabase,
  setup: {
    nodes?: readonly TestNode[];
    members?: readonly (readonly [email: string, nodeId: string, role: string])[];
    api?: Partial<ApiConfig>;
  } = {},
): Promise<ApiTestBed> {
  const sql = new Pool({ connectionString: db.url, max: 2 });
  for (const [id, parentId, kind, reference] of setup.nodes ?? [])
    await sql.query(
      `INSERT INTO node (id, parent_id, kind, name, reference, updated_at) VALUES ($1, $2, $3, $4, $4, now())`,
      [id, parentId, kind, reference],
    );
  const tokens = await membersWithTokens(sql, db.url, setup.members ?? [], 'test-bed');
  const api = await startApi(db.url, setup.api);
  return {
    db,
    sql,
    api,
    tokens,
    close: async () => {
      await api.close();
      await sql.end();
      await db.drop();
    },
  };
}

/** An organisation with a site, a machine on the site and a lake: the usual tree of a test. */
export function organisationTree(
  ids: { org: string; site?: string; machine?: string; lake?: string },
  reference: string,
): TestNode[] {
  return [
    [ids.org, null, 'organisation', reference],
    ...(ids.site ? [[ids.site, ids.org, 'site', `${reference}.site`] as const] : []),
    ...(ids.site && ids.machine
      ? [[ids.machine, ids.site, 'machine', `${reference}.machine`] as const]
      : []),
    ...(ids.lake ? [[ids.lake, ids.org, 'database', `${reference}.lake`] as const] : []),
  ];
}

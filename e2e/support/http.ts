import { inject } from '@sextant/testing';

export interface Reply<T = unknown> {
  status: number;
  body: T;
}

/**
 * JSON over HTTP against the started API, as the platform administrator (an API token) unless
 * `headers` say otherwise (another authorization, or `authorization: ''` for none).
 */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply<T>> {
  const auth: Record<string, string> = {
    authorization: `Bearer ${inject('apiToken')}`,
    ...headers,
  };
  if (!auth.authorization) delete auth.authorization;
  const response = await fetch(`${inject('apiUrl')}${path}`, {
    method,
    headers: body === undefined ? auth : { 'content-type': 'application/json', ...auth },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface GraphqlReply<T> {
  status: number;
  data: T | null;
  errors?: {
    message: string;
    extensions?: { code?: string; status?: number; errors?: { field: string; reason: string }[] };
  }[];
}

export async function graphql<T = Record<string, unknown>>(
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphqlReply<T>> {
  const reply = await api<{ data: T | null; errors?: GraphqlReply<T>['errors'] }>(
    'POST',
    '/graphql',
    { query, variables },
  );
  return { status: reply.status, data: reply.body.data, errors: reply.body.errors };
}

let counter = 0;
/** A reference unique within the run. */
export function uniqueRef(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${counter}`;
}

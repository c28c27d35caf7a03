import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

/** The largest file an upload route takes (a Kepler quarter of 1-min cadences is ~30 MB). */
export const uploadLimitBytes = 64 * 1024 * 1024;

/** Content types of uploaded files: only routes marked @Upload() take them (else 415). */
export const uploadTypes = ['application/octet-stream', 'text/plain', 'text/csv'] as const;

/**
 * Marks a route that takes a file as its body (raw bytes up to uploadLimitBytes). Such a body
 * is read only once the caller is known: anonymous callers get 401 before it is read.
 */
export const Upload = (): MethodDecorator => RouteConfig({ upload: true });

export function isUploadRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { upload?: unknown } | undefined)?.upload === true;
}

/** The media type of a request's body, lower case, without parameters; null when none. */
export function mediaTypeOf(request: FastifyRequest): string | null {
  const header = request.headers['content-type'];
  if (typeof header !== 'string') return null;
  return header.split(';')[0].trim().toLowerCase() || null;
}

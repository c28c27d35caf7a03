import type { FastifyReply, FastifyRequest } from 'fastify';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import type { IngestOutcome, IngestPath, IngestWriter, PathDirectory } from '@sextant/ingest';
import type { PathStats } from '../stats';

// What the write routes of server.ts and json-routes.ts share: the server's options, the body
// of a write, and the error answers.

const gunzipAsync = promisify(gunzip);

declare module 'fastify' {
  interface FastifyRequest {
    /** The path of the request's token: set by the write routes' onRequest hook. */
    ingestPath: IngestPath | null;
  }
}

export interface HttpServerOptions {
  directory: PathDirectory;
  writer: IngestWriter;
  stats: PathStats;
  maxBodyBytes: number;
  maxLineBytes: number;
  maxInFlight: number;
  requestTimeoutSeconds: number;
  version: string;
  /** Checks the database for /health. */
  health: () => Promise<boolean>;
  log?: (line: string) => void;
}

/** An InfluxDB-style error body: `error` for 1.x clients, `code` and `message` for 2.x. */
export function fail(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
) {
  return reply.code(status).send({ code, error: message, message, ...extra });
}

/**
 * Runs a write for the path of the request's token (found by the route's onRequest hook),
 * within the gateway's in-flight limit.
 */
export type WriteGate = (
  request: FastifyRequest,
  reply: FastifyReply,
  handle: (path: IngestPath) => Promise<FastifyReply>,
) => Promise<FastifyReply>;

/** The request body, gunzipped when Content-Encoding says so; null once an error is answered. */
export async function readBody(
  request: FastifyRequest,
  reply: FastifyReply,
  maxBodyBytes: number,
): Promise<Buffer | null> {
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  const encoding = String(request.headers['content-encoding'] ?? '').toLowerCase();
  if (encoding === 'gzip') {
    try {
      return await gunzipAsync(body, { maxOutputLength: maxBodyBytes });
    } catch (error) {
      const tooLarge = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      if (tooLarge)
        fail(reply, 413, 'too large', `decompressed body exceeds ${maxBodyBytes} bytes`);
      else fail(reply, 400, 'invalid', `body is not valid gzip: ${(error as Error).message}`);
      return null;
    }
  }
  if (encoding && encoding !== 'identity') {
    fail(
      reply,
      415,
      'invalid',
      `unsupported Content-Encoding "${encoding.slice(0, 40)}": use gzip or none`,
    );
    return null;
  }
  return body;
}

/**
 * Answers a write the writer did not take: 429 over the path's rate or a billing quota reached,
 * 503 when busy.
 */
export function refused(
  reply: FastifyReply,
  outcome: Exclude<IngestOutcome, { status: 'written' }>,
): FastifyReply {
  reply.header('Retry-After', String(outcome.retryAfterSeconds));
  return outcome.status === 'busy'
    ? fail(reply, 503, 'unavailable', outcome.message, { retryAfter: outcome.retryAfterSeconds })
    : fail(reply, 429, 'too many requests', outcome.message, {
        retryAfter: outcome.retryAfterSeconds,
      });
}

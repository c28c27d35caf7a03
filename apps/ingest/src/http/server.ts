import Fastify, {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import type { IngestPath } from '@sextant/ingest';
import { LineProtocolParser, precisionUnit } from '../line-protocol/parser';
import { BodyPool } from './body-pool';
import { registerJsonRoutes } from './json-routes';
import { fail, readBody, refused, type HttpServerOptions, type WriteGate } from './write-request';

/** The token of a request: 1.x `p` (or `u`) parameters, `Token`, `Bearer` or Basic auth. */
export function credential(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header) {
    const [scheme, value = ''] = header.split(/\s+/, 2);
    const lower = scheme.toLowerCase();
    if (lower === 'token' || lower === 'bearer') return value;
    if (lower === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      return colon >= 0 ? decoded.slice(colon + 1) || decoded.slice(0, colon) : decoded;
    }
  }
  const query = request.query as Record<string, string | undefined>;
  return query.p || query.u || null;
}

/**
 * The InfluxDB-compatible HTTP endpoints: POST /write (1.x), POST /api/v2/write, GET /ping,
 * GET /health. A write is answered 204 only after its points are committed.
 */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    // GET routes answer HEAD too (/ping is probed both ways).
    exposeHeadRoutes: true,
    bodyLimit: options.maxBodyBytes,
    requestTimeout: options.requestTimeoutSeconds * 1000,
    connectionTimeout: options.requestTimeoutSeconds * 1000,
    keepAliveTimeout: options.requestTimeoutSeconds * 1000,
    logger: false,
  });
  let inFlight = 0;
  // Remembers the series of the bodies it parses: the next bodies of an agent parse none again.
  const parser = new LineProtocolParser();

  // Bodies are line protocol whatever the content type claims; keep them as bytes, read into
  // pooled buffers that go back to the pool once the request is answered.
  const bodies = new BodyPool();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (request, payload, done) => {
    const length = request.headers['content-length'];
    const declared = length === undefined ? null : Number(length);
    bodies
      .read(payload, Number.isSafeInteger(declared) ? declared : null, options.maxBodyBytes)
      .then(
        (body) => done(null, body),
        (error: Error) => done(error, undefined),
      );
  });
  app.addHook('onResponse', async (request) => bodies.release(request.body));
  app.decorateRequest('ingestPath', null);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const status = error.statusCode ?? 500;
    if (status === 413)
      return fail(reply, 413, 'too large', `request body exceeds ${options.maxBodyBytes} bytes`);
    if (status >= 400 && status < 500) return fail(reply, status, 'invalid', error.message);
    options.log?.(`ingest http error: ${error.stack ?? error.message}`);
    return fail(reply, 503, 'unavailable', 'the write could not be stored; retry later', {
      retryAfter: 1,
    });
  });

  const ping = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply
      .code(204)
      .header('X-Influxdb-Version', options.version)
      .header('X-Influxdb-Build', 'sextant')
      .send();
  app.get('/ping', ping);

  app.get('/health', async (_request, reply) => {
    const up = await options.health().catch(() => false);
    return reply.code(up ? 200 : 503).send({
      name: 'sextant-ingest',
      status: up ? 'pass' : 'fail',
      version: options.version,
      checks: [{ name: 'database', status: up ? 'pass' : 'fail' }],
    });
  });

  const write = (v2: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const query = request.query as Record<string, string | undefined>;
    const unit = precisionUnit(query.precision);
    if (unit === null)
      return fail(
        reply,
        400,
        'invalid',
        `unknown precision "${String(query.precision).slice(0, 20)}": use ns, us, ms, s${v2 ? '' : ', m or h'}`,
      );
    return gate(request, reply, (path) => handleWrite(path, request, reply, unit));
  };

  const unauthorized = (reply: FastifyReply) =>
    fail(
      reply,
      401,
      'unauthorized',
      'unknown or revoked token: write with a token of an active path',
    );

  // The token is checked when the request's head has arrived, before its body is read (or a
  // buffer of its declared Content-Length taken): a client without a valid token gets its 401
  // at once and the connection closed, whatever size it announced.
  const authenticate: onRequestAsyncHookHandler = async (request, reply) => {
    const path = await options.directory.authenticate(credential(request));
    if (path) {
      request.ingestPath = path;
      return;
    }
    // Closed rather than kept alive: the unread body would have to be received and dropped.
    reply.header('connection', 'close');
    return unauthorized(reply);
  };

  const gate: WriteGate = async (request, reply, handle) => {
    const path = request.ingestPath;
    if (!path) return unauthorized(reply);
    if (inFlight >= options.maxInFlight) {
      reply.header('Retry-After', '1');
      return fail(reply, 503, 'unavailable', 'the gateway is busy; retry after a second');
    }
    inFlight++;
    try {
      return await handle(path);
    } finally {
      inFlight--;
    }
  };

  async function handleWrite(
    path: IngestPath,
    request: FastifyRequest,
    reply: FastifyReply,
    unit: bigint,
  ) {
    // Announced while its body is read and parsed, so that the writes in flight together
    // share a commit and the last of them commits at once (see IngestWriter.arrive).
    const leave = options.writer.arrive();
    let parsed: ReturnType<typeof parser.parse>;
    try {
      const body = await readBody(request, reply, options.maxBodyBytes);
      if (!body) {
        leave(false);
        return reply;
      }
      parsed = parser.parse(body, { unit, maxLineLength: options.maxLineBytes });
    } catch (error) {
      leave(false);
      throw error;
    }
    leave(true);
    const outcome = await options.writer
      .write(path, parsed.batch, { flushWhenIdle: true })
      .finally(() =>
        // Answered (or refused): its columns serve the next bodies.
        parsed.batch.release(),
      );
    if (outcome.status !== 'written') {
      options.stats.rejected(path, parsed.lines, outcome.message);
      return refused(reply, outcome);
    }
    const bad = [
      ...parsed.errors.map((e) => ({
        line: e.line,
        message: `${e.message} (column ${e.column})`,
        text: e.text,
      })),
      ...outcome.rejected.map((r) => ({ line: r.line, message: r.message })),
    ].sort((a, b) => a.line - b.line);
    options.stats.accepted(path, outcome.accepted);
    if (bad.length === 0) return reply.code(204).send();
    const first = bad[0];
    options.stats.rejected(path, bad.length, `line ${first.line}: ${first.message}`);
    if (outcome.quota) reply.header('Retry-After', String(outcome.quota.retryAfterSeconds));
    return fail(
      reply,
      outcome.quota ? 429 : 400,
      outcome.quota ? 'too many requests' : 'invalid',
      `partial write: ${bad.length} line${bad.length === 1 ? '' : 's'} rejected, ${outcome.accepted} points stored; line ${first.line}: ${first.message}`,
      { accepted: outcome.accepted, lines: bad.slice(0, 100) },
    );
  }

  app.post('/write', { onRequest: authenticate }, write(false));
  app.post('/api/v2/write', { onRequest: authenticate }, write(true));
  registerJsonRoutes(app, options, gate, authenticate);
  return app;
}

import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import type { IngestPath } from '@sextant/ingest';
import { decodeRecords, JsonFormat, RecordError } from '../json/json-records';
import { precisionUnit } from '../line-protocol/parser';
import { fail, readBody, refused, type HttpServerOptions, type WriteGate } from './write-request';

const jsonTypes = new Set(['application/json', 'text/json']);
const ndjsonTypes = new Set([
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/x-jsonlines',
  'application/jsonlines',
]);
const jsonPrecisions = ['ns', 'us', 'ms', 's'];

function formatOf(request: FastifyRequest): JsonFormat | null {
  const type = String(request.headers['content-type'] ?? '')
    .split(';', 1)[0]
    .trim()
    .toLowerCase();
  if (jsonTypes.has(type)) return 'json';
  if (ndjsonTypes.has(type)) return 'ndjson';
  return null;
}

/**
 * POST /api/v1/json: JSON records from devices without an agent — `application/json` (one
 * object or an array) or `application/x-ndjson` (one object per line), gzip allowed. Same
 * tokens, limits and answers as /write: 204 once committed; a partial write is 400 naming each
 * bad record by array index (`index`) or NDJSON line (`line`).
 */
export function registerJsonRoutes(
  app: FastifyInstance,
  options: HttpServerOptions,
  gate: WriteGate,
  authenticate: onRequestAsyncHookHandler,
): void {
  app.post('/api/v1/json', { onRequest: authenticate }, async (request, reply) => {
    const query = request.query as Record<string, string | undefined>;
    const format = formatOf(request);
    if (!format)
      return fail(
        reply,
        415,
        'invalid',
        `unsupported Content-Type "${String(request.headers['content-type'] ?? '').slice(0, 60)}": use application/json or application/x-ndjson`,
      );
    const precision = query.precision || 'ms';
    const unit = jsonPrecisions.includes(precision) ? precisionUnit(precision) : null;
    if (unit === null)
      return fail(
        reply,
        400,
        'invalid',
        `unknown precision "${precision.slice(0, 20)}": use ns, us, ms (the default) or s`,
      );
    const integers = query.integers ?? 'false';
    if (integers !== 'true' && integers !== 'false')
      return fail(
        reply,
        400,
        'invalid',
        `integers must be true or false, not "${integers.slice(0, 20)}"`,
      );
    return gate(request, reply, (path) =>
      writeRecords(path, request, reply, format, { unit, integers: integers === 'true' }),
    );
  });

  async function writeRecords(
    path: IngestPath,
    request: FastifyRequest,
    reply: FastifyReply,
    format: JsonFormat,
    decode: { unit: bigint; integers: boolean },
  ): Promise<FastifyReply> {
    const body = await readBody(request, reply, options.maxBodyBytes);
    if (!body) return reply;
    const decoded = decodeRecords(format, body.toString('utf8'), {
      ...decode,
      maxRecordBytes: options.maxLineBytes,
    });
    if (decoded.bodyError) {
      options.stats.rejected(path, 1, decoded.bodyError);
      return fail(reply, 400, 'invalid', decoded.bodyError);
    }
    const outcome = await options.writer.write(path, decoded.lines);
    if (outcome.status !== 'written') {
      options.stats.rejected(path, decoded.lines.length, outcome.message);
      return refused(reply, outcome);
    }
    options.stats.accepted(path, outcome.accepted);
    // A record whose fields fail for several reasons is listed once per reason.
    const bad: RecordError[] = [
      ...decoded.errors,
      ...outcome.rejected.map((r) => ({ record: r.line, message: r.message })),
    ].sort((a, b) => a.record - b.record);
    if (bad.length === 0) return reply.code(204).send();
    const key = format === 'json' ? 'index' : 'line';
    const name = (e: RecordError) =>
      format === 'json' ? `record [${e.record}]` : `line ${e.record}`;
    const first = bad[0];
    const records = new Set(bad.map((e) => e.record)).size;
    options.stats.rejected(path, records, `${name(first)}: ${first.message}`);
    if (outcome.quota) reply.header('Retry-After', String(outcome.quota.retryAfterSeconds));
    return fail(
      reply,
      outcome.quota ? 429 : 400,
      outcome.quota ? 'too many requests' : 'invalid',
      `partial write: ${records} record${records === 1 ? '' : 's'} rejected, ${outcome.accepted} points stored; ${name(first)}: ${first.message}`,
      {
        accepted: outcome.accepted,
        records: bad.slice(0, 100).map((e) => ({ [key]: e.record, message: e.message })),
      },
    );
  }
}

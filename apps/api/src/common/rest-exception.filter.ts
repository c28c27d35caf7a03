import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from './error-body';
import { graphqlRequestErrors, graphqlStatus } from './graphql-errors';

/**
 * Sends an error as `{statusCode, code, message, errors?}`, or, for GraphQL requests that
 * failed before execution (syntax, schema validation, bad JSON), as GraphQL errors.
 */
export function replyWithError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
): FastifyReply {
  if (request.url.startsWith('/graphql')) {
    const errors = graphqlRequestErrors(error);
    return reply.status(graphqlStatus(errors)).send({ data: null, errors });
  }
  const { retryAfterSeconds, ...body } = toErrorBody(error);
  if (retryAfterSeconds) reply.header('Retry-After', String(retryAfterSeconds));
  return reply.status(body.statusCode).send(body);
}

/** Maps every error thrown in a REST handler; Fastify's own errors take the same path. */
@Catch()
export class RestExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): unknown {
    // Errors inside resolvers are formatted by the GraphQL error formatter instead.
    if (host.getType<string>() === 'graphql') return exception;
    const http = host.switchToHttp();
    return replyWithError(
      http.getRequest<FastifyRequest>(),
      http.getResponse<FastifyReply>(),
      exception,
    );
  }
}

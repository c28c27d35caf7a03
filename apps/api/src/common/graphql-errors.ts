import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import { toErrorBody } from './error-body';

/**
 * A GraphQLError by its tag, not instanceof: under the test runner graphql loads twice
 * (CommonJS for mercurius, ES module here), and errors of one copy fail the other's instanceof.
 */
function isGraphqlError(value: unknown): value is GraphQLError {
  return Object.prototype.toString.call(value) === '[object GraphQLError]';
}

/** GraphQL errors carry the REST error's code, status and field errors in `extensions`. */
export function formatGraphqlError(error: GraphQLError): GraphQLFormattedError {
  // Errors raised by GraphQL itself (syntax, unknown field, bad enum value) have no original.
  const original = error.originalError;
  if (!original || isGraphqlError(original)) {
    return {
      message: error.message,
      locations: error.locations,
      path: error.path,
      extensions: { code: 'GraphqlValidationFailed', status: 400, ...error.extensions },
    };
  }
  const body = toErrorBody(original);
  return {
    message: body.message,
    locations: error.locations,
    path: error.path,
    extensions: {
      code: body.code,
      status: body.statusCode,
      ...(body.errors ? { errors: body.errors } : {}),
    },
  };
}

/** The HTTP status for a GraphQL response: the client's error when every error is one. */
export function graphqlStatus(errors: readonly GraphQLFormattedError[]): number {
  const statuses = errors.map((e) =>
    Number((e.extensions as { status?: number } | undefined)?.status ?? 500),
  );
  if (statuses.length === 0) return 200;
  if (statuses.some((s) => s >= 500)) return 500;
  return Math.max(...statuses);
}

/** Errors raised before execution (syntax, validation against the schema), as GraphQL errors. */
export function graphqlRequestErrors(error: unknown): GraphQLFormattedError[] {
  const nested = (error as { errors?: unknown[] }).errors;
  const list = Array.isArray(nested) && nested.length ? nested : [error];
  return list.map((e) => {
    if (isGraphqlError(e)) return formatGraphqlError(e);
    const body = toErrorBody(e);
    return { message: body.message, extensions: { code: body.code, status: body.statusCode } };
  });
}

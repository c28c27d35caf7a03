import { BadRequestException, Logger, NotFoundException } from '@nestjs/common';
import { DomainError } from '@sextant/domain';
import { GraphQLError } from 'graphql';
import { describe, expect, it, jest } from '@jest/globals';
import { toErrorBody } from './error-body';
import { formatGraphqlError, graphqlRequestErrors, graphqlStatus } from './graphql-errors';

describe(toErrorBody.name, () => {
  it.each([
    [new DomainError('NodeNotFound', 'no node with id x'), 404, 'NodeNotFound'],
    [new DomainError('ReferenceTaken', 'reference: taken'), 409, 'ReferenceTaken'],
    [
      DomainError.validation([{ field: 'name', reason: 'must be a string' }]),
      400,
      'ValidationFailed',
    ],
    [new NotFoundException('Cannot GET /api/nope'), 404, 'RouteNotFound'],
    [new BadRequestException('bad'), 400, 'BadRequest'],
    [
      Object.assign(new Error('Body is not valid JSON'), {
        statusCode: 400,
        code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      }),
      400,
      'InvalidJson',
    ],
    [
      Object.assign(new Error('Request body is too large'), { statusCode: 413 }),
      413,
      'PayloadTooLarge',
    ],
  ])('maps %o to %i %s', (error, status, code) => {
    const body = toErrorBody(error);
    expect(body.statusCode).toBe(status);
    expect(body.code).toBe(code);
  });

  it('keeps field errors of invalid input', () => {
    const body = toErrorBody(
      DomainError.validation([{ field: 'stop', reason: 'must not be before start' }]),
    );
    expect(body.errors).toEqual([{ field: 'stop', reason: 'must not be before start' }]);
    expect(body.message).toBe('stop: must not be before start');
  });

  it('hides the details of unexpected errors behind a 500', () => {
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const body = toErrorBody(new Error('connection string postgres://secret@db leaked'));
    expect(spy).toHaveBeenCalledTimes(1);
    spy.mockRestore();
    expect(body.statusCode).toBe(500);
    expect(body.message).not.toContain('secret');
  });
});

describe(formatGraphqlError.name, () => {
  it('carries the domain code, status and fields in extensions', () => {
    const original = DomainError.validation([{ field: 'name', reason: 'should not be empty' }]);
    const formatted = formatGraphqlError(
      new GraphQLError(original.message, { originalError: original }),
    );
    expect(formatted.extensions).toEqual({
      code: 'ValidationFailed',
      status: 400,
      errors: [{ field: 'name', reason: 'should not be empty' }],
    });
  });

  it('answers with the client error status unless a server error is among the errors', () => {
    expect(graphqlStatus([])).toBe(200);
    expect(graphqlStatus([{ message: 'a', extensions: { status: 404 } }])).toBe(404);
    expect(
      graphqlStatus([
        { message: 'a', extensions: { status: 400 } },
        { message: 'b', extensions: { status: 500 } },
      ]),
    ).toBe(500);
  });
});

describe(graphqlRequestErrors.name, () => {
  it('answers 400 for errors of the other copy of graphql (mercurius loads CommonJS)', () => {
    // A module registry of its own: another copy of graphql.
    let commonJs!: typeof import('graphql');
    jest.isolateModules(() => {
      commonJs = jest.requireActual<typeof import('graphql')>('graphql');
    });
    const message =
      'Variable "$n" got invalid value "many"; Int cannot represent non-integer value';
    const error = new commonJs.GraphQLError(message);
    // Two copies under the test runner: instanceof cannot tell.
    expect(error instanceof GraphQLError).toBe(false);
    const spy = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const errors = graphqlRequestErrors(
      Object.assign(new Error('validation'), { errors: [error] }),
    );
    spy.mockRestore();
    expect(errors).toEqual([
      expect.objectContaining({
        message,
        extensions: { code: 'GraphqlValidationFailed', status: 400 },
      }),
    ]);
  });
});

import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { FastifyRequest } from 'fastify';
import { clientAddressOf } from './client-address';
import { anonymous, type Principal, type RequestOrigin } from './principal';

const principals = new WeakMap<object, Principal>();

/** The HTTP request of a REST or GraphQL call. */
export function requestOf(context: ExecutionContext): FastifyRequest {
  if (context.getType<string>() === 'graphql')
    return GqlExecutionContext.create(context).getContext<{ req: FastifyRequest }>().req;
  return context.switchToHttp().getRequest<FastifyRequest>();
}

export function setPrincipal(request: object, principal: Principal): void {
  principals.set(request, principal);
}

export function principalOf(request: object): Principal | undefined {
  return principals.get(request);
}

export function originOf(request: FastifyRequest): RequestOrigin {
  const agent = request.headers['user-agent'];
  return { ip: clientAddressOf(request), userAgent: typeof agent === 'string' ? agent : null };
}

/** The caller, as the policy guard authenticated them. */
export const Actor = createParamDecorator(
  (_: unknown, context: ExecutionContext): Principal =>
    principalOf(requestOf(context)) ?? anonymous,
);

/** Where the call came from (client address, user agent), for the audit log. */
export const Origin = createParamDecorator((_: unknown, context: ExecutionContext): RequestOrigin =>
  originOf(requestOf(context)),
);

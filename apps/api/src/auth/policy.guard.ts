import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '@sextant/domain';
import { decide, type Action } from '@sextant/policy';
import type { FastifyRequest } from 'fastify';
import { AccessRepository } from './access.repository';
import { denialError } from './access.service';
import { principalOf, requestOf, setPrincipal } from './actor.decorator';
import { AuthService } from './auth.service';
import { POLICY, type Policy, type TargetRef } from './can.decorator';
import { csrfHeader } from './cookies';
import { subjectOf, type Principal } from './principal';
import { sameSecret } from './secrets';
import { badShape, notFound, shaped, targetKind } from './targets';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Where a target id was found: decides how a bad or unknown one is reported. */
type Located = { id: string; place: 'route' | 'body' } | { id: null; place: 'absent' };

/**
 * A required id of a body that is missing or not an id: validation refuses the request with
 * every field's reason (the route-guard test checks such ids are required UUIDs of the body).
 */
class LeftToValidation extends Error {}

/**
 * Every REST route and GraphQL field passes here: authenticates the caller (API token or
 * session cookie, with its CSRF token on unsafe requests), then asks the policy about the
 * action and target named by the handler's @Can. A handler without @Can or @Public is refused.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly access: AccessRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const policy = this.reflector.get<Policy | undefined>(POLICY, context.getHandler());
    const request = requestOf(context);
    if (!policy) {
      throw new DomainError(
        'RouteNotGuarded',
        `${context.getClass().name}.${context.getHandler().name} names no policy (@Can or @Public): refused`,
      );
    }
    let principal = principalOf(request);
    if (!principal) {
      principal = await this.auth.authenticate(request);
      setPrincipal(request, principal);
    }
    if (policy.kind === 'public') return true;
    if (principal.kind === 'anonymous') {
      throw new DomainError(
        'Unauthenticated',
        'authentication required: sign in or send an API token (Authorization: Bearer …)',
      );
    }
    this.checkCsrf(request, principal);
    switch (policy.kind) {
      case 'scoped':
        return true;
      case 'platform':
      case 'self': {
        const error = denialError(
          decide(subjectOf(principal), policy.action, { kind: policy.kind }),
          policy.action,
          () => new DomainError('Forbidden', `not allowed to ${policy.action}`),
        );
        if (error) throw error;
        return true;
      }
      case 'target':
        try {
          await this.checkTargets(context, principal, policy.action, policy.anyOf, policy.also);
        } catch (error) {
          if (error instanceof LeftToValidation) return true;
          throw error;
        }
        return true;
    }
  }

  /** Cookie sessions must echo their CSRF token on anything but a safe method. */
  private checkCsrf(request: FastifyRequest, principal: Principal): void {
    if (principal.kind !== 'user' || principal.via !== 'session') return;
    if (safeMethods.has(request.method)) return;
    const sent = request.headers[csrfHeader];
    if (
      typeof sent !== 'string' ||
      !principal.csrfToken ||
      !sameSecret(sent, principal.csrfToken)
    ) {
      throw new DomainError(
        'CsrfTokenInvalid',
        `${csrfHeader}: missing or wrong; a request signed in by cookie must send the sextant_csrf cookie's value in this header`,
      );
    }
  }

  private async checkTargets(
    context: ExecutionContext,
    principal: Principal,
    action: Action,
    anyOf: TargetRef[],
    also: TargetRef[],
  ): Promise<void> {
    const subject = subjectOf(principal);
    // The action, on any node of any of the first targets; all of them must exist and be visible.
    const lineages: string[][] = [];
    const found: { ref: TargetRef; located: Extract<Located, { id: string }> }[] = [];
    let decided = false;
    for (const ref of anyOf) {
      const located = locate(context, ref);
      if (located.id === null) {
        if (ref.absent) {
          const error = denialError(
            decide(subject, ref.absent, { kind: 'platform' }),
            ref.absent,
            () => new DomainError('Forbidden', `not allowed to ${ref.absent}`),
          );
          if (error) throw error;
          decided = true;
          continue;
        }
        if (ref.optional) continue;
        throw new LeftToValidation();
      }
      const nodes = await this.nodesOf(ref, located);
      lineages.push(...nodes);
      found.push({ ref, located });
    }
    if (found.length > 0) {
      // Each target must be visible on its own first (a path between two organisations is not
      // a way in, and a refusal must not tell that another organisation's node exists).
      if (found.length > 1)
        for (const { ref, located } of found)
          await this.require(subject, 'node.read', ref, located);
      const decision = decide(subject, action, { kind: 'nodes', lineages });
      const error = denialError(decision, action, () => unknown(found[0].ref, found[0].located));
      if (error) throw error;
    } else if (!decided) {
      throw new DomainError('RouteNotGuarded', 'no target to decide on: refused');
    }
    for (const ref of also) {
      const located = locate(context, ref);
      if (located.id === null) continue;
      await this.require(subject, ref.action ?? 'node.read', ref, located);
    }
  }

  private async require(
    subject: ReturnType<typeof subjectOf>,
    action: Action,
    ref: TargetRef,
    located: Extract<Located, { id: string }>,
  ): Promise<void> {
    const lineages = await this.nodesOf(ref, located);
    const error = denialError(decide(subject, action, { kind: 'nodes', lineages }), action, () =>
      unknown(ref, located),
    );
    if (error) throw error;
  }

  /** The lineages of the nodes a target hangs on; throws its not-found error when missing. */
  private async nodesOf(
    ref: TargetRef,
    located: Extract<Located, { id: string }>,
  ): Promise<string[][]> {
    const kind = targetKind(ref.kind);
    if (!shaped(kind, located.id)) {
      if (located.place === 'route') throw badShape(kind, 'id', located.id);
      throw new LeftToValidation();
    }
    const nodes = await this.access.nodesOf(ref.kind, located.id.toLowerCase());
    if (!nodes) throw unknown(ref, located);
    const lineages = await this.access.lineages(nodes.filter((n): n is string => n !== null));
    return [...lineages.values()];
  }
}

function unknown(ref: TargetRef, located: Extract<Located, { id: string }>): DomainError {
  const kind = targetKind(ref.kind);
  if (located.place === 'route') return notFound(kind, located.id);
  const reason = `no ${kind.noun} with id ${located.id}`;
  return DomainError.validation([{ field: ref.field, reason }]);
}

/** Finds a target's id in the request: route, query, body (REST); args, input (GraphQL). */
function locate(context: ExecutionContext, ref: TargetRef): Located {
  const pick = (value: unknown, place: 'route' | 'body'): Located | null =>
    value === undefined || value === null
      ? null
      : typeof value === 'string'
        ? { id: value, place }
        : typeof value === 'number' || typeof value === 'bigint'
          ? { id: String(value), place }
          : { id: JSON.stringify(value).slice(0, 60), place };
  if (context.getType<string>() === 'graphql') {
    const gql = GqlExecutionContext.create(context);
    if (ref.fromParent) {
      const parent = gql.getRoot<Record<string, unknown> | undefined>();
      return pick(parent?.[ref.field], 'route') ?? { id: null, place: 'absent' };
    }
    const args = gql.getArgs<Record<string, unknown>>();
    const input = args.input as Record<string, unknown> | undefined;
    return (
      pick(args[ref.field], ref.field === 'id' || ref.field.endsWith('Id') ? 'route' : 'body') ??
      pick(input?.[ref.field], 'body') ?? { id: null, place: 'absent' }
    );
  }
  const request = context.switchToHttp().getRequest<FastifyRequest>();
  const params = (request.params ?? {}) as Record<string, unknown>;
  const query = (request.query ?? {}) as Record<string, unknown>;
  const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
    string,
    unknown
  >;
  return (
    pick(params[ref.field], 'route') ??
    pick(query[ref.field], 'route') ??
    pick(body[ref.field], 'body') ?? {
      id: null,
      place: 'absent',
    }
  );
}

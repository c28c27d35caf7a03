import { CanActivate, ExecutionContext, Injectable, type Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { Reflector } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import { DomainError } from '@sextant/domain';
import { decide, type Action } from '@sextant/policy';
import type { FastifyRequest } from 'fastify';
import { AccessRepository } from '../access/access.repository';
import { denialError } from '../access/access.service';
import { principalOf, requestOf, setPrincipal } from './actor.decorator';
import { POLICY, type Place, type Policy, type TargetRef } from './can.decorator';
import { createValidationPipe } from '../common/validation';
import { csrfHeader } from './cookies';
import { subjectOf, type Principal } from './principal';
import { sameSecret } from './secrets';
import { SessionsService } from './sessions.service';
import { actionOn, badShape, notFound, shaped, targetKind } from '../access/targets';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A target id as read from its place (null: absent); how a bad one is reported depends on it. */
interface Located {
  id: string | null;
  place: Place;
}

/**
 * A required id of a GraphQL argument or input that is not an id: validation refuses the request
 * with every field's reason (the route-guard test checks such ids are required IDs).
 */
class LeftToValidation extends Error {}

/** Where each place's ids are reported as missing rows: 404 for routes and arguments, else 400. */
const rowPlaces = new Set<Place>(['route', 'query', 'args', 'parent']);

const restArg: Partial<Record<Place, { type: RouteParamtypes; name: 'body' | 'query' }>> = {
  body: { type: RouteParamtypes.BODY, name: 'body' },
  query: { type: RouteParamtypes.QUERY, name: 'query' },
};

/**
 * Every REST route and GraphQL field passes here: authenticates the caller (API token or
 * session cookie, with its CSRF token on unsafe requests), then asks the policy about the
 * action and target named by the handler's @Can. A handler without @Can or @Public is refused.
 */
@Injectable()
export class PolicyGuard implements CanActivate {
  private readonly validation = createValidationPipe();

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
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
      principal = await this.sessions.authenticate(request);
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
    const read = await this.reader(context, [...anyOf, ...also]);
    // The action, on any node of any of the first targets; all of them must exist and be visible.
    const lineages: string[][] = [];
    const found: { ref: TargetRef; located: Located & { id: string }; variant: string | null }[] =
      [];
    let decided = false;
    for (const ref of anyOf) {
      const located = read(ref);
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
        throw missing(ref);
      }
      const target = { id: located.id, place: located.place };
      const row = await this.nodesOf(ref, target);
      lineages.push(...row.lineages);
      found.push({ ref, located: target, variant: row.variant });
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
      // A row answering to its own actions (an alert item: alert.*, not item.*) needs them too.
      for (const { ref, located, variant } of found)
        if (actionOn(targetKind(ref.kind), variant, action) !== action)
          await this.require(subject, action, ref, located);
    } else if (!decided) {
      throw new DomainError('RouteNotGuarded', 'no target to decide on: refused');
    }
    for (const ref of also) {
      const located = read(ref);
      if (located.id === null) continue;
      await this.require(subject, ref.action ?? 'node.read', ref, {
        id: located.id,
        place: located.place,
      });
    }
  }

  /**
   * Reads each target from its one place. A REST body or query is validated first, with the
   * handler's own input class, and handed on as validated: the handler acts on the very ids
   * decided on here. An id named in another place as well is refused (400).
   */
  private async reader(
    context: ExecutionContext,
    refs: TargetRef[],
  ): Promise<(ref: TargetRef) => Located> {
    if (context.getType<string>() === 'graphql') {
      const gql = GqlExecutionContext.create(context);
      const args = gql.getArgs<Record<string, unknown>>();
      const input = args.input;
      for (const ref of refs) {
        const name = ref.field.split('.')[0];
        if (ref.place === 'args' && isRecord(input) && input[name] !== undefined)
          throw misplaced(ref, ['args', 'input']);
        if (ref.place === 'input' && args[name] !== undefined)
          throw misplaced(ref, ['input', 'args']);
      }
      return (ref) => {
        const from =
          ref.place === 'parent' ? gql.getRoot<unknown>() : ref.place === 'args' ? args : input;
        return { id: idOf(dig(from, ref.field)), place: ref.place };
      };
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const raw = {
      route: asRecord(request.params),
      query: asRecord(request.query),
      body: asRecord(request.body),
    };
    for (const ref of refs) {
      const name = ref.field.split('.')[0];
      const places = (['route', 'query', 'body'] as const).filter(
        (p) => raw[p][name] !== undefined,
      );
      if (places.length > 1 || (places.length === 1 && places[0] !== ref.place))
        throw misplaced(ref, places);
    }
    for (const place of new Set(refs.map((r) => r.place)))
      if (place === 'body') request.body = await this.validated(context, 'body', request.body);
      else if (place === 'query')
        request.query = await this.validated(context, 'query', request.query);
    const values = {
      route: asRecord(request.params),
      query: asRecord(request.query),
      body: asRecord(request.body),
    };
    return (ref) => {
      const from =
        ref.place === 'route' ? values.route : ref.place === 'query' ? values.query : values.body;
      return { id: idOf(dig(from, ref.field)), place: ref.place };
    };
  }

  /** A REST body or query, validated with the type of the handler's @Body() or @Query(). */
  private async validated(
    context: ExecutionContext,
    place: 'body' | 'query',
    value: unknown,
  ): Promise<unknown> {
    const { type, name } = restArg[place]!;
    const controller = context.getClass();
    const handler = context.getHandler().name;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, handler) ?? {}) as Record<
      string,
      { index: number; data?: unknown }
    >;
    const entry = Object.entries(args).find(([key]) => key.split(':')[0] === String(type));
    const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, handler) ??
      []) as Type[];
    const metatype = entry && entry[1].data === undefined ? types[entry[1].index] : undefined;
    if (!metatype)
      throw new DomainError(
        'RouteNotGuarded',
        `${controller.name}.${handler} reads its target from the ${name} but takes no ${name} input: refused`,
      );
    return this.validation.validateOnce(value ?? {}, { type: name, metatype, data: undefined });
  }

  private async require(
    subject: ReturnType<typeof subjectOf>,
    action: Action,
    ref: TargetRef,
    located: Located & { id: string },
  ): Promise<void> {
    const { lineages, variant } = await this.nodesOf(ref, located);
    const asked = actionOn(targetKind(ref.kind), variant, action);
    const error = denialError(decide(subject, asked, { kind: 'nodes', lineages }), asked, () =>
      unknown(ref, located),
    );
    if (error) throw error;
  }

  /**
   * The lineages of the nodes a target hangs on, and the row's variant; throws its not-found
   * error when missing.
   */
  private async nodesOf(
    ref: TargetRef,
    located: Located & { id: string },
  ): Promise<{ lineages: string[][]; variant: string | null }> {
    const kind = targetKind(ref.kind);
    if (!shaped(kind, located.id)) {
      if (located.place === 'route') throw badShape(kind, 'id', located.id);
      if (located.place === 'args' || located.place === 'input' || located.place === 'parent')
        throw new LeftToValidation();
      throw badShape(kind, ref.field, located.id);
    }
    const row = await this.access.nodesOf(ref.kind, located.id.toLowerCase());
    if (!row) throw unknown(ref, located);
    const lineages = await this.access.lineages(row.nodes.filter((n): n is string => n !== null));
    return { lineages: [...lineages.values()], variant: row.variant };
  }
}

function unknown(ref: TargetRef, located: Located & { id: string }): DomainError {
  const kind = targetKind(ref.kind);
  if (rowPlaces.has(located.place)) return notFound(kind, located.id);
  const reason = `no ${kind.noun} with id ${located.id}`;
  return DomainError.validation([{ field: ref.field, reason }]);
}

/** A required target that is absent: the field and where it was expected. */
function missing(ref: TargetRef): Error {
  if (ref.place === 'args' || ref.place === 'input' || ref.place === 'parent')
    return new LeftToValidation();
  return DomainError.validation([
    { field: ref.field, reason: `is required (in the ${ref.place})` },
  ]);
}

const placeNames: Record<Place, string> = {
  route: 'the route',
  query: 'the query',
  body: 'the body',
  args: 'the arguments',
  input: 'the input',
  parent: 'the parent object',
};

/** The 400 of a target id given in a place other than its own (too, or instead). */
function misplaced(ref: TargetRef, places: Place[]): DomainError {
  const given = places.map((p) => placeNames[p]).join(' and in ');
  return DomainError.validation([
    {
      field: ref.field.split('.')[0],
      reason: `given in ${given}; send it in ${placeNames[ref.place]} only`,
    },
  ]);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The value at a dotted path of an object (`params.nodeId`). */
function dig(value: unknown, field: string): unknown {
  let here = value;
  for (const key of field.split('.')) {
    if (!isRecord(here) || !Object.hasOwn(here, key)) return undefined;
    here = here[key];
  }
  return here;
}

/** An id as the guard compares it; anything but a string or number keeps a short print of it. */
function idOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value).slice(0, 60);
}

import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { actions } from '@sextant/policy';
import type { GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '@sextant/testing';
import { createApiApp } from '../app.factory';
import { testApiConfig } from '../testing/api-harness';
import { enumerateHandlers, type Handler } from '../testing/route-table';
import type { Place, TargetRef } from './can.decorator';
import { registeredTargetKinds } from '../access/targets';

// Every REST route and every GraphQL field that runs code must name its policy (@Can or
// @Public), and every target it names must be findable in the request. A module merged
// without guards fails here.

describe('route guards', () => {
  let app: NestFastifyApplication;
  let schema: GraphQLSchema;
  let rest: Handler[] = [];
  let graphql: Handler[] = [];

  beforeAll(async () => {
    app = await createApiApp(
      testApiConfig('postgresql://guards@127.0.0.1:1/none', { poolSize: 1 }),
      ['error'],
    );
    await app.init();
    ({ rest, graphql, schema } = enumerateHandlers(app));
  });

  afterAll(async () => {
    await app?.close();
  });

  it('finds the routes and fields to check', () => {
    expect(rest.length).toBeGreaterThan(60);
    expect(graphql.length).toBeGreaterThan(40);
    // Every field of Query and Mutation, and every field computed by a resolver, is a handler here.
    const handled = new Set(graphql.map((h) => h.name));
    for (const root of ['Query', 'Mutation']) {
      const type = schema.getType(root) as { getFields(): Record<string, unknown> };
      for (const field of Object.keys(type.getFields()))
        expectWithMessage(handled, `${root}.${field}`).toContain(`${root}.${field}`);
    }
    const plain = Object.values(schema.getTypeMap())
      .filter(
        (t) =>
          !t.name.startsWith('__') &&
          !['Query', 'Mutation'].includes(t.name) &&
          'getFields' in t &&
          !('getValues' in t),
      )
      .flatMap((t) =>
        Object.keys((t as { getFields(): object }).getFields()).map((f) => `${t.name}.${f}`),
      );
    const computed = plain.filter((f) => handled.has(f));
    console.log(
      `route guards: ${rest.length} REST routes, ${graphql.length - computed.length} GraphQL root fields and ${computed.length} computed fields enumerated (${plain.length - computed.length} plain fields are data of guarded objects)`,
    );
  });

  it('guards every REST route and GraphQL field with a policy', () => {
    const unguarded = [...rest, ...graphql].filter((h) => !h.policy).map((h) => h.name);
    expect(unguarded).toEqual([]);
  });

  it('names only known actions and target kinds, with ids the handler receives', () => {
    const problems: string[] = [];
    const kinds = new Set(registeredTargetKinds());
    for (const handler of [...rest, ...graphql]) {
      const policy = handler.policy;
      if (!policy || policy.kind === 'public') continue;
      if (!(actions as readonly string[]).includes(policy.action))
        problems.push(`${handler.name}: action ${policy.action}`);
      if (policy.kind !== 'target') continue;
      const refs: TargetRef[] = [...policy.anyOf, ...policy.also];
      for (const ref of refs) {
        if (!kinds.has(ref.kind)) problems.push(`${handler.name}: kind ${ref.kind}`);
        const allowed: Place[] =
          handler.transport === 'rest' ? ['route', 'query', 'body'] : ['args', 'input', 'parent'];
        if (!allowed.includes(ref.place))
          problems.push(`${handler.name}: ${ref.field} read from ${ref.place}`);
        else if (!handler.fields.get(ref.place)?.has(ref.field.split('.')[0]))
          problems.push(`${handler.name}: no ${ref.field} in the ${ref.place}`);
        // An id the guard needs is one validation insists on, so that a request without it
        // (or with a bad one) is refused before the handler runs.
        else if (
          !ref.optional &&
          !ref.absent &&
          ref.place !== 'parent' &&
          !handler.requiredIds.has(ref.field)
        )
          problems.push(`${handler.name}: ${ref.field} is not a required id`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('keeps every billing route and field behind an action viewers do not hold', () => {
    const billingFields = new Set([
      'billingMetrics',
      'createBillingMetric',
      'updateBillingMetric',
      'plans',
      'plan',
      'createPlan',
      'addPlanVersion',
      'billingAccount',
      'updateBillingAccount',
      'subscriptions',
      'subscribe',
      'changeSubscriptionPlan',
      'cancelSubscription',
      'invoices',
      'invoice',
      'invoiceLineMovements',
      'payInvoice',
      'voidInvoice',
      'billingUsage',
      'budgets',
      'createBudget',
      'deleteBudget',
      'startBillingRun',
      'monthlyBillingReport',
    ]);
    const billing = [
      ...rest.filter((h) => h.name.split(' ')[1]!.startsWith('/api/billing/')),
      ...graphql.filter((h) => billingFields.has(h.name.split('.')[1]!)),
    ];
    // 29 REST routes (metrics 3, plans 4, account 2, subscriptions 4, invoices 8, usage 1,
    // budgets 3, runs 1, reports 3) and the 24 GraphQL root fields above (files are REST only).
    expect(billing.map((h) => h.name).filter((n) => n.includes('/api/'))).toHaveLength(29);
    expect(billing.filter((h) => h.transport === 'graphql')).toHaveLength(billingFields.size);
    const actionsOf = Object.fromEntries(
      billing.map((h) => [h.name, h.policy && h.policy.kind !== 'public' ? h.policy.action : null]),
    );
    // Metrics carry no prices; everything else is money or the platform's.
    const allowed = [
      'billing.read',
      'billing.manage',
      'plan.read',
      'plan.manage',
      'billing.report',
    ];
    for (const [name, action] of Object.entries(actionsOf))
      expectWithMessage(action, name).not.toBeNull();
    expect(
      Object.entries(actionsOf)
        .filter(([, action]) => action !== 'metric.read' && !allowed.includes(action ?? ''))
        .map(([name]) => name),
    ).toEqual([]);
    expect(
      Object.entries(actionsOf)
        .filter(([, a]) => a === 'metric.read')
        .map(([n]) => n)
        .sort(),
    ).toEqual(['GET /api/billing/metrics', 'Query.billingMetrics']);
  });

  it('leaves only health, sign-in and the account links public', () => {
    const open = [...rest, ...graphql]
      .filter((h) => h.policy?.kind === 'public')
      .map((h) => h.name);
    expect(open.sort()).toEqual(
      [
        'GET /api/health',
        'GET /api/invitations/lookup',
        'POST /api/auth/password-reset',
        'POST /api/auth/password-reset/request',
        'POST /api/auth/register',
        'POST /api/auth/resend-verification',
        'POST /api/auth/sign-in',
        'POST /api/auth/sign-out',
        'POST /api/auth/verify-email',
        'POST /api/invitations/accept',
      ].sort(),
    );
  });
});

import { defineJobType, params, type JobType } from '@sextant/jobs';
import { checkBudgets } from './budgets.repository';
import type { BillingEngine, RunMode } from './invoicing';

// billing-run: bills the run's owner (an organisation). Submitted by the worker when a period's
// grace ends, when a budget is crossed, or by hand from /api/billing/runs ("refresh draft",
// "finalise now"). Runs are idempotent: a second run, or two at once, give the same documents.

export const billingRunType = 'billing-run';

const schema = params({
  mode: {
    type: 'enum',
    title: 'Mode',
    description:
      'refresh: rewrite the drafts; finalise: also finalise every ended period now; auto: finalise the periods whose grace period is over.',
    values: ['refresh', 'finalise', 'auto'],
    default: 'auto',
  },
  at: {
    type: 'datetime',
    title: 'As of',
    description: 'The time the run bills as of (default: when it is submitted).',
  },
});

/**
 * The billing-run job type. `engine` is the worker's (the API only validates submissions and
 * never runs the step).
 */
export function createBillingRunJob(engine?: () => BillingEngine): JobType {
  return defineJobType({
    name: billingRunType,
    title: 'Billing run',
    description: "Drafts, refreshes and finalises the organisation's invoices; checks its budgets.",
    params: schema,
    prepare: (p, now) => ({ ...p, at: p.at ?? now.toISOString() }),
    options: { timeoutSeconds: 600, maxAttempts: 3, backoffSeconds: 10 },
    steps: [
      {
        name: 'bill',
        async run(ctx) {
          if (!engine) throw new Error('billing runs are run by the worker');
          const billing = engine();
          const at = new Date(ctx.params.at!);
          const summary = await billing.run({
            mode: ctx.params.mode as RunMode,
            at,
            organisationIds: [ctx.ownerId],
            onProgress: (done, total) => ctx.progress(Math.round((done / total) * 90)),
          });
          for (const problem of summary.problems) ctx.log.error(problem);
          if (summary.finalised.length) ctx.log.info(`finalised ${summary.finalised.join(', ')}`);
          if (summary.creditNotes.length)
            ctx.log.info(`credit notes ${summary.creditNotes.join(', ')}`);
          const crossings = await checkBudgets(billing.database, ctx.ownerId, at);
          for (const crossing of crossings) {
            ctx.raiseAlert({
              nodeId: ctx.ownerId,
              title: crossing.title,
              priority: crossing.threshold >= 100 ? 'high' : 'medium',
              description: crossing.description,
              dedupeKey: crossing.key,
              metadata: { budgetId: crossing.budgetId, threshold: crossing.threshold },
            });
          }
          if (summary.problems.length) throw new Error(summary.problems.join('; '));
          return {
            drafts: summary.drafts,
            finalised: summary.finalised,
            creditNotes: summary.creditNotes,
            budgetAlerts: crossings.length,
          };
        },
      },
    ],
  });
}

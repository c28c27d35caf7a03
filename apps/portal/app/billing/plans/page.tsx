'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Suspense, useState, type FormEvent } from 'react';
import {
  BillingFrame,
  Money,
  OrganisationPicker,
  useBillingOrganisation,
} from '@/components/billing';
import { EntityForm } from '@/components/entity-form';
import { ErrorBanner } from '@/components/error-banner';
import {
  api,
  ApiError,
  type BillingMetric,
  type BillingPlan,
  type BillingPlanDetail,
  type PlanCharge,
  type Subscription,
} from '@/lib/api';
import { formatPrice, formatQuantity } from '@/lib/format';
import { canAnywhere, useMe } from '@/lib/session';
import { dateTime } from '@/lib/time';

const modelNames: Record<PlanCharge['model'], string> = {
  per_unit: 'per unit',
  graduated: 'graduated',
  volume: 'volume',
  package: 'package',
};

function ChargeTerms({
  charge,
  currency,
  unit,
}: {
  charge: PlanCharge;
  currency: string;
  unit: string;
}) {
  const money = (amount: string) => <Money amount={amount} currency={currency} />;
  // Unit prices keep all their digits (a fraction of a cent per point is common).
  const price = (amount: string) => formatPrice(amount, currency);
  return (
    <>
      <span className="badge badge-idle">{modelNames[charge.model]}</span>{' '}
      {charge.model === 'per_unit' && charge.unitPrice
        ? `${price(charge.unitPrice)} / ${unit}`
        : null}
      {charge.model === 'package' && charge.packageSize && charge.packagePrice ? (
        <>
          {money(charge.packagePrice)} per {formatQuantity(charge.packageSize)} {unit}
        </>
      ) : null}
      {charge.tiers?.length ? (
        <ul className="tiers">
          {charge.tiers.map((t, k) => (
            <li key={k}>
              {t.upTo !== null ? `up to ${formatQuantity(t.upTo)}` : 'above'}: {price(t.unitPrice)}{' '}
              / {unit}
              {t.flatFee ? <> + {money(t.flatFee)}</> : null}
            </li>
          ))}
        </ul>
      ) : null}
    </>
  );
}

function PlanCard({
  plan,
  current,
  metrics,
}: {
  plan: BillingPlan;
  current: boolean;
  metrics: Map<string, BillingMetric>;
}) {
  const detail = useQuery({
    queryKey: ['billing-plan', plan.id],
    queryFn: () => api<BillingPlanDetail>(`/api/billing/plans/${plan.id}`),
  });
  const versions = [...(detail.data?.versions ?? [])].sort(
    (a, b) => Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom),
  );
  return (
    <div className="panel" data-testid={`plan-${plan.code}`}>
      <div className="toolbar">
        <h2 style={{ marginRight: 'auto' }}>
          {plan.name} <code className="muted">{plan.code}</code>
        </h2>
        {current ? <span className="badge badge-ok">current plan</span> : null}
        <span className="muted">
          {plan.currency}, billed every {plan.interval}
        </span>
      </div>
      {plan.description ? <p className="muted">{plan.description}</p> : null}
      <ErrorBanner error={detail.error} />
      {versions.map((v) => (
        <details key={v.id} open={v.id === versions[0]?.id}>
          <summary>
            From {dateTime(v.effectiveFrom)}
            {v.organisationId ? ' (this organisation’s prices)' : ''}: fixed fee{' '}
            {v.fixedFee !== null ? <Money amount={v.fixedFee} currency={plan.currency} /> : '—'}
          </summary>
          <div className="table-wrap">
            <table data-testid="plan-charges">
              <thead>
                <tr>
                  <th>Metric</th>
                  <th>Price</th>
                  <th>Included</th>
                  <th>Minimum</th>
                  <th>Cap</th>
                  <th>Quota</th>
                </tr>
              </thead>
              <tbody>
                {v.charges.map((c) => {
                  const unit = metrics.get(c.metricId)?.unit ?? '';
                  return (
                    <tr key={c.id}>
                      <td>
                        {metrics.get(c.metricId)?.name ?? c.metricCode}{' '}
                        <code className="muted">{c.metricCode}</code>
                      </td>
                      <td>
                        <ChargeTerms charge={c} currency={plan.currency} unit={unit} />
                      </td>
                      <td className="number">
                        {formatQuantity(c.includedQuantity)} {unit}
                      </td>
                      <td className="number">
                        {c.minimumAmount ? (
                          <Money amount={c.minimumAmount} currency={plan.currency} />
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="number">
                        {c.capAmount ? (
                          <Money amount={c.capAmount} currency={plan.currency} />
                        ) : (
                          '—'
                        )}
                      </td>
                      <td className="number">
                        {c.quota ? `${formatQuantity(c.quota)} ${unit}` : '—'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </details>
      ))}
    </div>
  );
}

/** The plan and the time of a change; the API's 400 reasons are shown beside their fields. */
function ChangePlanForm({
  subscription,
  plans,
  onDone,
}: {
  subscription: Subscription;
  plans: BillingPlan[];
  onDone: () => Promise<unknown>;
}) {
  const [planId, setPlanId] = useState(plans.find((p) => p.id !== subscription.planId)?.id ?? '');
  const [at, setAt] = useState('');
  const change = useMutation({
    mutationFn: () =>
      api(`/api/billing/subscriptions/${subscription.id}/change`, {
        method: 'POST',
        body: { planId, at: at ? new Date(at).toISOString() : '' },
      }),
    onSuccess: onDone,
  });
  const error = change.error instanceof ApiError ? change.error : null;
  const fieldError = (field: string) => {
    const reason = error?.forField(field);
    return reason ? (
      <div className="field-error" data-testid={`error-${field}`}>
        {reason}
      </div>
    ) : null;
  };
  const unmatched =
    change.error && (!error || error.errors.every((e) => !['planId', 'at'].includes(e.field)));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      {unmatched ? (
        <div className="wide">
          <ErrorBanner error={change.error} />
        </div>
      ) : null}
      <div>
        <label htmlFor="change-plan-id">New plan</label>
        <select
          id="change-plan-id"
          name="planId"
          value={planId}
          onChange={(e) => setPlanId(e.target.value)}
        >
          {plans.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name} ({p.code})
            </option>
          ))}
        </select>
        {fieldError('planId')}
      </div>
      <div>
        <label htmlFor="change-plan-at">From</label>
        <input
          id="change-plan-at"
          name="at"
          type="datetime-local"
          value={at}
          onChange={(e) => setAt(e.target.value)}
        />
        <p className="muted">The old plan is billed up to this time, the new one from it.</p>
        {fieldError('at')}
      </div>
      <div className="wide">
        <button type="submit" className="primary" disabled={change.isPending}>
          Change plan
        </button>
        {change.isSuccess ? <span className="muted"> Changed.</span> : null}
      </div>
    </form>
  );
}

function SubscriptionPanel({
  organisationId,
  subscription,
  plans,
}: {
  organisationId: string;
  subscription: Subscription;
  plans: BillingPlan[];
}) {
  const client = useQueryClient();
  const me = useMe();
  const refresh = () =>
    client.invalidateQueries({ queryKey: ['billing-subscriptions', organisationId] });
  const active = !subscription.endsAt || Date.parse(subscription.endsAt) > Date.now();
  return (
    <div className="panel" data-testid="subscription">
      <h2>Subscription</h2>
      <dl className="details">
        <dt>Plan</dt>
        <dd data-testid="subscription-plan">{subscription.planName}</dd>
        <dt>Since</dt>
        <dd>{dateTime(subscription.startsAt)}</dd>
        <dt>Ends</dt>
        <dd>{subscription.endsAt ? dateTime(subscription.endsAt) : 'not planned'}</dd>
      </dl>
      {active && canAnywhere(me.data, 'billing.manage') ? (
        <div className="cards">
          <div className="card" data-testid="change-plan">
            <strong>Change plan</strong>
            <ChangePlanForm subscription={subscription} plans={plans} onDone={refresh} />
          </div>
          <div className="card" data-testid="cancel-subscription">
            <strong>Cancel</strong>
            <EntityForm
              fields={[
                {
                  name: 'when',
                  label: 'When',
                  kind: 'select',
                  options: ['period_end', 'now'],
                  required: true,
                  hint: "period_end: billed to the period's end; now: ends (and is billed) now",
                },
              ]}
              initial={{ when: 'period_end' }}
              submitLabel="Cancel subscription"
              onSubmit={async (values) => {
                await api(`/api/billing/subscriptions/${subscription.id}/cancel`, {
                  method: 'POST',
                  body: values,
                });
                await refresh();
              }}
            />
          </div>
        </div>
      ) : null}
    </div>
  );
}

function Plans() {
  const organisation = useBillingOrganisation();
  const { organisationId } = organisation;
  const plans = useQuery({
    queryKey: ['billing-plans'],
    queryFn: () => api<BillingPlan[]>('/api/billing/plans'),
  });
  const subscriptions = useQuery({
    queryKey: ['billing-subscriptions', organisationId],
    queryFn: () =>
      api<Subscription[]>(`/api/billing/organisations/${organisationId}/subscriptions`),
    enabled: !!organisationId,
  });
  const metricList = useQuery({
    queryKey: ['billing-metrics'],
    queryFn: () => api<BillingMetric[]>('/api/billing/metrics'),
  });
  const metrics = new Map((metricList.data ?? []).map((m) => [m.id, m]));
  const current = subscriptions.data?.find((s) => !s.endsAt || Date.parse(s.endsAt) > Date.now());
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Plans</h1>
        <OrganisationPicker {...organisation} />
      </div>
      <ErrorBanner error={plans.error ?? subscriptions.error} />
      {organisationId && subscriptions.data ? (
        current && plans.data ? (
          <SubscriptionPanel
            organisationId={organisationId}
            subscription={current}
            plans={plans.data}
          />
        ) : (
          <p className="muted">This organisation has no subscription.</p>
        )
      ) : null}
      {plans.data?.map((p) => (
        <PlanCard key={p.id} plan={p} current={p.id === current?.planId} metrics={metrics} />
      ))}
    </section>
  );
}

export default function PlansPage() {
  return (
    <Suspense>
      <BillingFrame>
        <Plans />
      </BillingFrame>
    </Suspense>
  );
}

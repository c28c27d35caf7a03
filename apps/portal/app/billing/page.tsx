'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { Suspense, useState } from 'react';
import {
  BillingFrame,
  Money,
  OrganisationPicker,
  useBillingOrganisation,
} from '@/components/billing';
import { ErrorBanner } from '@/components/error-banner';
import { EntityForm, type FieldSpec } from '@/components/entity-form';
import { JobStateBadge, ProgressBar } from '@/components/jobs';
import { UsageChart } from '@/components/usage-chart';
import {
  api,
  query,
  type BillingBudget,
  type BillingMetric,
  type BillingPlanDetail,
  type BillingUsage,
  type Invoice,
  type JobRun,
  type JobRunDetail,
  type MetricUsage,
  type Page,
  type Subscription,
} from '@/lib/api';
import { formatQuantity } from '@/lib/format';
import { canAnywhere, useMe } from '@/lib/session';
import { dateTime, periodText } from '@/lib/time';

/** How much of the included quantity (or of the quota) is used, as a bar's width. */
function share(used: string, of: string | null): number | null {
  if (of === null || Number(of) <= 0) return null;
  return Math.min(100, (Number(used) / Number(of)) * 100);
}

/**
 * The chart's points: the series holds each bucket's own aggregate, so additive metrics are
 * summed up to each bucket to compare with the quantity so far and its forecast. A maximum,
 * latest value or unique count does not add up over buckets: it is drawn at its value so far.
 */
function chartPoints(metric: MetricUsage, additive: boolean): { at: number; quantity: number }[] {
  let sum = 0;
  return metric.series.map((p) => {
    sum = additive ? sum + Number(p.quantity) : Number(metric.quantity);
    return { at: Date.parse(p.at), quantity: sum };
  });
}

function MetricPanel({
  usage,
  metric,
  allowance,
  additive,
}: {
  usage: BillingUsage;
  metric: MetricUsage;
  /** The plan's included quantity of the metric (prorated on invoices; whole here). */
  allowance: string | null;
  additive: boolean;
}) {
  const included = share(metric.quantity, allowance);
  const quota = share(metric.quantity, metric.quota);
  return (
    <div className="panel" data-testid={`usage-${metric.code}`}>
      <div className="toolbar">
        <strong style={{ marginRight: 'auto' }}>{metric.name}</strong>
        <span className="muted">
          so far <Money amount={metric.amount} currency={usage.currency} />
        </span>
      </div>
      <dl className="details">
        <dt>Used</dt>
        <dd data-testid="usage-quantity">
          {formatQuantity(metric.quantity)} {metric.unit}
        </dd>
        <dt>Included</dt>
        <dd>
          {allowance !== null ? `${formatQuantity(allowance)} ${metric.unit}` : '—'}
          <span className="muted">
            {' '}
            ({formatQuantity(metric.included)} {metric.unit} of the usage covered)
          </span>
        </dd>
        <dt>Quota</dt>
        <dd>{metric.quota !== null ? `${formatQuantity(metric.quota)} ${metric.unit}` : 'none'}</dd>
        <dt>Forecast</dt>
        <dd data-testid="usage-forecast">
          {formatQuantity(metric.forecastQuantity)} {metric.unit} by the period&apos;s end (
          <Money amount={metric.forecastAmount} currency={usage.currency} />)
        </dd>
        <dt>Settled up to</dt>
        <dd>{metric.rolledAt ? dateTime(metric.rolledAt) : 'not folded yet'}</dd>
      </dl>
      {included !== null ? (
        <ProgressBar percent={included} label={`${metric.name} of the included quantity`} />
      ) : null}
      {quota !== null ? (
        <ProgressBar percent={quota} label={`${metric.name} of the quota`} />
      ) : null}
      <UsageChart
        testId={`usage-chart-${metric.code}`}
        points={chartPoints(metric, additive)}
        forecast={Number(metric.forecastQuantity)}
        from={Date.parse(usage.periodStart)}
        to={Date.parse(usage.periodEnd)}
        included={allowance !== null ? Number(allowance) : null}
        quota={metric.quota !== null ? Number(metric.quota) : null}
        unit={metric.unit}
      />
    </div>
  );
}

/** The included quantity per metric of the organisation's plan, from its prices in effect. */
function useAllowances(organisationId: string | undefined): Map<string, string> {
  const subscriptions = useQuery({
    queryKey: ['billing-subscriptions', organisationId],
    queryFn: () =>
      api<Subscription[]>(`/api/billing/organisations/${organisationId}/subscriptions`),
    enabled: !!organisationId,
  });
  const now = Date.now();
  const current = subscriptions.data?.find(
    (s) => Date.parse(s.startsAt) <= now && (!s.endsAt || Date.parse(s.endsAt) > now),
  );
  const plan = useQuery({
    queryKey: ['billing-plan', current?.planId],
    queryFn: () => api<BillingPlanDetail>(`/api/billing/plans/${current!.planId}`),
    enabled: !!current,
  });
  const allowances = new Map<string, string>();
  // Latest prices first; an organisation's override before the plan's own of the same date.
  const versions = [...(plan.data?.versions ?? [])]
    .filter((v) => Date.parse(v.effectiveFrom) <= now)
    .sort(
      (a, b) =>
        Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom) ||
        Number(!!b.organisationId) - Number(!!a.organisationId),
    );
  for (const version of versions)
    for (const charge of version.charges)
      if (!allowances.has(charge.metricId))
        allowances.set(charge.metricId, charge.includedQuantity);
  return allowances;
}

/** The sum of two decimal strings, for a bar's width only (never shown as money). */
function addDecimals(a: string, b: string): string {
  return String(Number(a) + Number(b));
}

const budgetFields = (metrics: MetricUsage[]): FieldSpec[] => [
  { name: 'kind', label: 'Kind', kind: 'select', options: ['money', 'quantity'], required: true },
  {
    name: 'metricId',
    label: 'Metric (quantity budgets)',
    kind: 'select',
    // By code (a select shows its values); sent as the metric's id.
    options: ['', ...metrics.map((m) => m.code)],
    hint: metrics.map((m) => `${m.code}: ${m.name} (${m.unit})`).join(' · '),
  },
  { name: 'amount', label: 'Amount', kind: 'text', required: true, hint: 'A decimal, e.g. 500' },
  {
    name: 'thresholds',
    label: 'Thresholds (%)',
    kind: 'list',
    hint: 'One per line or between commas, e.g. 80, 100',
  },
];

function Budgets({ organisationId, usage }: { organisationId: string; usage: BillingUsage }) {
  const metricOf = (id: string | null) => usage.metrics.find((m) => m.metricId === id);
  const client = useQueryClient();
  const me = useMe();
  const [adding, setAdding] = useState(false);
  const key = ['billing-budgets', organisationId];
  const budgets = useQuery({
    queryKey: key,
    queryFn: () => api<BillingBudget[]>(`/api/billing/organisations/${organisationId}/budgets`),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/billing/budgets/${id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: key }),
  });
  const canManage = canAnywhere(me.data, 'billing.manage');
  return (
    <>
      <div className="toolbar">
        <h2 style={{ marginRight: 'auto' }}>Budgets</h2>
        {canManage ? (
          <button type="button" onClick={() => setAdding(!adding)}>
            {adding ? 'Close' : 'New budget'}
          </button>
        ) : null}
      </div>
      <ErrorBanner error={budgets.error ?? remove.error} />
      {adding ? (
        <div className="panel">
          <EntityForm
            fields={budgetFields(usage.metrics)}
            initial={{ kind: 'money', thresholds: [80, 100] }}
            submitLabel="Add budget"
            onSubmit={async (values) => {
              const thresholds = (values.thresholds as string[]).map(Number);
              await api(`/api/billing/organisations/${organisationId}/budgets`, {
                method: 'POST',
                body: {
                  ...values,
                  metricId: usage.metrics.find((m) => m.code === values.metricId)?.metricId,
                  thresholds: thresholds.length ? thresholds : undefined,
                },
              });
              setAdding(false);
              await client.invalidateQueries({ queryKey: key });
            }}
          />
        </div>
      ) : null}
      {budgets.data?.length === 0 ? <p className="muted">No budgets.</p> : null}
      {budgets.data?.map((b) => {
        const metric = metricOf(b.metricId);
        // Spend so far is the period's fixed fee and usage; a quantity budget is its metric's.
        const spent = addDecimals(usage.fixedFee, usage.amount);
        const used = share(b.kind === 'money' ? spent : (metric?.quantity ?? '0'), b.amount) ?? 0;
        const amount =
          b.kind === 'money' ? (
            <Money amount={b.amount} currency={usage.currency} />
          ) : (
            `${formatQuantity(b.amount)} ${metric?.unit ?? ''}`
          );
        return (
          <div className="panel" key={b.id} data-testid="budget">
            <div className="toolbar">
              <strong style={{ marginRight: 'auto' }}>
                {b.kind === 'money' ? 'Spend' : (metric?.name ?? 'Usage')} up to {amount}
              </strong>
              <span className="muted">
                alerts at {b.thresholds.map((t) => `${t} %`).join(', ')}
              </span>
              {canManage ? (
                <button
                  type="button"
                  className="danger"
                  disabled={remove.isPending}
                  onClick={() => remove.mutate(b.id)}
                >
                  Delete
                </button>
              ) : null}
            </div>
            <div className="budget-bar">
              <ProgressBar percent={used} label={`budget ${b.id} used`} />
              {b.thresholds.map((t) => (
                <span
                  key={t}
                  className="budget-threshold"
                  style={{ left: `${Math.min(100, t)}%` }}
                  title={`${t} %`}
                />
              ))}
            </div>
          </div>
        );
      })}
    </>
  );
}

/** A billing run as it goes: the job's progress for those who may read jobs, its link. */
function RunProgress({ run, mode }: { run: JobRunDetail; mode: 'refresh' | 'finalise' }) {
  const me = useMe();
  const canRead = canAnywhere(me.data, 'job.read');
  const job = useQuery({
    queryKey: ['job-run', run.id],
    queryFn: () => api<JobRun>(`/api/jobs/runs/${run.id}`),
    enabled: canRead,
    refetchInterval: (q) =>
      q.state.data && ['succeeded', 'failed', 'cancelled'].includes(q.state.data.state)
        ? false
        : 1500,
  });
  return (
    <div className="panel" data-testid="billing-run">
      <div className="toolbar">
        <span style={{ marginRight: 'auto' }}>
          {mode === 'finalise' ? 'Finalising' : 'Refreshing'}: job run{' '}
          {canRead ? (
            <Link href={`/jobs/${run.id}`}>
              <code>{run.id.slice(-8)}</code>
            </Link>
          ) : (
            <code>{run.id.slice(-8)}</code>
          )}
        </span>
        <JobStateBadge state={job.data?.state ?? run.state} />
      </div>
      <ProgressBar percent={job.data?.progress ?? run.progress} label="billing run progress" />
    </div>
  );
}

function Usage() {
  const organisation = useBillingOrganisation();
  const { organisationId } = organisation;
  const client = useQueryClient();
  const me = useMe();
  const [run, setRun] = useState<{ run: JobRunDetail; mode: 'refresh' | 'finalise' } | null>(null);
  const usage = useQuery({
    queryKey: ['billing-usage', organisationId],
    queryFn: () => api<BillingUsage>(`/api/billing/organisations/${organisationId}/usage`),
    enabled: !!organisationId,
    refetchInterval: 30_000,
  });
  const start = useMutation({
    mutationFn: (mode: 'refresh' | 'finalise') =>
      api<JobRunDetail>('/api/billing/runs', { method: 'POST', body: { organisationId, mode } }),
    onSuccess: (answer, mode) => {
      setRun({ run: answer, mode });
      void client.invalidateQueries({ queryKey: ['billing-usage', organisationId] });
      void client.invalidateQueries({ queryKey: ['billing-invoices'] });
    },
  });
  const drafts = useQuery({
    queryKey: ['billing-invoices', 'draft', organisationId],
    queryFn: () =>
      api<Page<Invoice>>(
        `/api/billing/invoices${query({ organisationId, kind: 'invoice', state: 'draft', limit: 10 })}`,
      ),
    enabled: !!organisationId,
  });
  const allowances = useAllowances(organisationId);
  const metrics = useQuery({
    queryKey: ['billing-metrics'],
    queryFn: () => api<BillingMetric[]>('/api/billing/metrics'),
  });
  const additive = (metricId: string) => {
    const aggregation = metrics.data?.find((m) => m.id === metricId)?.aggregation ?? 'sum';
    return ['sum', 'count', 'time_weighted_sum'].includes(aggregation);
  };
  const canManage = canAnywhere(me.data, 'billing.manage');
  const u = usage.data;
  // The draft of the current period (a closed period's may still be in its grace).
  const draft = drafts.data?.items.find((d) => d.periodStart === u?.periodStart);
  // The oldest watermark: every metric is settled up to it.
  const settled = u?.metrics
    .map((m) => m.rolledAt)
    .filter((t): t is string => !!t)
    .sort()[0];
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Usage</h1>
        <OrganisationPicker {...organisation} />
        {canManage && organisationId ? (
          <>
            <button
              type="button"
              disabled={start.isPending}
              onClick={() => start.mutate('refresh')}
            >
              Refresh draft
            </button>
            <button
              type="button"
              className="primary"
              disabled={start.isPending}
              onClick={() => start.mutate('finalise')}
            >
              Finalise now
            </button>
          </>
        ) : null}
      </div>
      {organisation.organisations?.length === 0 ? (
        <p className="muted">No organisation to bill.</p>
      ) : null}
      <ErrorBanner error={usage.error ?? start.error} />
      {run ? <RunProgress run={run.run} mode={run.mode} /> : null}
      {u ? (
        <>
          <div className="cards wide">
            <div className="card">
              <div className="muted">Period</div>
              <div className="figure small">{periodText(u.periodStart, u.periodEnd)}</div>
              <div className="muted">
                fixed fee <Money amount={u.fixedFee} currency={u.currency} />
              </div>
            </div>
            <div className="card">
              <div className="muted">Current draft</div>
              <div className="figure" data-testid="draft-total">
                {draft ? (
                  <Link href={`/billing/invoices/${draft.id}`}>
                    <Money amount={draft.total} currency={draft.currency} />
                  </Link>
                ) : (
                  <span className="muted">none yet</span>
                )}
              </div>
              <div className="muted">
                usage so far <Money amount={u.amount} currency={u.currency} />, forecast{' '}
                <Money amount={u.forecastAmount} currency={u.currency} />
              </div>
            </div>
            <div className="card">
              <div className="muted">Settled up to</div>
              <div className="figure small" data-testid="settled-up-to">
                {settled ? dateTime(settled) : '—'}
              </div>
              <div className="muted">usage written later shows on the next refresh</div>
            </div>
          </div>
          {u.metrics.map((m) => (
            <MetricPanel
              key={m.metricId}
              usage={u}
              metric={m}
              allowance={allowances.get(m.metricId) ?? null}
              additive={additive(m.metricId)}
            />
          ))}
          {organisationId ? <Budgets organisationId={organisationId} usage={u} /> : null}
        </>
      ) : usage.isLoading ? (
        <p className="muted">Loading…</p>
      ) : null}
    </section>
  );
}

export default function BillingPage() {
  return (
    <Suspense>
      <BillingFrame>
        <Usage />
      </BillingFrame>
    </Suspense>
  );
}

'use client';

import { useQuery } from '@tanstack/react-query';
import { Suspense, useState } from 'react';
import { BillingFrame, Money } from '@/components/billing';
import { DataTable, type Column } from '@/components/data-table';
import { ErrorBanner } from '@/components/error-banner';
import { api, query, type CurrencyReport, type MonthlyReport, type ReportRow } from '@/lib/api';

/** The month before the current one (UTC): the last one that is closed. */
function lastMonth(now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return d.toISOString().slice(0, 7);
}

function rowColumns(report: CurrencyReport, first: string): Column<ReportRow>[] {
  const money = (amount: string) => (
    <Money amount={amount} currency={report.currency} digits={report.minorUnits} />
  );
  return [
    { label: first, render: (r) => r.label },
    { label: 'Net', className: 'number', render: (r) => money(r.net) },
    { label: 'Previous month', className: 'number', render: (r) => money(r.previousNet) },
    {
      label: 'Change',
      className: 'number',
      render: (r) => <Change now={r.net} before={r.previousNet} currency={report.currency} />,
    },
  ];
}

/** The change from the previous month, by subtracting decimal strings as scaled integers. */
function Change({ now, before, currency }: { now: string; before: string; currency: string }) {
  const scale = (s: string) => {
    const [whole, fraction = ''] = s.replace('-', '').split('.');
    const digits = BigInt(`${whole}${fraction.padEnd(6, '0').slice(0, 6)}`);
    return s.startsWith('-') ? -digits : digits;
  };
  const diff = scale(now) - scale(before);
  const sign = diff < 0n ? '-' : '+';
  const abs = (diff < 0n ? -diff : diff).toString().padStart(7, '0');
  const text = `${abs.slice(0, -6)}.${abs.slice(-6)}`;
  return (
    <span className={diff < 0n ? 'problem' : undefined}>
      {sign}
      <Money amount={text} currency={currency} />
    </span>
  );
}

function CurrencySection({ report }: { report: CurrencyReport }) {
  const money = (amount: string, testId?: string) => (
    <Money amount={amount} currency={report.currency} digits={report.minorUnits} testId={testId} />
  );
  const organisationColumns: Column<CurrencyReport['byOrganisation'][number]>[] = [
    ...rowColumns(report, 'Organisation').slice(0, 1),
    { label: 'Invoiced', className: 'number', render: (r) => money(r.invoiced) },
    { label: 'Credited', className: 'number', render: (r) => money(r.credited) },
    { label: 'Paid', className: 'number', render: (r) => money(r.paid) },
    ...rowColumns(report, 'Organisation').slice(1),
  ];
  const table = <T extends ReportRow>(
    title: string,
    rows: T[],
    columns: Column<T>[],
    testId: string,
  ) => (
    <>
      <h3>{title}</h3>
      <DataTable
        testId={testId}
        columns={columns}
        rows={{ data: rows, error: null, isLoading: false }}
        rowKey={(r) => r.key}
        empty="Nothing billed."
      />
    </>
  );
  return (
    <div className="panel" data-testid={`report-${report.currency}`}>
      <h2>{report.currency}</h2>
      <div className="cards">
        {(
          [
            ['Invoiced', report.invoiced, 'report-invoiced'],
            ['Credited', report.credited, 'report-credited'],
            ['Net', report.net, 'report-net'],
            ['Paid', report.paid, 'report-paid'],
            ['Outstanding', report.outstanding, 'report-outstanding'],
          ] as const
        ).map(([label, amount, testId]) => (
          <div className="card" key={label}>
            <div className="muted">{label}</div>
            <div className="figure">{money(amount, testId)}</div>
          </div>
        ))}
        <div className="card">
          <div className="muted">Month over month</div>
          <div className="figure">
            <Change now={report.net} before={report.previousNet} currency={report.currency} />
          </div>
          <div className="muted">previous net {money(report.previousNet)}</div>
        </div>
      </div>
      {table('By organisation', report.byOrganisation, organisationColumns, 'report-organisations')}
      {table('By metric', report.byMetric, rowColumns(report, 'Metric'), 'report-metrics')}
      {table('By resource', report.byResource, rowColumns(report, 'Resource'), 'report-resources')}
    </div>
  );
}

function Reports() {
  const [month, setMonth] = useState(lastMonth);
  const report = useQuery({
    queryKey: ['billing-report', month],
    queryFn: () => api<MonthlyReport>(`/api/billing/reports/monthly${query({ month })}`),
    enabled: /^\d{4}-\d{2}$/.test(month),
  });
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Monthly report</h1>
        <label htmlFor="report-month">Month</label>
        <input
          id="report-month"
          type="month"
          value={month}
          onChange={(e) => setMonth(e.target.value)}
          style={{ width: 'auto' }}
        />
        <a className="button" href={`/api/billing/reports/monthly.pdf${query({ month })}`} download>
          PDF
        </a>
        <a className="button" href={`/api/billing/reports/monthly.csv${query({ month })}`} download>
          CSV
        </a>
      </div>
      <ErrorBanner error={report.error} />
      {report.isLoading ? <p className="muted">Loading…</p> : null}
      {report.data?.currencies.length === 0 ? (
        <p className="muted">Nothing was invoiced or credited in {month}.</p>
      ) : null}
      {report.data?.currencies.map((c) => (
        <CurrencySection key={c.currency} report={c} />
      ))}
    </section>
  );
}

export default function ReportsPage() {
  return (
    <Suspense>
      <BillingFrame platformOnly>
        <Reports />
      </BillingFrame>
    </Suspense>
  );
}

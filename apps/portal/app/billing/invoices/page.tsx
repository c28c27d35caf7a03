'use client';

import Link from 'next/link';
import { Suspense, useState } from 'react';
import {
  BillingFrame,
  InvoiceStateBadge,
  Money,
  OrganisationPicker,
  useBillingOrganisation,
} from '@/components/billing';
import { DataTable, usePagedList, type Column } from '@/components/data-table';
import { query, type Invoice } from '@/lib/api';
import { periodText } from '@/lib/time';

const kinds = ['invoice', 'credit_note'] as const;
const states = ['draft', 'finalised', 'paid', 'void'] as const;

const columns: Column<Invoice>[] = [
  {
    label: 'Number',
    render: (i) => (
      <Link href={`/billing/invoices/${i.id}`} data-testid="invoice-link">
        {i.number ?? <span className="muted">draft</span>}
      </Link>
    ),
  },
  { label: 'Kind', render: (i) => (i.kind === 'credit_note' ? 'credit note' : 'invoice') },
  { label: 'State', render: (i) => <InvoiceStateBadge state={i.state} /> },
  { label: 'Organisation', render: (i) => i.organisationName },
  { label: 'Period', render: (i) => periodText(i.periodStart, i.periodEnd) },
  {
    label: 'Issued',
    render: (i) =>
      i.issuedAt ? String(i.issuedAt).slice(0, 10) : <span className="muted">—</span>,
  },
  {
    label: 'Subtotal',
    className: 'number',
    render: (i) => <Money amount={i.subtotal} currency={i.currency} />,
  },
  {
    label: 'Total',
    className: 'number',
    render: (i) => <Money amount={i.total} currency={i.currency} testId="invoice-total" />,
  },
];

function Invoices() {
  const organisation = useBillingOrganisation({ allowAll: true });
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const params = { organisationId: organisation.organisationId, kind, state };
  const invoices = usePagedList<Invoice>('/api/billing/invoices', params, {
    key: 'billing-invoices',
    enabled: organisation.ready,
  });
  const exportQuery = query({ organisationId: organisation.organisationId, kind, state });
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Invoices</h1>
        <a className="button" href={`/api/billing/invoices.csv${exportQuery}`} download>
          Invoices CSV
        </a>
        <a
          className="button"
          href={`/api/billing/usage-lines.csv${query({ organisationId: organisation.organisationId })}`}
          download
        >
          Usage lines CSV
        </a>
      </div>
      <div className="toolbar">
        <OrganisationPicker {...organisation} />
        <label htmlFor="filter-kind">Kind</label>
        <select
          id="filter-kind"
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          style={{ width: 'auto' }}
        >
          <option value="">all</option>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {k === 'credit_note' ? 'credit note' : k}
            </option>
          ))}
        </select>
        <label htmlFor="filter-state">State</label>
        <select
          id="filter-state"
          value={state}
          onChange={(e) => setState(e.target.value)}
          style={{ width: 'auto' }}
        >
          <option value="">all</option>
          {states.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </div>
      <DataTable
        testId="billing-invoices"
        columns={columns}
        rows={invoices.list}
        paged={invoices.pager}
        rowTestId={(i) => `invoice-${i.number ?? 'draft'}`}
        rowClassName={(i) => (i.state === 'void' ? 'row-void' : undefined)}
        empty={kind || state ? 'No invoices match.' : 'No invoices yet.'}
      />
    </section>
  );
}

export default function InvoicesPage() {
  return (
    <Suspense>
      <BillingFrame>
        <Invoices />
      </BillingFrame>
    </Suspense>
  );
}

'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Suspense, useState, type FormEvent } from 'react';
import { BillingFrame, InvoiceStateBadge, Money } from '@/components/billing';
import { DataTable, usePagedList, type Column } from '@/components/data-table';
import { ErrorBanner } from '@/components/error-banner';
import { NodeLink, ResourceLabel } from '@/components/lookups';
import {
  api,
  ApiError,
  query,
  type Invoice,
  type InvoiceDetail,
  type InvoiceLine,
  type Movement,
  type Page,
} from '@/lib/api';
import { formatPrice, formatQuantity, formatRate } from '@/lib/format';
import { useMe } from '@/lib/session';
import { dateTime, periodText } from '@/lib/time';

const lineKinds: Record<InvoiceLine['kind'], string> = {
  fixed_fee: 'fixed fee',
  usage: 'usage',
  adjustment: 'adjustment',
  credit: 'credit',
};

const movementColumns: Column<Movement>[] = [
  {
    label: 'Movement',
    render: (m) => <code title={m.id}>{m.id.slice(-12)}</code>,
  },
  { label: 'Start', render: (m) => dateTime(m.start) },
  { label: 'Resource', render: (m) => <ResourceLabel id={m.resourceId} /> },
  { label: 'From', render: (m) => <NodeLink id={m.sourceId} /> },
  { label: 'To', render: (m) => <NodeLink id={m.destinationId} /> },
  { label: 'Quantity', className: 'number', render: (m) => formatQuantity(m.quantity) },
  { label: 'Origin', render: (m) => m.origin },
  {
    label: 'Corrects',
    render: (m) =>
      m.correctsId ? <code>{m.correctsId.slice(-12)}</code> : <span className="muted">—</span>,
  },
];

/** The exact movements a line was rated from, a page at a time. */
function LineMovements({ invoiceId, lineId }: { invoiceId: string; lineId: string }) {
  const movements = usePagedList<Movement>(
    `/api/billing/invoices/${invoiceId}/lines/${lineId}/movements`,
    {},
    { key: 'billing-line-movements' },
  );
  return (
    <DataTable
      testId="line-movements"
      columns={movementColumns}
      rows={movements.list}
      paged={movements.pager}
      empty="No movements: this line is not rated from usage."
    />
  );
}

function LineRow({ invoice, line }: { invoice: InvoiceDetail; line: InvoiceLine }) {
  const [open, setOpen] = useState<'tiers' | 'movements' | null>(null);
  const money = (amount: string) => <Money amount={amount} currency={invoice.currency} />;
  // Lines rated from a metric's movements can list them.
  const rated = line.metricId !== null && (line.kind === 'usage' || line.kind === 'adjustment');
  const samePeriod =
    line.periodStart === invoice.periodStart && line.periodEnd === invoice.periodEnd;
  return (
    <>
      <tr data-testid={`line-${line.kind}`}>
        <td>
          <span className="badge badge-idle">{lineKinds[line.kind]}</span>
        </td>
        <td>
          {line.description}
          {line.kind === 'adjustment' || !samePeriod ? (
            <div className="muted" data-testid="line-period">
              usage of {periodText(line.periodStart, line.periodEnd)}
            </div>
          ) : null}
          {line.adjustsId ? (
            <div className="muted" data-testid="line-adjusts">
              {line.kind === 'credit' ? 'credits' : 'adjusts'} <InvoiceLink id={line.adjustsId} />
            </div>
          ) : null}
        </td>
        <td className="number">
          {line.quantity !== null ? `${formatQuantity(line.quantity)} ${line.unit ?? ''}` : '—'}
        </td>
        <td className="number">
          {line.unitPrice !== null ? formatPrice(line.unitPrice, invoice.currency) : '—'}
        </td>
        <td className="number">{money(line.amount)}</td>
        <td>
          {line.tiers.length > 1 ? (
            <button type="button" onClick={() => setOpen(open === 'tiers' ? null : 'tiers')}>
              {open === 'tiers' ? 'Hide tiers' : `${line.tiers.length} tiers`}
            </button>
          ) : null}{' '}
          {rated ? (
            <button
              type="button"
              onClick={() => setOpen(open === 'movements' ? null : 'movements')}
              data-testid="line-movements-toggle"
            >
              {open === 'movements' ? 'Hide movements' : 'Movements'}
            </button>
          ) : null}
        </td>
      </tr>
      {open === 'tiers' ? (
        <tr>
          <td />
          <td colSpan={5}>
            <table data-testid="line-tiers">
              <thead>
                <tr>
                  <th>Units</th>
                  <th>Quantity</th>
                  <th>Unit price</th>
                  <th>Flat fee</th>
                  <th>Amount</th>
                </tr>
              </thead>
              <tbody>
                {line.tiers.map((t) => (
                  <tr key={t.from}>
                    <td>
                      above {formatQuantity(t.from)}
                      {t.upTo !== null ? ` up to ${formatQuantity(t.upTo)}` : ''}
                    </td>
                    <td className="number">{formatQuantity(t.quantity)}</td>
                    <td className="number">{t.unitPrice}</td>
                    <td className="number">{money(t.flatFee)}</td>
                    <td className="number">{money(t.amount)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </td>
        </tr>
      ) : null}
      {open === 'movements' ? (
        <tr>
          <td colSpan={6}>
            <LineMovements invoiceId={invoice.id} lineId={line.id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

/** Another invoice by its number (a draft has none yet). */
function InvoiceLink({ id }: { id: string }) {
  const other = useQuery({
    queryKey: ['billing-invoice', id],
    queryFn: () => api<InvoiceDetail>(`/api/billing/invoices/${id}`),
  });
  return (
    <Link href={`/billing/invoices/${id}`}>
      {other.data ? (other.data.number ?? 'a draft') : id.slice(0, 8)}
    </Link>
  );
}

/** The credit notes that correct an invoice. */
function CorrectedBy({ invoice }: { invoice: InvoiceDetail }) {
  const notes = useQuery({
    queryKey: ['billing-invoices', 'credit-notes', invoice.organisationId],
    queryFn: () =>
      api<Page<Invoice>>(
        `/api/billing/invoices${query({ organisationId: invoice.organisationId, kind: 'credit_note', limit: 100 })}`,
      ),
    enabled: invoice.kind === 'invoice',
  });
  const mine = notes.data?.items.filter((n) => n.correctsId === invoice.id) ?? [];
  if (!mine.length) return null;
  return (
    <p className="notice" data-testid="corrected-by">
      Corrected by{' '}
      {mine.map((c, k) => (
        <span key={c.id}>
          {k ? ', ' : ''}
          <Link href={`/billing/invoices/${c.id}`}>{c.number ?? 'a draft credit note'}</Link>
        </span>
      ))}
    </p>
  );
}

/** Mark paid and void, for the platform's administrators. */
function AdminActions({ invoice }: { invoice: InvoiceDetail }) {
  const client = useQueryClient();
  const [voiding, setVoiding] = useState(false);
  const [reason, setReason] = useState('');
  const done = (updated: InvoiceDetail) => {
    client.setQueryData(['billing-invoice', invoice.id], updated);
    void client.invalidateQueries({ queryKey: ['billing-invoices'] });
    setVoiding(false);
  };
  const pay = useMutation({
    mutationFn: () =>
      api<InvoiceDetail>(`/api/billing/invoices/${invoice.id}/pay`, { method: 'POST' }),
    onSuccess: done,
  });
  const voidIt = useMutation({
    mutationFn: () =>
      api<InvoiceDetail>(`/api/billing/invoices/${invoice.id}/void`, {
        method: 'POST',
        body: { reason },
      }),
    onSuccess: done,
  });
  if (invoice.state !== 'finalised') return null;
  const reasonError = voidIt.error instanceof ApiError ? voidIt.error.forField('reason') : null;
  const submitVoid = (event: FormEvent) => {
    event.preventDefault();
    voidIt.mutate();
  };
  return (
    <>
      <button
        type="button"
        className="primary"
        disabled={pay.isPending}
        onClick={() => pay.mutate()}
      >
        Mark paid
      </button>
      <button type="button" className="danger" onClick={() => setVoiding(!voiding)}>
        Void
      </button>
      <ErrorBanner error={pay.error ?? (reasonError ? null : voidIt.error)} />
      {voiding ? (
        <form className="form panel" onSubmit={submitVoid} noValidate data-testid="void-form">
          <div className="wide">
            <label htmlFor="void-reason">Reason (required: it is printed on the document)</label>
            <input
              id="void-reason"
              name="reason"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
            />
            {reasonError ? (
              <div className="field-error" data-testid="error-reason">
                {reasonError}
              </div>
            ) : null}
          </div>
          <button type="submit" className="danger" disabled={voidIt.isPending}>
            Void {invoice.number}
          </button>
        </form>
      ) : null}
    </>
  );
}

function InvoiceView() {
  const { id } = useParams<{ id: string }>();
  const me = useMe();
  const invoice = useQuery({
    queryKey: ['billing-invoice', id],
    queryFn: () => api<InvoiceDetail>(`/api/billing/invoices/${id}`),
  });
  if (invoice.error && !invoice.data) return <ErrorBanner error={invoice.error} />;
  if (!invoice.data) return <p className="muted">Loading…</p>;
  const i = invoice.data;
  const money = (amount: string, testId?: string) => (
    <Money amount={amount} currency={i.currency} testId={testId} />
  );
  const title = i.kind === 'credit_note' ? 'Credit note' : 'Invoice';
  return (
    <section>
      <div className="breadcrumb">
        <Link href={`/billing/invoices?organisation=${i.organisationId}`}>← all invoices</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }} data-testid="invoice-number">
          {title} {i.number ?? '(draft)'}
        </h1>
        <InvoiceStateBadge state={i.state} />
        <a
          className="button"
          href={`/api/billing/invoices/${i.id}/pdf`}
          download
          data-testid="invoice-pdf"
        >
          PDF
        </a>
        {me.data?.platformAdmin ? <AdminActions invoice={i} /> : null}
      </div>
      {i.correctsId ? (
        <p className="notice" data-testid="corrects">
          Corrects invoice <InvoiceLink id={i.correctsId} />
        </p>
      ) : null}
      <CorrectedBy invoice={i} />
      {i.state === 'void' && i.voidReason ? <p className="banner">Void: {i.voidReason}</p> : null}
      <dl className="details">
        <dt>Period</dt>
        <dd data-testid="invoice-period">{periodText(i.periodStart, i.periodEnd)}</dd>
        <dt>Issued</dt>
        <dd>{i.issuedAt ? dateTime(i.issuedAt) : '— (a draft until the period closes)'}</dd>
        {i.dueAt ? (
          <>
            <dt>Due</dt>
            <dd>{dateTime(i.dueAt)}</dd>
          </>
        ) : null}
        {i.paidAt ? (
          <>
            <dt>Paid</dt>
            <dd>{dateTime(i.paidAt)}</dd>
          </>
        ) : null}
        <dt>Customer</dt>
        <dd>
          <NodeLink id={i.organisationId} /> <span className="muted">({i.organisationName})</span>
        </dd>
        <dt>Currency</dt>
        <dd>{i.currency}</dd>
        {i.pdfSha256 ? (
          <>
            <dt>PDF SHA-256</dt>
            <dd>
              <code>{i.pdfSha256}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Lines</h2>
      <div className="table-wrap">
        <table data-testid="invoice-lines">
          <thead>
            <tr>
              <th>Kind</th>
              <th>Description</th>
              <th>Quantity</th>
              <th>Unit price</th>
              <th>Amount</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {i.lines.map((line) => (
              <LineRow key={line.id} invoice={i} line={line} />
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td colSpan={4}>Subtotal</td>
              <td className="number">{money(i.subtotal, 'invoice-subtotal')}</td>
              <td />
            </tr>
            <tr>
              <td colSpan={4}>Tax ({formatRate(i.taxRate)})</td>
              <td className="number">{money(i.tax, 'invoice-tax')}</td>
              <td />
            </tr>
            <tr>
              <td colSpan={4}>
                <strong>Total</strong>
              </td>
              <td className="number">
                <strong>{money(i.total, 'invoice-grand-total')}</strong>
              </td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
    </section>
  );
}

export default function InvoicePage() {
  return (
    <Suspense>
      <BillingFrame>
        <InvoiceView />
      </BillingFrame>
    </Suspense>
  );
}

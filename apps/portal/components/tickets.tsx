'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { maintenancePriorities, maintenanceStates, maintenanceTransitions } from '@sextant/domain';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { api, type Ticket, type TicketPriority } from '@/lib/api';
import { canAnywhere, useCan, useMe } from '@/lib/session';
import { dateTime } from '@/lib/time';
import { DataTable, usePagedList, type Column } from './data-table';
import { EntityForm, type FieldSpec } from './entity-form';
import { ErrorBanner } from './error-banner';
import { NodeLink } from './lookups';
import { Ago, useNow } from './time-ago';

export type TicketKind = 'alert' | 'maintenance_order';

const endpoint: Record<TicketKind, string> = {
  alert: '/api/alerts',
  maintenance_order: '/api/maintenance-orders',
};
const pageOf: Record<TicketKind, string> = { alert: '/alerts', maintenance_order: '/maintenance' };
const noun: Record<TicketKind, string> = { alert: 'alert', maintenance_order: 'order' };
/** The action that changes each kind, and its target kind for the policy. */
const manageAction = { alert: 'alert.manage', maintenance_order: 'maintenance.manage' } as const;
const targetOf: Record<TicketKind, string> = { alert: 'alert', maintenance_order: 'order' };

const priorityClass: Record<TicketPriority, string> = {
  low: 'badge-idle',
  medium: 'badge-busy',
  high: 'badge-bad',
  critical: 'badge-bad',
};

export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return <span className={`badge ${priorityClass[priority]}`}>{priority}</span>;
}

export function TicketStateBadge({ state }: { state: Ticket['state'] }) {
  const cls = state === 'open' ? 'badge-busy' : state === 'planned' ? 'badge-ok' : 'badge-idle';
  return (
    <span className={`badge ${cls}`} data-testid="ticket-state">
      {state}
    </span>
  );
}

function windowText(t: Pick<Ticket, 'failureFrom' | 'failureTo'>): string {
  if (!t.failureFrom && !t.failureTo) return '—';
  const day = (iso: string | null) => (iso ? new Date(iso).toLocaleDateString() : '…');
  return `${day(t.failureFrom)} – ${day(t.failureTo)}`;
}

const createFields = (kind: TicketKind): FieldSpec[] => [
  { name: 'nodeId', label: 'Machine', kind: 'node', required: true },
  { name: 'title', label: 'Title', kind: 'text', required: true },
  { name: 'priority', label: 'Priority', kind: 'select', options: maintenancePriorities },
  { name: 'failureFrom', label: 'Failure window from', kind: 'datetime' },
  { name: 'failureTo', label: 'Failure window to', kind: 'datetime' },
  ...(kind === 'maintenance_order'
    ? [{ name: 'plannedFor', label: 'Planned for', kind: 'datetime' as const }]
    : []),
  { name: 'description', label: 'Description', kind: 'textarea' },
];

/** The moves a ticket may make from its state, as buttons. */
function Transitions({ ticket, kind }: { ticket: Ticket; kind: TicketKind }) {
  const client = useQueryClient();
  const allowed = useCan(manageAction[kind], targetOf[kind], ticket.id);
  const move = useMutation({
    mutationFn: (state: string) =>
      api<Ticket>(`${endpoint[kind]}/${ticket.id}/state`, { method: 'POST', body: { state } }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['tickets'] }),
  });
  const labels: Record<string, string> = { planned: 'Plan', done: 'Done', open: 'Reopen' };
  if (!allowed) return null;
  return (
    <span className="transitions">
      {maintenanceTransitions[ticket.state].map((to) => (
        <button
          key={to}
          type="button"
          disabled={move.isPending}
          onClick={() => move.mutate(to)}
          data-testid={`move-${to}`}
        >
          {labels[to]}
        </button>
      ))}
      {move.error ? <ErrorBanner error={move.error} /> : null}
    </span>
  );
}

/** Alerts or orders, newest first, with filters, creation and state moves. */
export function TicketList({
  kind,
  title,
  nodeId,
}: {
  kind: TicketKind;
  title: string;
  /** Only those on this node and the nodes under it. */
  nodeId?: string | null;
}) {
  const client = useQueryClient();
  const now = useNow();
  const [state, setState] = useState('');
  const [priority, setPriority] = useState('');
  const [creating, setCreating] = useState(false);
  const me = useMe();
  const tickets = usePagedList<Ticket>(
    endpoint[kind],
    { state, priority, nodeId },
    { key: 'tickets', limit: 50, refetchInterval: 5000 },
  );
  const columns: Column<Ticket>[] = [
    {
      label: 'Title',
      render: (t) => (
        <>
          <Link href={`${pageOf[kind]}/${t.id}`}>{t.title}</Link>
          {t.runId ? (
            <span className="muted">
              {' '}
              (<Link href={`/jobs/${t.runId}`}>by a run</Link>)
            </span>
          ) : null}
        </>
      ),
    },
    { label: 'Machine', render: (t) => <NodeLink id={t.nodeId} /> },
    { label: 'Priority', render: (t) => <PriorityBadge priority={t.priority} /> },
    { label: 'State', render: (t) => <TicketStateBadge state={t.state} /> },
    { label: 'Failure window', render: windowText },
    { label: 'Raised', render: (t) => <Ago iso={t.createdAt} now={now} /> },
    { label: '', render: (t) => <Transitions ticket={t} kind={kind} /> },
  ];
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>{title}</h1>
        {canAnywhere(me.data, manageAction[kind]) ? (
          <button type="button" className="primary" onClick={() => setCreating(!creating)}>
            {creating ? 'Close' : `New ${noun[kind]}`}
          </button>
        ) : null}
      </div>
      {creating ? (
        <div className="panel" data-testid="new-ticket">
          <EntityForm
            fields={createFields(kind)}
            initial={{ priority: 'medium' }}
            submitLabel={`Create ${noun[kind]}`}
            onSubmit={async (values) => {
              await api(endpoint[kind], { method: 'POST', body: values });
              setCreating(false);
              await client.invalidateQueries({ queryKey: ['tickets'] });
            }}
          />
        </div>
      ) : null}
      {nodeId ? (
        <p className="muted">
          On <NodeLink id={nodeId} /> and below (<Link href={pageOf[kind]}>show all</Link>)
        </p>
      ) : null}
      <div className="toolbar">
        <label htmlFor="ticket-state">State</label>
        <select
          id="ticket-state"
          value={state}
          onChange={(e) => setState(e.target.value)}
          style={{ width: 'auto' }}
        >
          <option value="">all</option>
          {maintenanceStates.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <label htmlFor="ticket-priority">Priority</label>
        <select
          id="ticket-priority"
          value={priority}
          onChange={(e) => setPriority(e.target.value)}
          style={{ width: 'auto' }}
        >
          <option value="">all</option>
          {maintenancePriorities.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </div>
      <DataTable
        testId="tickets"
        columns={columns}
        rows={tickets.list}
        paged={tickets.pager}
        empty={`No ${noun[kind]}s${state || priority ? ' match' : ' yet'}.`}
      />
    </section>
  );
}

/** One alert or order: details, edit form, state moves, and for an alert, ordering work. */
export function TicketPage({ kind, id }: { kind: TicketKind; id: string }) {
  const client = useQueryClient();
  const router = useRouter();
  const ticket = useQuery({
    queryKey: ['tickets', kind, id],
    queryFn: () => api<Ticket>(`${endpoint[kind]}/${id}`),
  });
  const [ordering, setOrdering] = useState(false);
  const canChange = useCan(manageAction[kind], targetOf[kind], id);
  const canOrder = useCan('maintenance.manage', 'node', ticket.data?.nodeId);
  if (ticket.error && !ticket.data) return <ErrorBanner error={ticket.error} />;
  if (!ticket.data) return <p className="muted">Loading…</p>;
  const t = ticket.data;
  return (
    <section>
      <div className="breadcrumb">
        <Link href={pageOf[kind]}>← all {noun[kind]}s</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>{t.title}</h1>
        <PriorityBadge priority={t.priority} />
        <TicketStateBadge state={t.state} />
        <Transitions ticket={t} kind={kind} />
        {kind === 'alert' && t.state === 'open' && canOrder ? (
          <button type="button" className="primary" onClick={() => setOrdering(!ordering)}>
            Order maintenance
          </button>
        ) : null}
      </div>
      <dl className="details">
        <dt>Machine</dt>
        <dd>
          <NodeLink id={t.nodeId} />
        </dd>
        <dt>Failure window</dt>
        <dd>{windowText(t)}</dd>
        {kind === 'maintenance_order' ? (
          <>
            <dt>Planned for</dt>
            <dd>{t.plannedFor ? dateTime(t.plannedFor) : '—'}</dd>
            <dt>Answers alert</dt>
            <dd>{t.alertId ? <Link href={`/alerts/${t.alertId}`}>the alert</Link> : '—'}</dd>
          </>
        ) : null}
        <dt>Done</dt>
        <dd>{t.doneAt ? dateTime(t.doneAt) : '—'}</dd>
        <dt>Raised by</dt>
        <dd>{t.runId ? <Link href={`/jobs/${t.runId}`}>a job run</Link> : 'hand'}</dd>
        <dt>Reference</dt>
        <dd>
          <code>{t.reference}</code>
        </dd>
      </dl>
      {ordering ? (
        <div className="panel">
          <h2>Order maintenance</h2>
          <EntityForm
            fields={createFields('maintenance_order').filter((f) => f.name !== 'nodeId')}
            initial={{
              title: t.title,
              priority: t.priority,
              failureFrom: t.failureFrom,
              failureTo: t.failureTo,
            }}
            submitLabel="Create order"
            onSubmit={async (values) => {
              const order = await api<Ticket>(endpoint.maintenance_order, {
                method: 'POST',
                body: { ...values, nodeId: t.nodeId, alertId: t.id },
              });
              await client.invalidateQueries({ queryKey: ['tickets'] });
              router.push(`/maintenance/${order.id}`);
            }}
          />
        </div>
      ) : null}
      {t.state !== 'done' && canChange ? (
        <div className="panel">
          <h2>Edit</h2>
          <EntityForm
            key={t.updatedAt}
            fields={createFields(kind).filter((f) => f.name !== 'nodeId')}
            initial={t as unknown as Record<string, unknown>}
            changedOnly
            submitLabel="Save"
            onSubmit={async (values) => {
              await api<Ticket>(`${endpoint[kind]}/${id}`, { method: 'PATCH', body: values });
              await client.invalidateQueries({ queryKey: ['tickets'] });
            }}
          />
        </div>
      ) : null}
      {t.description ? (
        <div className="panel">
          <h2>Description</h2>
          <p style={{ whiteSpace: 'pre-wrap' }}>{t.description}</p>
        </div>
      ) : null}
    </section>
  );
}

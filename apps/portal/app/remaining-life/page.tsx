'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { DataTable, type Column } from '@/components/data-table';
import { ProgressBar } from '@/components/jobs';
import { NodeLink, useNodes } from '@/components/lookups';
import { PriorityBadge } from '@/components/tickets';
import { Ago, useNow } from '@/components/time-ago';
import { api, query, type MachineLife } from '@/lib/api';

function remainingText(m: MachineLife): string {
  const e = m.estimate!;
  const round = (v: number) => Number(v.toPrecision(3)).toLocaleString();
  const interval =
    e.lower !== null && e.upper !== null ? ` (${round(e.lower)}–${round(e.upper)})` : '';
  return `${round(e.remaining)} ${e.unit}${interval}`;
}

export default function RemainingLifePage() {
  const now = useNow();
  const nodes = useNodes();
  const [nodeId, setNodeId] = useState('');
  const machines = useQuery({
    queryKey: ['remaining-life', nodeId],
    queryFn: () => api<MachineLife[]>(`/api/remaining-life${query({ nodeId })}`),
    refetchInterval: 10_000,
  });
  const sites = nodes.data?.items.filter((n) => n.kind === 'site' || n.kind === 'organisation');
  const estimated = machines.data?.filter((m) => m.estimate).length ?? 0;
  const columns: Column<MachineLife>[] = [
    { label: 'Machine', render: (m) => <Link href={`/nodes/${m.nodeId}`}>{m.name}</Link> },
    { label: 'Site', render: (m) => <NodeLink id={m.parentId} /> },
    {
      label: 'Remaining life',
      render: (m) => (m.estimate ? remainingText(m) : <span className="muted">no estimate</span>),
    },
    {
      label: 'Health',
      style: { minWidth: 120 },
      render: (m) =>
        m.estimate?.health !== null && m.estimate?.health !== undefined ? (
          <ProgressBar percent={m.estimate.health * 100} label={`${m.name} health`} />
        ) : (
          <span className="muted">—</span>
        ),
    },
    {
      label: 'As of',
      render: (m) =>
        m.estimate ? <Ago iso={m.estimate.at} now={now} /> : <span className="muted">—</span>,
    },
    {
      label: 'Alerts',
      render: (m) =>
        m.openAlerts ? (
          <Link href={`/alerts?nodeId=${m.nodeId}`}>{m.openAlerts} open</Link>
        ) : (
          <span className="muted">none</span>
        ),
    },
    {
      label: 'Orders',
      render: (m) =>
        m.activeOrders ? (
          <Link href={`/maintenance?nodeId=${m.nodeId}`}>{m.activeOrders} active</Link>
        ) : (
          <span className="muted">none</span>
        ),
    },
    {
      label: '',
      render: (m) => (m.highestPriority ? <PriorityBadge priority={m.highestPriority} /> : null),
    },
  ];
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Remaining life</h1>
        <label htmlFor="life-node">Under</label>
        <select
          id="life-node"
          value={nodeId}
          onChange={(e) => setNodeId(e.target.value)}
          style={{ width: 'auto' }}
        >
          <option value="">all machines</option>
          {sites?.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name}
            </option>
          ))}
        </select>
      </div>
      <p className="muted" data-testid="life-summary">
        {machines.data
          ? `${machines.data.length} machines, ${estimated} with a remaining-life estimate${
              estimated === 0
                ? ': estimates appear here when analysis jobs (remaining-useful-life models) store them.'
                : '.'
            }`
          : '…'}
      </p>
      <DataTable
        testId="remaining-life"
        columns={columns}
        rows={machines}
        rowKey={(m) => m.nodeId}
        rowClassName={(m) =>
          m.highestPriority === 'high' || m.highestPriority === 'critical' ? 'row-bad' : undefined
        }
        empty="No machines."
      />
    </section>
  );
}

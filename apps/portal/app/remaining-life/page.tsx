'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
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
  const columns = ['Machine', 'Site', 'Remaining life', 'Health', 'As of', 'Alerts', 'Orders', ''];
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
      <ErrorBanner error={machines.error} />
      <div className="table-wrap">
        <table data-testid="remaining-life">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {machines.data?.map((m) => (
              <tr
                key={m.nodeId}
                className={
                  m.highestPriority === 'high' || m.highestPriority === 'critical'
                    ? 'row-bad'
                    : undefined
                }
              >
                <td>
                  <Link href={`/nodes/${m.nodeId}`}>{m.name}</Link>
                </td>
                <td>
                  <NodeLink id={m.parentId} />
                </td>
                <td>
                  {m.estimate ? remainingText(m) : <span className="muted">no estimate</span>}
                </td>
                <td style={{ minWidth: 120 }}>
                  {m.estimate?.health !== null && m.estimate?.health !== undefined ? (
                    <ProgressBar percent={m.estimate.health * 100} label={`${m.name} health`} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {m.estimate ? (
                    <Ago iso={m.estimate.at} now={now} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
                <td>
                  {m.openAlerts ? (
                    <Link href={`/alerts?nodeId=${m.nodeId}`}>{m.openAlerts} open</Link>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td>
                  {m.activeOrders ? (
                    <Link href={`/maintenance?nodeId=${m.nodeId}`}>{m.activeOrders} active</Link>
                  ) : (
                    <span className="muted">none</span>
                  )}
                </td>
                <td>{m.highestPriority ? <PriorityBadge priority={m.highestPriority} /> : null}</td>
              </tr>
            ))}
            {machines.data && machines.data.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  No machines.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

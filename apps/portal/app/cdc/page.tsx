'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { CdcLag, CdcStateBadge } from '@/components/cdc-status';
import { DataTable, type Column } from '@/components/data-table';
import { formatRate } from '@/components/ingest-status';
import { api, type CdcSource } from '@/lib/api';
import { canAnywhere, useMe } from '@/lib/session';

const refreshMs = 2000;

const columns: Column<CdcSource>[] = [
  { label: 'Name', render: (source) => <Link href={`/cdc/${source.id}`}>{source.name}</Link> },
  { label: 'Path', render: (source) => source.state },
  {
    label: 'Status',
    render: ({ status }) => (
      <>
        <CdcStateBadge status={status} />
        {status.problems.map((problem) => (
          <div key={problem} className="problem">
            {problem}
          </div>
        ))}
      </>
    ),
  },
  {
    label: 'Confirmed LSN',
    render: ({ status }) => (status.confirmedLsn ? <code>{status.confirmedLsn}</code> : '—'),
  },
  { label: 'Lag', render: ({ status }) => <CdcLag status={status} /> },
  { label: 'Changes/s', render: ({ status }) => formatRate(status.changesPerSecond) },
  {
    label: 'Last error',
    className: 'cell-error',
    render: ({ status }) => (
      <span title={status.lastError ?? undefined}>
        {status.lastError ?? <span className="muted">none</span>}
      </span>
    ),
  },
];

export default function CdcSourcesPage() {
  const me = useMe();
  const sources = useQuery({
    queryKey: ['cdc-sources'],
    queryFn: () => api<CdcSource[]>('/api/cdc/sources'),
    refetchInterval: refreshMs,
    staleTime: 0,
  });
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>CDC sources</h1>
        {canAnywhere(me.data, 'cdc.manage') ? (
          <Link href="/cdc/new" className="button primary">
            New CDC source
          </Link>
        ) : null}
      </div>
      <DataTable
        columns={columns}
        rows={sources}
        rowClassName={(source) => (source.status.problems.length ? 'row-bad' : undefined)}
        empty="No CDC sources yet."
      />
    </section>
  );
}

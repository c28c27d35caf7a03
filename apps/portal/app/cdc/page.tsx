'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { CdcLag, CdcStateBadge } from '@/components/cdc-status';
import { ErrorBanner } from '@/components/error-banner';
import { formatRate } from '@/components/ingest-status';
import { api, type CdcSource } from '@/lib/api';
import { canAnywhere, useMe } from '@/lib/session';

const refreshMs = 2000;

export default function CdcSourcesPage() {
  const me = useMe();
  const sources = useQuery({
    queryKey: ['cdc-sources'],
    queryFn: () => api<CdcSource[]>('/api/cdc/sources'),
    refetchInterval: refreshMs,
    staleTime: 0,
  });
  const columns = ['Name', 'Path', 'Status', 'Confirmed LSN', 'Lag', 'Changes/s', 'Last error'];
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
      <ErrorBanner error={sources.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {sources.data?.map((source) => {
              const s = source.status;
              return (
                <tr key={source.id} className={s.problems.length ? 'row-bad' : undefined}>
                  <td>
                    <Link href={`/cdc/${source.id}`}>{source.name}</Link>
                  </td>
                  <td>{source.state}</td>
                  <td>
                    <CdcStateBadge status={s} />
                    {s.problems.map((problem) => (
                      <div key={problem} className="problem">
                        {problem}
                      </div>
                    ))}
                  </td>
                  <td>{s.confirmedLsn ? <code>{s.confirmedLsn}</code> : '—'}</td>
                  <td>
                    <CdcLag status={s} />
                  </td>
                  <td>{formatRate(s.changesPerSecond)}</td>
                  <td className="cell-error" title={s.lastError ?? undefined}>
                    {s.lastError ?? <span className="muted">none</span>}
                  </td>
                </tr>
              );
            })}
            {sources.data && sources.data.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  No CDC sources yet.
                </td>
              </tr>
            ) : null}
            {sources.isLoading ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
    </section>
  );
}

'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { JobStateBadge, ProgressBar, useJobTypes } from '@/components/jobs';
import { NodeLink } from '@/components/lookups';
import { Pager, useCursorPager } from '@/components/pager';
import { Ago, useNow } from '@/components/time-ago';
import { api, query, type JobRun, type JobWorker, type Page } from '@/lib/api';
import { canAnywhere, useMe } from '@/lib/session';

const refreshMs = 2000;
const states = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export default function JobsPage() {
  const [state, setState] = useState('');
  const [type, setType] = useState('');
  const pager = useCursorPager(`${state}/${type}`);
  const types = useJobTypes();
  const now = useNow();
  const me = useMe();
  const runs = useQuery({
    queryKey: ['job-runs', state, type, pager.cursor],
    queryFn: () =>
      api<Page<JobRun>>(`/api/jobs/runs${query({ limit: 25, state, type, cursor: pager.cursor })}`),
    refetchInterval: refreshMs,
    staleTime: 0,
  });
  const workers = useQuery({
    queryKey: ['job-workers'],
    queryFn: () => api<JobWorker[]>('/api/jobs/workers'),
    refetchInterval: 5000,
  });
  const live = workers.data?.filter((w) => !w.stoppedAt) ?? [];
  const columns = ['Run', 'Type', 'State', 'Progress', 'Tasks', 'Owner', 'Created', 'Finished'];
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Jobs</h1>
        <Link href="/jobs/schedules" className="button">
          Schedules
        </Link>
        {canAnywhere(me.data, 'job.manage') ? (
          <Link href="/jobs/new" className="button primary">
            Submit a run
          </Link>
        ) : null}
      </div>
      <p className="muted" data-testid="job-workers">
        {workers.data
          ? live.length
            ? `${live.length} worker${live.length === 1 ? '' : 's'} running (${live
                .map(
                  (w) =>
                    `${w.host ? `${w.host}:${w.pid}, ` : ''}${w.running}/${w.concurrency} busy`,
                )
                .join('; ')})`
            : 'No worker is running: runs wait in the queue until one starts.'
          : '…'}
      </p>
      <div className="toolbar">
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
        <label htmlFor="filter-type">Type</label>
        <select
          id="filter-type"
          value={type}
          onChange={(e) => setType(e.target.value)}
          style={{ width: 'auto' }}
        >
          <option value="">all</option>
          {types.data?.map((t) => (
            <option key={t.name} value={t.name}>
              {t.title}
            </option>
          ))}
        </select>
      </div>
      <ErrorBanner error={runs.error ?? workers.error} />
      <div className="table-wrap">
        <table data-testid="job-runs">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {runs.data?.items.map((run) => (
              <tr key={run.id} className={run.state === 'failed' ? 'row-bad' : undefined}>
                <td>
                  <Link href={`/jobs/${run.id}`}>
                    <code>{run.id.slice(-8)}</code>
                  </Link>
                  {run.scheduleId ? <span className="muted"> (scheduled)</span> : null}
                </td>
                <td>{run.type}</td>
                <td>
                  <JobStateBadge state={run.state} />
                  {run.error ? <div className="problem">{run.error}</div> : null}
                </td>
                <td style={{ minWidth: 140 }}>
                  <ProgressBar percent={run.progress} label={`run ${run.id} progress`} />
                </td>
                <td>
                  {run.taskCounts.succeeded}/{run.taskCounts.total}
                  {run.taskCounts.running ? (
                    <span className="muted"> ({run.taskCounts.running} running)</span>
                  ) : null}
                </td>
                <td>
                  <NodeLink id={run.ownerId} />
                </td>
                <td>
                  <Ago iso={run.createdAt} now={now} />
                </td>
                <td>
                  {run.finishedAt ? (
                    <Ago iso={run.finishedAt} now={now} />
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
            {runs.data && runs.data.items.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  No runs{state || type ? ' match' : ' yet'}.
                </td>
              </tr>
            ) : null}
            {runs.isLoading ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager
        page={pager.page}
        nextCursor={runs.data?.nextCursor}
        onNext={pager.next}
        onPrevious={pager.previous}
      />
    </section>
  );
}

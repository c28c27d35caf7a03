'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { DataTable, usePagedList, type Column } from '@/components/data-table';
import { JobStateBadge, ProgressBar, useJobTypes } from '@/components/jobs';
import { NodeLink } from '@/components/lookups';
import { Ago, useNow } from '@/components/time-ago';
import { api, type JobRun, type JobWorker } from '@/lib/api';
import { canAnywhere, useMe } from '@/lib/session';

const refreshMs = 2000;
const states = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

function runColumns(now: number): Column<JobRun>[] {
  return [
    {
      label: 'Run',
      render: (run) => (
        <>
          <Link href={`/jobs/${run.id}`}>
            <code>{run.id.slice(-8)}</code>
          </Link>
          {run.scheduleId ? <span className="muted"> (scheduled)</span> : null}
        </>
      ),
    },
    { label: 'Type', render: (run) => run.type },
    {
      label: 'State',
      render: (run) => (
        <>
          <JobStateBadge state={run.state} />
          {run.error ? <div className="problem">{run.error}</div> : null}
        </>
      ),
    },
    {
      label: 'Progress',
      style: { minWidth: 140 },
      render: (run) => <ProgressBar percent={run.progress} label={`run ${run.id} progress`} />,
    },
    {
      label: 'Tasks',
      render: (run) => (
        <>
          {run.taskCounts.succeeded}/{run.taskCounts.total}
          {run.taskCounts.running ? (
            <span className="muted"> ({run.taskCounts.running} running)</span>
          ) : null}
        </>
      ),
    },
    { label: 'Owner', render: (run) => <NodeLink id={run.ownerId} /> },
    { label: 'Created', render: (run) => <Ago iso={run.createdAt} now={now} /> },
    {
      label: 'Finished',
      render: (run) =>
        run.finishedAt ? <Ago iso={run.finishedAt} now={now} /> : <span className="muted">—</span>,
    },
  ];
}

export default function JobsPage() {
  const [state, setState] = useState('');
  const [type, setType] = useState('');
  const types = useJobTypes();
  const now = useNow();
  const me = useMe();
  const runs = usePagedList<JobRun>(
    '/api/jobs/runs',
    { state, type },
    { key: 'job-runs', refetchInterval: refreshMs },
  );
  const workers = useQuery({
    queryKey: ['job-workers'],
    queryFn: () => api<JobWorker[]>('/api/jobs/workers'),
    refetchInterval: 5000,
  });
  const live = workers.data?.filter((w) => !w.stoppedAt) ?? [];
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
      <ErrorBanner error={workers.error} />
      <DataTable
        testId="job-runs"
        columns={runColumns(now)}
        rows={runs.list}
        paged={runs.pager}
        rowClassName={(run) => (run.state === 'failed' ? 'row-bad' : undefined)}
        empty={`No runs${state || type ? ' match' : ' yet'}.`}
      />
    </section>
  );
}

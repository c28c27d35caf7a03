'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import {
  JobStateBadge,
  ProgressBar,
  RunLineage,
  RunLogs,
  TaskGraph,
  TaskTable,
} from '@/components/jobs';
import { NodeLink } from '@/components/lookups';
import { Ago, useNow } from '@/components/time-ago';
import { api, type JobRunDetail } from '@/lib/api';
import { useCan } from '@/lib/session';
import { dateTime } from '@/lib/time';

const refreshMs = 1500;

export default function JobRunPage() {
  const { id } = useParams<{ id: string }>();
  const client = useQueryClient();
  const now = useNow();
  const [taskId, setTaskId] = useState<string | null>(null);
  const key = ['job-run', id];
  const canManage = useCan('job.manage', 'job', id);
  const run = useQuery({
    queryKey: key,
    queryFn: () => api<JobRunDetail>(`/api/jobs/runs/${id}`),
    refetchInterval: (q) =>
      q.state.data && ['succeeded', 'failed', 'cancelled'].includes(q.state.data.state)
        ? false
        : refreshMs,
    staleTime: 0,
  });
  const action = useMutation({
    mutationFn: (verb: 'cancel' | 'retry') =>
      api<JobRunDetail>(`/api/jobs/runs/${id}/${verb}`, { method: 'POST' }),
    onSuccess: (updated) => {
      client.setQueryData(key, updated);
      void client.invalidateQueries({ queryKey: ['job-runs'] });
    },
  });

  if (run.error && !run.data) return <ErrorBanner error={run.error} />;
  if (!run.data) return <p className="muted">Loading…</p>;
  const r = run.data;
  const live = r.state === 'queued' || r.state === 'running';
  return (
    <section>
      <div className="breadcrumb">
        <Link href="/jobs">← all runs</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>
          {r.type} <code className="muted">{r.id.slice(-8)}</code>
        </h1>
        <JobStateBadge state={r.state} />
        {live && canManage ? (
          <button
            type="button"
            className="danger"
            disabled={action.isPending}
            onClick={() => action.mutate('cancel')}
          >
            Cancel
          </button>
        ) : null}
        {canManage && (r.state === 'failed' || r.state === 'cancelled') ? (
          <button
            type="button"
            className="primary"
            disabled={action.isPending}
            onClick={() => action.mutate('retry')}
          >
            Retry
          </button>
        ) : null}
      </div>
      <ErrorBanner error={action.error ?? run.error} />
      <ProgressBar percent={r.progress} label="run progress" />
      {r.error ? (
        <div className="banner" role="alert" data-testid="run-error">
          {r.error}
        </div>
      ) : null}
      <dl className="details">
        <dt>Owner</dt>
        <dd>
          <NodeLink id={r.ownerId} />
        </dd>
        <dt>Priority</dt>
        <dd>{r.priority}</dd>
        <dt>Created</dt>
        <dd title={dateTime(r.createdAt)}>
          <Ago iso={r.createdAt} now={now} />
          {r.scheduledFor ? ` (scheduled for ${dateTime(r.scheduledFor)})` : ''}
        </dd>
        <dt>Finished</dt>
        <dd>{r.finishedAt ? <Ago iso={r.finishedAt} now={now} /> : '—'}</dd>
        <dt>Tasks</dt>
        <dd>
          {r.taskCounts.succeeded} of {r.taskCounts.total} succeeded
          {r.retries ? `, retried ${r.retries}×` : ''}
        </dd>
        <dt>Parameters</dt>
        <dd>
          <code className="payload">{JSON.stringify(r.params)}</code>
        </dd>
        {r.result !== null && r.result !== undefined ? (
          <>
            <dt>Result</dt>
            <dd>
              <details className="payload" open>
                <summary>JSON</summary>
                <pre data-testid="run-result">{JSON.stringify(r.result, null, 2)}</pre>
              </details>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Tasks</h2>
      <TaskGraph tasks={r.tasks} onSelect={setTaskId} />
      <TaskTable tasks={r.tasks} now={now} onSelect={setTaskId} />
      <RunLogs runId={r.id} taskId={taskId} live={live} tasks={r.tasks} onTask={setTaskId} />
      <RunLineage runId={r.id} enabled={r.state === 'succeeded'} />
    </section>
  );
}

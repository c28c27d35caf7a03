'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { EntityForm, type FieldSpec } from '@/components/entity-form';
import { DataTable, type Column } from '@/components/data-table';
import { ErrorBanner } from '@/components/error-banner';
import {
  JobStateBadge,
  paramDefaults,
  paramFields,
  splitParams,
  useJobTypes,
} from '@/components/jobs';
import { NodeLink } from '@/components/lookups';
import { useNow } from '@/components/time-ago';
import { api, type JobSchedule } from '@/lib/api';
import { canAnywhere, useMe } from '@/lib/session';
import { dateTime, timeUntil } from '@/lib/time';

const scheduleFields: FieldSpec[] = [
  { name: 'name', label: 'Name', kind: 'text', required: true },
  {
    name: 'cron',
    label: 'Cron',
    kind: 'text',
    required: true,
    hint: 'minute hour day month weekday, e.g. 0 3 * * * (6 fields: seconds first)',
  },
  { name: 'timezone', label: 'Time zone', kind: 'text', hint: 'IANA name, default UTC' },
  { name: 'ownerId', label: 'Owner', kind: 'node', required: true },
  { name: 'priority', label: 'Priority', kind: 'number' },
  { name: 'paused', label: 'Create paused', kind: 'checkbox' },
];

export default function SchedulesPage() {
  const client = useQueryClient();
  const now = useNow();
  const types = useJobTypes();
  const [typeName, setTypeName] = useState('');
  const [creating, setCreating] = useState(false);
  const me = useMe();
  const canManage = canAnywhere(me.data, 'job.manage');
  const schedules = useQuery({
    queryKey: ['job-schedules'],
    queryFn: () => api<JobSchedule[]>('/api/jobs/schedules'),
    refetchInterval: 5000,
  });
  const action = useMutation({
    mutationFn: ({ id, verb }: { id: string; verb: 'pause' | 'resume' | 'delete' }) =>
      verb === 'delete'
        ? api(`/api/jobs/schedules/${id}`, { method: 'DELETE' })
        : api(`/api/jobs/schedules/${id}/${verb}`, { method: 'POST' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['job-schedules'] }),
  });
  const type = types.data?.find((t) => t.name === typeName) ?? types.data?.[0];
  const columns: Column<JobSchedule>[] = [
    { label: 'Name', render: (s) => s.name },
    { label: 'Type', render: (s) => s.type },
    {
      label: 'Cron',
      render: (s) => (
        <>
          <code>{s.cron}</code> <span className="muted">{s.timezone}</span>
        </>
      ),
    },
    {
      label: 'State',
      render: (s) => (
        <span className={`badge ${s.state === 'active' ? 'badge-ok' : 'badge-idle'}`}>
          {s.state}
        </span>
      ),
    },
    {
      label: 'Next',
      render: (s) => (
        <span title={dateTime(s.nextRunAt)}>
          {s.state === 'active' ? timeUntil(s.nextRunAt, now) : '—'}
        </span>
      ),
    },
    {
      label: 'Latest run',
      render: (s) =>
        s.lastRunId && s.lastRunState ? (
          <Link href={`/jobs/${s.lastRunId}`}>
            <JobStateBadge state={s.lastRunState} />
          </Link>
        ) : (
          <span className="muted">none yet</span>
        ),
    },
    { label: 'Owner', render: (s) => <NodeLink id={s.ownerId} /> },
    {
      label: '',
      render: (s) =>
        canManage ? (
          <>
            <button
              type="button"
              disabled={action.isPending}
              onClick={() =>
                action.mutate({ id: s.id, verb: s.state === 'active' ? 'pause' : 'resume' })
              }
            >
              {s.state === 'active' ? 'Pause' : 'Resume'}
            </button>{' '}
            <button
              type="button"
              className="danger"
              disabled={action.isPending}
              onClick={() => action.mutate({ id: s.id, verb: 'delete' })}
            >
              Delete
            </button>
          </>
        ) : null,
    },
  ];
  return (
    <section>
      <div className="breadcrumb">
        <Link href="/jobs">← all runs</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Schedules</h1>
        {canManage ? (
          <button type="button" className="primary" onClick={() => setCreating(!creating)}>
            {creating ? 'Close' : 'New schedule'}
          </button>
        ) : null}
      </div>
      <ErrorBanner error={action.error} />
      {creating && type ? (
        <div className="panel" data-testid="new-schedule">
          <label htmlFor="schedule-type">Job type</label>
          <select
            id="schedule-type"
            value={type.name}
            onChange={(e) => setTypeName(e.target.value)}
          >
            {types.data?.map((t) => (
              <option key={t.name} value={t.name}>
                {t.title} ({t.name})
              </option>
            ))}
          </select>
          <EntityForm
            key={type.name}
            fields={[...scheduleFields, ...paramFields(type.parameters)]}
            initial={{ timezone: 'UTC', ...paramDefaults(type.parameters) }}
            submitLabel="Create schedule"
            onSubmit={async (values) => {
              const { params, rest } = splitParams(values);
              await api('/api/jobs/schedules', {
                method: 'POST',
                body: { ...rest, type: type.name, params },
              });
              setCreating(false);
              await client.invalidateQueries({ queryKey: ['job-schedules'] });
            }}
          />
        </div>
      ) : null}
      <DataTable
        testId="job-schedules"
        columns={columns}
        rows={schedules}
        empty="No schedules yet."
      />
    </section>
  );
}

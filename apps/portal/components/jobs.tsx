'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useEffect, useMemo, useState } from 'react';
import {
  api,
  type JobLineage,
  type JobLog,
  type JobParameter,
  type JobRunState,
  type JobTask,
  type JobTaskState,
  type JobType,
} from '@/lib/api';
import { formatDuration } from '@/lib/format';
import { dateTime } from '@/lib/time';
import type { FieldSpec } from './entity-form';
import { ErrorBanner } from './error-banner';
import { NodeLink } from './lookups';

const stateClass: Record<JobRunState | JobTaskState, string> = {
  pending: 'badge-idle',
  queued: 'badge-idle',
  running: 'badge-busy',
  succeeded: 'badge-ok',
  failed: 'badge-bad',
  cancelled: 'badge-idle',
};

export function JobStateBadge({ state }: { state: JobRunState | JobTaskState }) {
  return (
    <span className={`badge ${stateClass[state]}`} data-testid="job-state">
      {state}
    </span>
  );
}

export function ProgressBar({ percent, label }: { percent: number; label?: string }) {
  const value = Math.max(0, Math.min(100, percent));
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuenow={value}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-label={label ?? 'progress'}
      title={`${value.toFixed(1)} %`}
    >
      <div className="progress-fill" style={{ width: `${value}%` }} />
      <span className="progress-text">{Math.round(value)} %</span>
    </div>
  );
}

export function useJobTypes() {
  return useQuery({
    queryKey: ['job-types'],
    queryFn: () => api<JobType[]>('/api/jobs/types'),
    staleTime: 60_000,
  });
}

/** Form fields for a job type's parameters, named params.<name> as the API's errors are. */
export function paramFields(parameters: JobParameter[]): FieldSpec[] {
  return parameters.map((p) => {
    const hint = [
      p.description,
      p.minimum !== null || p.maximum !== null
        ? `${p.minimum ?? '…'} to ${p.maximum ?? '…'}`
        : null,
      p.nodeKinds ? `a ${p.nodeKinds.join(' or ')}` : null,
      p.itemKinds ? `the id of a ${p.itemKinds.join(' or ')} item` : null,
    ]
      .filter(Boolean)
      .join(' · ');
    const kind: FieldSpec['kind'] =
      p.type === 'boolean'
        ? 'checkbox'
        : p.type === 'integer' || p.type === 'number'
          ? 'number'
          : p.type === 'node'
            ? 'node'
            : p.type === 'datetime'
              ? 'datetime'
              : p.type === 'enum'
                ? 'select'
                : 'text';
    return {
      name: `params.${p.name}`,
      label: p.title,
      kind,
      options: p.values ?? undefined,
      required: p.required,
      hint: hint || undefined,
    };
  });
}

/** The defaults of a job type's parameters, as initial form values. */
export function paramDefaults(parameters: JobParameter[]): Record<string, unknown> {
  return Object.fromEntries(
    parameters.filter((p) => p.default !== null).map((p) => [`params.${p.name}`, p.default]),
  );
}

/** Splits form values into the parameters (params.<name>, blanks dropped) and the rest. */
export function splitParams(values: Record<string, unknown>): {
  params: Record<string, unknown>;
  rest: Record<string, unknown>;
} {
  const params: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (name.startsWith('params.')) {
      if (value !== '' && value !== undefined) params[name.slice('params.'.length)] = value;
    } else rest[name] = value;
  }
  return { params, rest };
}

function duration(task: { startedAt: string | null; finishedAt: string | null }, now: number) {
  if (!task.startedAt) return '—';
  const end = task.finishedAt ? Date.parse(task.finishedAt) : now;
  return formatDuration((end - Date.parse(task.startedAt)) / 1000);
}

interface StepGroup {
  step: string;
  dependsOn: string[];
  own: JobTask | undefined;
  fanned: JobTask[];
}

function groupSteps(tasks: JobTask[]): StepGroup[] {
  const groups = new Map<string, StepGroup>();
  for (const task of tasks) {
    const group = groups.get(task.step) ?? {
      step: task.step,
      dependsOn: task.dependsOn,
      own: undefined,
      fanned: [],
    };
    if (task.position === null) group.own = task;
    else group.fanned.push(task);
    groups.set(task.step, group);
  }
  // Columns by depth: a step sits one column right of the deepest it depends on.
  const depth = new Map<string, number>();
  const depthOf = (step: string, seen: string[] = []): number => {
    if (depth.has(step)) return depth.get(step)!;
    const group = groups.get(step);
    const d =
      group && !seen.includes(step)
        ? Math.max(-1, ...group.dependsOn.map((s) => depthOf(s, [...seen, step]))) + 1
        : 0;
    depth.set(step, d);
    return d;
  };
  return [...groups.values()].sort((a, b) => depthOf(a.step) - depthOf(b.step));
}

/** A step's state: its own task's, or once it fanned out, what its tasks add up to. */
function stepState(group: StepGroup): JobTaskState | null {
  if (!group.fanned.length) return group.own?.state ?? null;
  const states = new Set(group.fanned.map((t) => t.state));
  for (const state of ['failed', 'running', 'queued', 'pending', 'cancelled'] as const) {
    if (states.has(state)) return state;
  }
  return 'succeeded';
}

function countStates(tasks: JobTask[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts.entries()].map(([state, n]) => `${n} ${state}`).join(', ');
}

/** The run's steps left to right in dependency order, each with its tasks. */
export function TaskGraph({
  tasks,
  onSelect,
}: {
  tasks: JobTask[];
  onSelect: (taskId: string) => void;
}) {
  const groups = useMemo(() => groupSteps(tasks), [tasks]);
  return (
    <div className="task-graph" data-testid="task-graph">
      {groups.map((group, i) => {
        const fanned = group.fanned;
        const mean = fanned.length
          ? fanned.reduce((n, t) => n + (t.state === 'succeeded' ? 100 : t.progress), 0) /
            fanned.length
          : group.own?.state === 'succeeded'
            ? 100
            : (group.own?.progress ?? 0);
        return (
          <div key={group.step} className="task-graph-step">
            {i > 0 ? (
              <div className="task-graph-after muted">
                after {group.dependsOn.join(', ') || 'nothing'}
              </div>
            ) : null}
            <div className="panel">
              <div className="toolbar">
                <strong>{group.step}</strong>
                {stepState(group) ? <JobStateBadge state={stepState(group)!} /> : null}
              </div>
              <ProgressBar percent={mean} label={`${group.step} progress`} />
              {fanned.length ? (
                <div className="muted">
                  {fanned.length} tasks: {countStates(fanned)}
                </div>
              ) : null}
              <div className="task-dots">
                {[group.own, ...fanned].flatMap((t) =>
                  t ? (
                    <button
                      key={t.id}
                      type="button"
                      className={`task-dot dot-${t.state}`}
                      title={`${t.key}: ${t.state}${t.error ? ` — ${t.error}` : ''}`}
                      aria-label={`${t.key} ${t.state}`}
                      onClick={() => onSelect(t.id)}
                    />
                  ) : (
                    []
                  ),
                )}
              </div>
            </div>
          </div>
        );
      })}
    </div>
  );
}

export function TaskTable({
  tasks,
  now,
  onSelect,
}: {
  tasks: JobTask[];
  now: number;
  onSelect: (taskId: string) => void;
}) {
  return (
    <div className="table-wrap">
      <table data-testid="task-table">
        <thead>
          <tr>
            {['Task', 'State', 'Attempt', 'Progress', 'Time', 'Result or error', ''].map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <tr key={task.id} className={task.state === 'failed' ? 'row-bad' : undefined}>
              <td>
                <code>{task.key}</code>
              </td>
              <td>
                <JobStateBadge state={task.state} />
                {task.runAfter && task.state === 'queued' ? (
                  <div className="muted" title={dateTime(task.runAfter)}>
                    retry at {new Date(task.runAfter).toLocaleTimeString()}
                  </div>
                ) : null}
              </td>
              <td>
                {task.attempt} / {task.attemptLimit}
              </td>
              <td style={{ minWidth: 120 }}>
                <ProgressBar
                  percent={task.state === 'succeeded' ? 100 : task.progress}
                  label={`${task.key} progress`}
                />
                {task.message ? <div className="muted">{task.message}</div> : null}
              </td>
              <td>{duration(task, now)}</td>
              <td className={task.error ? 'cell-error' : 'cell-payload'}>
                {task.error ??
                  (task.result === null || task.result === undefined ? (
                    <span className="muted">—</span>
                  ) : (
                    <code className="payload">{JSON.stringify(task.result).slice(0, 200)}</code>
                  ))}
              </td>
              <td>
                <button type="button" onClick={() => onSelect(task.id)}>
                  Logs
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const logRefreshMs = 2000;

/** A run's log lines, of one task or all, following new lines while the run is live. */
export function RunLogs({
  runId,
  taskId,
  live,
  tasks,
  onTask,
}: {
  runId: string;
  taskId: string | null;
  live: boolean;
  tasks: JobTask[];
  onTask: (taskId: string | null) => void;
}) {
  const [lines, setLines] = useState<JobLog[]>([]);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let stopped = false;
    let after: string | null = null;
    let timer: ReturnType<typeof setTimeout> | null = null;
    setLines([]);
    const load = async () => {
      try {
        const query = new URLSearchParams({ limit: '500' });
        if (taskId) query.set('taskId', taskId);
        if (after) query.set('after', after);
        const page = await api<{ items: JobLog[]; last: string | null }>(
          `/api/jobs/runs/${runId}/logs?${query}`,
        );
        if (stopped) return;
        after = page.last;
        if (page.items.length) setLines((previous) => [...previous, ...page.items].slice(-2000));
        setError(null);
        // Keep reading while lines come in pages, then follow every few seconds if live.
        if (page.items.length === 500) timer = setTimeout(load, 0);
        else if (live) timer = setTimeout(load, logRefreshMs);
      } catch (e) {
        if (!stopped) {
          setError(e);
          if (live) timer = setTimeout(load, logRefreshMs);
        }
      }
    };
    void load();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [runId, taskId, live]);

  return (
    <div className="panel" data-testid="run-logs">
      <div className="toolbar">
        <h2 style={{ marginRight: 'auto' }}>Logs</h2>
        <label htmlFor="log-task">Task</label>
        <select
          id="log-task"
          value={taskId ?? ''}
          onChange={(e) => onTask(e.target.value || null)}
          style={{ width: 'auto' }}
        >
          <option value="">all tasks and the run</option>
          {tasks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.key}
            </option>
          ))}
        </select>
      </div>
      <ErrorBanner error={error} />
      <div className="log-lines">
        {lines.length === 0 ? <div className="muted">No log lines.</div> : null}
        {lines.map((line) => (
          <div key={line.id} className={`log-line log-${line.level}`}>
            <time dateTime={line.at}>{new Date(line.at).toLocaleTimeString()}</time>{' '}
            <span className="log-level">{line.level}</span>{' '}
            {line.taskKey ? <code>{line.taskKey}</code> : <span className="muted">run</span>}
            {line.attempt ? <span className="muted"> #{line.attempt}</span> : null} {line.message}
            {line.data && Object.keys(line.data).length ? (
              <span className="muted"> {JSON.stringify(line.data).slice(0, 300)}</span>
            ) : null}
            {line.worker ? <span className="muted"> ({line.worker})</span> : null}
          </div>
        ))}
      </div>
    </div>
  );
}

/** What the run read (series, ranges, points) and produced (items), and its movements. */
export function RunLineage({ runId, enabled }: { runId: string; enabled: boolean }) {
  const lineage = useQuery({
    queryKey: ['job-lineage', runId],
    queryFn: () => api<JobLineage>(`/api/jobs/runs/${runId}/lineage`),
    enabled,
    refetchInterval: enabled ? false : undefined,
  });
  if (!enabled) return null;
  const data = lineage.data;
  return (
    <div className="panel" data-testid="run-lineage">
      <h2>Lineage</h2>
      <ErrorBanner error={lineage.error} />
      {data ? (
        <>
          <h3>Read ({data.inputs.length} series)</h3>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  {['Task', 'Series', 'Resource', 'Node', 'From', 'To', 'Points'].map((c) => (
                    <th key={c}>{c}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.inputs.slice(0, 200).map((input, i) => (
                  <tr key={`${input.taskId}-${input.seriesId}-${i}`}>
                    <td>
                      <code>{input.taskKey}</code>
                    </td>
                    <td>
                      <code>{input.seriesKey ?? '(deleted)'}</code>
                    </td>
                    <td>{input.resourceReference ?? <span className="muted">—</span>}</td>
                    <td>
                      <NodeLink id={input.nodeId} />
                    </td>
                    <td>{input.start ? dateTime(input.start) : '—'}</td>
                    <td>{input.stop ? dateTime(input.stop) : '—'}</td>
                    <td>{input.points.toLocaleString()}</td>
                  </tr>
                ))}
                {data.inputs.length === 0 ? (
                  <tr>
                    <td colSpan={7} className="muted">
                      Nothing read.
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </div>
          <h3>Produced</h3>
          <ul>
            {data.outputs.map((o) => (
              <li key={`${o.taskId}-${o.itemId}`}>
                {o.itemId ? (
                  <Link
                    href={o.itemKind === 'alert' ? `/alerts/${o.itemId}` : `/items/${o.itemId}`}
                  >
                    {o.itemName}
                  </Link>
                ) : (
                  '(deleted)'
                )}{' '}
                <span className="kind">{o.itemKind}</span> by <code>{o.taskKey}</code>
              </li>
            ))}
            {data.outputs.length === 0 ? <li className="muted">No items.</li> : null}
          </ul>
          <h3>Movements ({data.movements.length})</h3>
          <p className="muted">
            {Object.entries(
              data.movements.reduce<Record<string, number>>((sums, m) => {
                sums[m.resourceReference] = (sums[m.resourceReference] ?? 0) + Number(m.quantity);
                return sums;
              }, {}),
            )
              .map(([resource, quantity]) => `${resource}: ${quantity.toLocaleString()}`)
              .join(' · ') || 'none'}
          </p>
        </>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </div>
  );
}

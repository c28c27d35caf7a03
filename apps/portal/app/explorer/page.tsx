'use client';

import { useQueries, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { useNodes, useResources } from '@/components/lookups';
import { SeriesChart, type ChartSeries } from '@/components/series-chart';
import { api, query, type Chart, type Page, type PointsPage, type Series } from '@/lib/api';

const presets = [
  { key: '1h', label: '1 h', ms: 3_600_000 },
  { key: '6h', label: '6 h', ms: 6 * 3_600_000 },
  { key: '24h', label: '24 h', ms: 86_400_000 },
  { key: '7d', label: '7 d', ms: 7 * 86_400_000 },
  { key: '30d', label: '30 d', ms: 30 * 86_400_000 },
];
const maxSelected = 5;
const chartPoints = 1000;

function label(s: Series): string {
  const tags = Object.entries(s.tags)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${s.measurement}${tags ? `{${tags}}` : ''} ${s.field}`;
}

/** datetime-local text for a time, in UTC or the browser's zone. */
function toInput(ms: number, utc: boolean): string {
  const shifted = utc ? ms : ms - new Date(ms).getTimezoneOffset() * 60_000;
  return new Date(shifted).toISOString().slice(0, 16);
}

function fromInput(text: string, utc: boolean): number | null {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(text)) return null;
  const ms = utc ? Date.parse(`${text}Z`) : new Date(text).getTime();
  return Number.isNaN(ms) ? null : ms;
}

function formatTime(ms: number, utc: boolean): string {
  if (utc) return new Date(ms).toISOString();
  const offset = -new Date(ms).getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const hh = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const mm = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${toInput(ms, false)}:${String(new Date(ms).getSeconds()).padStart(2, '0')}${sign}${hh}:${mm}`;
}

function csvCell(value: unknown): string {
  const text = String(value ?? '');
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export default function ExplorerPage() {
  const nodes = useNodes();
  const resources = useResources();
  const [nodeId, setNodeId] = useState('');
  const [resourceId, setResourceId] = useState('');
  const [tagText, setTagText] = useState('');
  const [selected, setSelected] = useState<string[]>([]);
  const [preset, setPreset] = useState<string | null>('7d');
  const [absolute, setAbsolute] = useState({ from: '', to: '' });
  const [rangeError, setRangeError] = useState<string | null>(null);
  const [range, setRange] = useState(() => ({
    from: Date.now() - 7 * 86_400_000,
    to: Date.now(),
  }));
  const [utc, setUtc] = useState(true);

  // Times depend on the browser's clock and zone: render them only in the browser.
  const [mounted, setMounted] = useState(false);
  useEffect(() => {
    const saved = localStorage.getItem('sextant-explorer-utc');
    if (saved !== null) setUtc(saved === 'true');
    setMounted(true);
  }, []);

  const tags = tagText
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const tagProblem = tags.find((t) => !/^[^:]+:.*$/.test(t));
  const seriesQuery = useQuery({
    queryKey: ['series', nodeId, resourceId, tags.join(',')],
    enabled: !tagProblem,
    queryFn: () => {
      const search = new URLSearchParams(query({ nodeId, resourceId, limit: 200 }).slice(1));
      for (const tag of tags) search.append('tag', tag);
      return api<Page<Series>>(`/api/series?${search.toString()}`);
    },
  });
  const list = seriesQuery.data?.items ?? [];
  const chosen = useMemo(
    () =>
      selected
        .map((id) => list.find((s) => s.id === id))
        .filter((s): s is Series => s !== undefined),
    [selected, list],
  );
  const numeric = chosen.filter((s) => s.valueType !== 'string');
  const strings = chosen.filter((s) => s.valueType === 'string');
  const fromIso = new Date(range.from).toISOString();
  const toIso = new Date(range.to).toISOString();

  const charts = useQueries({
    queries: numeric.map((s) => ({
      queryKey: ['chart', s.id, fromIso, toIso],
      queryFn: () =>
        api<Chart>(
          `/api/series/${s.id}/chart${query({ from: fromIso, to: toIso, points: chartPoints })}`,
        ),
    })),
  });
  const events = useQueries({
    queries: strings.map((s) => ({
      queryKey: ['events', s.id, fromIso, toIso],
      queryFn: () =>
        api<PointsPage>(
          `/api/series/${s.id}/points${query({ from: fromIso, to: toIso, limit: 500, order: 'desc' })}`,
        ),
    })),
  });

  const chartSeries: ChartSeries[] = useMemo(
    () =>
      numeric.flatMap((s, k) => {
        const data = charts[k]?.data;
        if (!data) return [];
        // A gap wider than a few pixels breaks the line instead of bridging it.
        const gap = (3 * (range.to - range.from)) / chartPoints / 1000;
        const out: ChartSeries = {
          label: label(s),
          times: [],
          mean: [],
          min: [],
          max: [],
          downsampled: data.points.some((p) => p.count > 1),
        };
        data.points.forEach((p, i) => {
          const time = Date.parse(p.time) / 1000;
          const previous = out.times[out.times.length - 1];
          if (i > 0 && time - previous > gap) {
            out.times.push((time + previous) / 2);
            out.mean.push(null);
            out.min.push(null);
            out.max.push(null);
          }
          out.times.push(time);
          out.mean.push(p.mean);
          out.min.push(p.min);
          out.max.push(p.max);
        });
        return [out];
      }),
    [
      numeric.map((s) => s.id).join(','),
      charts.map((c) => c.dataUpdatedAt).join(','),
      range.from,
      range.to,
    ],
  );
  const loading = charts.some((c) => c.isFetching) || events.some((e) => e.isFetching);
  const error = [...charts, ...events].find((q) => q.error)?.error ?? seriesQuery.error;

  function choosePreset(key: string) {
    const now = Date.now();
    const ms = presets.find((p) => p.key === key)!.ms;
    setPreset(key);
    setAbsolute({ from: '', to: '' });
    setRange({ from: now - ms, to: now });
    setRangeError(null);
  }

  function applyAbsolute() {
    const from = fromInput(absolute.from, utc);
    const to = fromInput(absolute.to, utc);
    if (from === null || to === null) return setRangeError('enter both times');
    if (to <= from) return setRangeError('the end must be after the start');
    setRangeError(null);
    setPreset(null);
    setRange({ from, to });
  }

  function toggleUtc() {
    setUtc(!utc);
    localStorage.setItem('sextant-explorer-utc', String(!utc));
  }

  function toggle(id: string) {
    setSelected((current) =>
      current.includes(id)
        ? current.filter((s) => s !== id)
        : current.length >= maxSelected
          ? current
          : [...current, id],
    );
  }

  function exportCsv() {
    const lines = [['time', 'series', 'mean', 'min', 'max', 'count', 'value'].join(',')];
    numeric.forEach((s, k) => {
      for (const p of charts[k]?.data?.points ?? [])
        lines.push(
          [formatTime(Date.parse(p.time), utc), label(s), p.mean, p.min, p.max, p.count, '']
            .map(csvCell)
            .join(','),
        );
    });
    strings.forEach((s, k) => {
      for (const p of events[k]?.data?.points ?? [])
        lines.push(
          [formatTime(Date.parse(p.time), utc), label(s), '', '', '', 1, p.value]
            .map(csvCell)
            .join(','),
        );
    });
    const blob = new Blob([`${lines.join('\n')}\n`], { type: 'text/csv' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download =
      `sextant-${new Date(range.from).toISOString().slice(0, 16)}-${new Date(range.to).toISOString().slice(0, 16)}.csv`.replace(
        /:/g,
        '',
      );
    link.click();
    URL.revokeObjectURL(link.href);
  }

  if (!mounted)
    return (
      <section className="explorer">
        <h1>Explorer</h1>
        <p className="muted">Loading…</p>
      </section>
    );

  return (
    <section className="explorer">
      <h1>Explorer</h1>
      <div className="panel explorer-filters">
        <label>
          Node
          <select value={nodeId} onChange={(e) => setNodeId(e.target.value)}>
            <option value="">Any node</option>
            {nodes.data?.items.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name} ({n.reference})
              </option>
            ))}
          </select>
        </label>
        <label>
          Resource
          <select value={resourceId} onChange={(e) => setResourceId(e.target.value)}>
            <option value="">Any resource</option>
            {resources.data?.items.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name} ({r.reference})
              </option>
            ))}
          </select>
        </label>
        <label>
          Tags
          <input
            value={tagText}
            placeholder="site:north, turbine:T01"
            onChange={(e) => setTagText(e.target.value)}
            aria-invalid={tagProblem ? true : undefined}
          />
          {tagProblem && (
            <span className="field-error" data-testid="error-tags">
              “{tagProblem}” is not name:value
            </span>
          )}
        </label>
      </div>

      <div className="explorer-body">
        <div className="panel explorer-series" data-testid="series-list">
          <h2>
            Series{' '}
            <span className="muted">
              {seriesQuery.data ? `${list.length}${seriesQuery.data.nextCursor ? '+' : ''}` : '…'}
            </span>
          </h2>
          {list.length === 0 && seriesQuery.data && (
            <p className="muted">No series match. Clear a filter.</p>
          )}
          <ul>
            {list.map((s) => (
              <li key={s.id}>
                <label>
                  <input
                    type="checkbox"
                    checked={selected.includes(s.id)}
                    disabled={!selected.includes(s.id) && selected.length >= maxSelected}
                    onChange={() => toggle(s.id)}
                  />
                  {label(s)} <span className="muted">{s.valueType}</span>
                </label>
              </li>
            ))}
          </ul>
        </div>

        <div className="explorer-main">
          <div className="toolbar explorer-range">
            <div className="segmented" role="group" aria-label="Time range">
              {presets.map((p) => (
                <button
                  key={p.key}
                  type="button"
                  className={preset === p.key ? 'primary' : undefined}
                  aria-pressed={preset === p.key}
                  onClick={() => choosePreset(p.key)}
                >
                  {p.label}
                </button>
              ))}
            </div>
            <label>
              From
              <input
                type="datetime-local"
                value={absolute.from || toInput(range.from, utc)}
                onChange={(e) => setAbsolute({ ...absolute, from: e.target.value })}
              />
            </label>
            <label>
              To
              <input
                type="datetime-local"
                value={absolute.to || toInput(range.to, utc)}
                onChange={(e) => setAbsolute({ ...absolute, to: e.target.value })}
              />
            </label>
            <button type="button" onClick={applyAbsolute}>
              Apply
            </button>
            <button type="button" onClick={toggleUtc} data-testid="utc-toggle">
              {utc ? 'UTC' : 'Local time'}
            </button>
            <button type="button" onClick={exportCsv} disabled={chosen.length === 0 || loading}>
              Export CSV
            </button>
          </div>
          {rangeError && (
            <p className="field-error" data-testid="error-range">
              {rangeError}
            </p>
          )}
          <p className="muted" data-testid="range-label">
            {formatTime(range.from, utc)} → {formatTime(range.to, utc)}
            {loading ? ' · loading…' : ''}
          </p>
          {error ? <ErrorBanner error={error} /> : null}
          {chosen.length === 0 && (
            <p className="muted">Choose up to {maxSelected} series to chart.</p>
          )}
          {chartSeries.length > 0 && (
            <div className="panel">
              <SeriesChart series={chartSeries} utc={utc} />
            </div>
          )}
          {strings.map((s, k) => (
            <div className="panel" key={s.id}>
              <h2>{label(s)}</h2>
              <div className="table-wrap events-wrap">
                <table data-testid="events">
                  <thead>
                    <tr>
                      <th>Time</th>
                      <th>Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {(events[k]?.data?.points ?? []).map((p) => (
                      <tr key={p.time}>
                        <td>{formatTime(Date.parse(p.time), utc)}</td>
                        <td>{String(p.value)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}

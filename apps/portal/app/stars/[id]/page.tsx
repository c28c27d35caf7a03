'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { ErrorBanner } from '@/components/error-banner';
import { SvgPlot } from '@/components/svg-plot';
import { api, type Node, type TransitCandidate, type TransitCandidateDetail } from '@/lib/api';
import { useCan } from '@/lib/session';

const pollMs = 2000;
const pollForMs = 180_000;

function CandidateCharts({ id }: { id: string }) {
  const detail = useQuery({
    queryKey: ['transit-candidate', id],
    queryFn: () => api<TransitCandidateDetail>(`/api/lightcurves/candidates/${id}`),
  });
  if (detail.error) return <ErrorBanner error={detail.error} />;
  if (!detail.data) return <p className="muted">Loading…</p>;
  const c = detail.data;
  return (
    <div className="transit-charts">
      <div className="panel">
        <h3>Periodogram (BLS)</h3>
        <SvgPlot
          testId="periodogram"
          x={c.periodogram.period}
          y={c.periodogram.power}
          mode="line"
          logX
          markerX={c.period}
          xLabel="period (days)"
          yLabel="power"
        />
      </div>
      <div className="panel">
        <h3>Light curve folded on {c.period.toFixed(5)} d</h3>
        <SvgPlot
          testId="folded"
          x={c.folded.phaseHours}
          y={c.folded.flux}
          mode="dots"
          markerX={0}
          xLabel="hours from mid-transit"
          yLabel="relative flux"
          format={(v) => (Math.abs(v) > 0.5 && Math.abs(v) < 2 ? v.toFixed(4) : v.toFixed(2))}
        />
      </div>
    </div>
  );
}

export default function StarPage() {
  const { id } = useParams<{ id: string }>();
  const client = useQueryClient();
  const canSearch = useCan('job.manage', 'node', id);
  const [submitted, setSubmitted] = useState<{ runId: string; at: number } | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const star = useQuery({ queryKey: ['nodes', id], queryFn: () => api<Node>(`/api/nodes/${id}`) });
  const candidates = useQuery({
    queryKey: ['transit-candidates', id],
    queryFn: () => api<{ items: TransitCandidate[] }>(`/api/lightcurves/stars/${id}/candidates`),
    // After a search is submitted, until its candidates arrive (or a few minutes pass).
    refetchInterval: (q) =>
      submitted &&
      Date.now() - submitted.at < pollForMs &&
      q.state.data?.items[0]?.runId !== submitted.runId
        ? pollMs
        : false,
  });
  const search = useMutation({
    mutationFn: () =>
      api<{ runId: string; state: string }>(`/api/lightcurves/stars/${id}/transit-search`, {
        method: 'POST',
        body: {},
      }),
    onSuccess: (run) => {
      setSubmitted({ runId: run.runId, at: Date.now() });
      setSelected(null);
      void client.invalidateQueries({ queryKey: ['transit-candidates', id] });
    },
  });

  if (star.error) return <ErrorBanner error={star.error} />;
  const items = candidates.data?.items ?? [];
  const current = selected ?? items[0]?.id ?? null;
  const waiting = submitted !== null && items[0]?.runId !== submitted.runId;
  return (
    <section>
      <div className="breadcrumb">
        <Link href={`/nodes/${id}`}>← {star.data?.name ?? 'star'}</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Transit candidates of {star.data?.name ?? '…'}</h1>
        {canSearch ? (
          <button
            type="button"
            className="primary"
            disabled={search.isPending}
            onClick={() => search.mutate()}
            data-testid="search-transits"
          >
            Search for transits
          </button>
        ) : null}
      </div>
      {search.error ? <ErrorBanner error={search.error} /> : null}
      {submitted ? (
        <p className="notice" data-testid="submitted">
          Search submitted:{' '}
          <Link href={`/jobs/${submitted.runId}`}>run {submitted.runId.slice(-8)}</Link>
          {waiting ? ' — waiting for its candidates…' : ' — done.'}
        </p>
      ) : null}
      {candidates.error ? <ErrorBanner error={candidates.error} /> : null}
      {candidates.data && items.length === 0 ? (
        <p className="muted">No candidates yet: a transit search of this star puts them here.</p>
      ) : null}
      {items.length ? (
        <div className="table-wrap">
          <table data-testid="candidates">
            <thead>
              <tr>
                <th>#</th>
                <th>Period (d)</th>
                <th>Epoch</th>
                <th>Depth (ppm)</th>
                <th>Duration (h)</th>
                <th>SNR</th>
                <th title="Signal detection efficiency, robust (median and MAD): the search's threshold is 12">
                  SDE
                </th>
                <th>Catalogue</th>
              </tr>
            </thead>
            <tbody>
              {items.map((c) => (
                <tr
                  key={c.id}
                  onClick={() => setSelected(c.id)}
                  className={c.id === current ? 'selected' : undefined}
                  style={{ cursor: 'pointer' }}
                >
                  <td>{c.rank}</td>
                  <td>{c.period.toFixed(5)}</td>
                  <td title={c.timeReference}>{c.epoch.toFixed(4)}</td>
                  <td>{Math.round(c.depthPpm)}</td>
                  <td>{c.durationHours.toFixed(2)}</td>
                  <td>{c.snr.toFixed(1)}</td>
                  <td>{c.sdeRobust.toFixed(1)}</td>
                  <td>
                    {c.koi ? (
                      <span>
                        {c.koi.kepoiName}
                        {c.koi.keplerName ? ` (${c.koi.keplerName})` : ''}{' '}
                        {c.knownPlanet ? (
                          <span className="badge badge-ok" data-testid="known-planet">
                            known planet
                          </span>
                        ) : (
                          <span className="badge">{c.koi.disposition.toLowerCase()}</span>
                        )}
                      </span>
                    ) : (
                      <span className="muted">no match</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {current ? <CandidateCharts id={current} /> : null}
    </section>
  );
}

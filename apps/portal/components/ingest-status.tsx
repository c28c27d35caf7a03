'use client';

import { useQuery } from '@tanstack/react-query';
import { api, type PathIngestStatus } from '@/lib/api';
import { loadIngestStatus } from '@/lib/ingest-status';
import { ErrorBanner } from './error-banner';
import { Ago, useNow } from './time-ago';

const detailRefreshMs = 3000;
const listRefreshMs = 5000;

export function formatRate(perSecond: number): string {
  return perSecond.toLocaleString(undefined, { maximumFractionDigits: perSecond < 10 ? 2 : 0 });
}

/** A path's live statistics, summed over every gateway, refreshed every few seconds. */
export function IngestStatusPanel({ pathId }: { pathId: string }) {
  const now = useNow();
  const status = useQuery({
    queryKey: ['ingest-status', pathId],
    queryFn: () => api<PathIngestStatus>(`/api/paths/${pathId}/ingest-status`),
    refetchInterval: detailRefreshMs,
    staleTime: 0,
  });
  const s = status.data;
  return (
    <section aria-labelledby="ingest-status-title" data-testid="ingest-status">
      <h2 id="ingest-status-title">Live statistics</h2>
      <ErrorBanner error={status.error} />
      {!s ? (
        <p className="muted">Loading…</p>
      ) : (
        <>
          <div className="cards">
            <div className="card" role="group" aria-label="Points per second">
              <div className="muted">Points/s (last minute)</div>
              <div className="figure" data-testid="points-per-second">
                {formatRate(s.pointsPerSecond)}
              </div>
            </div>
            <div className="card" role="group" aria-label="Points stored">
              <div className="muted">Points stored</div>
              <div className="figure" data-testid="points-total">
                {s.points.toLocaleString()}
              </div>
            </div>
            <div className="card" role="group" aria-label="Last seen">
              <div className="muted">Last seen</div>
              <div className="figure" data-testid="last-seen">
                <Ago iso={s.lastSeenAt} now={now} />
              </div>
            </div>
            <div className="card" role="group" aria-label="Rejected lines">
              <div className="muted">Rejected lines</div>
              <div
                className={`figure${s.rejectedLines > 0 ? ' bad' : ''}`}
                data-testid="rejected-lines"
              >
                {s.rejectedLines.toLocaleString()}
              </div>
            </div>
          </div>
          <div className="panel last-error" data-testid="last-error">
            <div className="muted">
              Last error
              {s.lastErrorAt ? (
                <>
                  {' '}
                  · <Ago iso={s.lastErrorAt} now={now} />
                </>
              ) : null}
            </div>
            {s.lastError ? (
              <pre className="error-text">{s.lastError}</pre>
            ) : (
              <span className="muted">none</span>
            )}
          </div>
        </>
      )}
    </section>
  );
}

function useListStatus(pathId: string) {
  return useQuery({
    queryKey: ['ingest-status', pathId],
    queryFn: () => loadIngestStatus(pathId),
    refetchInterval: listRefreshMs,
    staleTime: 0,
  });
}

/** Points/s of a path, for a table cell (the cells of a page share one request). */
export function PathRateCell({ pathId }: { pathId: string }) {
  const status = useListStatus(pathId);
  if (!status.data) return <span className="muted">…</span>;
  return <span data-testid="path-rate">{formatRate(status.data.pointsPerSecond)}</span>;
}

/** When a path was last written through, for a table cell. */
export function PathLastSeenCell({ pathId }: { pathId: string }) {
  const status = useListStatus(pathId);
  const now = useNow();
  if (!status.data) return <span className="muted">…</span>;
  return <Ago iso={status.data.lastSeenAt} now={now} />;
}

'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { api, type CdcLagSample } from '@/lib/api';
import { formatBytes, formatDuration } from '@/lib/format';
import { ErrorBanner } from './error-banner';
import { SeriesChart, type ChartSeries } from './series-chart';

const minutes = 60;
const refreshMs = 5000;

function line(
  label: string,
  samples: CdcLagSample[],
  value: (s: CdcLagSample) => number | null,
  format: (v: number) => string,
): ChartSeries {
  const values = samples.map(value);
  return {
    label,
    times: samples.map((s) => Date.parse(s.at) / 1000),
    mean: values,
    min: values,
    max: values,
    downsampled: false,
    format,
  };
}

/** Lag of a CDC source over the last hour, as WAL bytes (left axis) and seconds (right). */
export function CdcLagChart({ sourceId }: { sourceId: string }) {
  const lag = useQuery({
    queryKey: ['cdc-lag', sourceId, minutes],
    queryFn: () => api<CdcLagSample[]>(`/api/cdc/sources/${sourceId}/lag?minutes=${minutes}`),
    refetchInterval: refreshMs,
    staleTime: 0,
  });
  const series = useMemo(
    () =>
      lag.data?.length
        ? [
            line('Lag (bytes)', lag.data, (s) => s.lagBytes, formatBytes),
            line('Lag (seconds)', lag.data, (s) => s.lagSeconds, formatDuration),
          ]
        : [],
    [lag.data],
  );
  return (
    <section aria-labelledby="cdc-lag-title" className="cdc-lag" data-testid="cdc-lag-chart">
      <h2 id="cdc-lag-title">Lag, last {minutes} minutes</h2>
      <ErrorBanner error={lag.error} />
      <div className="panel">
        {!lag.data ? (
          <p className="muted">Loading…</p>
        ) : series.length === 0 ? (
          <p className="muted" data-testid="cdc-lag-empty">
            No lag samples in the last {minutes} minutes yet: the process running the source records
            one every 5 seconds while it runs.
          </p>
        ) : (
          <SeriesChart series={series} utc={false} height={260} />
        )}
      </div>
    </section>
  );
}

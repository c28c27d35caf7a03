'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api, query, type Item, type Page } from '@/lib/api';
import { ErrorBanner } from './error-banner';
import { SvgPlot } from './svg-plot';

// A machine's health over time, from the newest wind-performance report on its node: the
// daily performance ratio (produced / expected energy outside stops and curtailment) and the
// availability, one point a day.

interface DailyHealth {
  date: string;
  performanceRatio: number | null;
  availability: number | null;
}

const dayMs = 86_400_000;

function series(daily: DailyHealth[], pick: (d: DailyHealth) => number | null) {
  const first = Date.parse(`${daily[0].date}T00:00:00Z`);
  const x: number[] = [];
  const y: number[] = [];
  for (const d of daily) {
    const value = pick(d);
    if (value === null || !Number.isFinite(value)) continue;
    x.push((Date.parse(`${d.date}T00:00:00Z`) - first) / dayMs);
    y.push(value);
  }
  return { x, y };
}

export function MachineHealth({ nodeId }: { nodeId: string }) {
  const reports = useQuery({
    queryKey: ['items', 'report', nodeId],
    queryFn: () =>
      api<Page<Item>>(
        `/api/items${query({ kind: 'report', ownerId: nodeId, sort: '-createdAt', limit: 1 })}`,
      ),
  });
  const report = reports.data?.items[0];
  const metadata = report?.metadata as { type?: string; dailyHealth?: DailyHealth[] } | undefined;
  const daily = metadata?.type === 'wind-performance' ? (metadata.dailyHealth ?? []) : [];
  if (reports.error) return <ErrorBanner error={reports.error} />;
  if (!report || daily.length === 0) return null;
  const ratio = series(daily, (d) => d.performanceRatio);
  const availability = series(daily, (d) => d.availability);
  const from = daily[0].date;
  return (
    <section data-testid="machine-health">
      <h2>Health over time</h2>
      <p className="muted">
        Daily performance ratio (produced / expected energy outside stops and curtailment) from{' '}
        <Link href={`/items/${report.id}`}>{report.name}</Link>, {daily.length} days from {from}.
      </p>
      <SvgPlot
        x={ratio.x}
        y={ratio.y}
        mode="line"
        xLabel={`days from ${from}`}
        yLabel="performance ratio"
        testId="health-ratio-chart"
      />
      <SvgPlot
        x={availability.x}
        y={availability.y}
        mode="line"
        xLabel={`days from ${from}`}
        yLabel="availability"
        height={180}
        testId="health-availability-chart"
      />
    </section>
  );
}

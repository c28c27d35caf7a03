'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { ErrorBanner } from '@/components/error-banner';
import { api, type Page } from '@/lib/api';

function Count({ label, href, endpoint }: { label: string; href: string; endpoint: string }) {
  // Counting through pages of 500: the model lists are small; a count endpoint can come later.
  const list = useQuery({
    queryKey: [endpoint, 'count'],
    queryFn: () => api<Page<{ id: string }>>(`${endpoint}?limit=500`),
  });
  return (
    <Link href={href} className="card">
      <div className="muted">{label}</div>
      <div className="figure">
        {list.data ? `${list.data.items.length}${list.data.nextCursor ? '+' : ''}` : '…'}
      </div>
      <ErrorBanner error={list.error} />
    </Link>
  );
}

export default function Overview() {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () =>
      api<{ status: string; database: { status: string; version?: string } }>('/api/health'),
  });
  return (
    <section>
      <h1>Overview</h1>
      <p className="muted">
        Platform{' '}
        {health.data
          ? `${health.data.status}, database ${health.data.database.status}${health.data.database.version ? ` (Postgres ${health.data.database.version})` : ''}`
          : '…'}
      </p>
      <ErrorBanner error={health.error} />
      <div className="cards">
        <Count label="Nodes" href="/nodes" endpoint="/api/nodes" />
        <Count label="Resources" href="/resources" endpoint="/api/resources" />
        <Count label="Paths" href="/paths" endpoint="/api/paths" />
        <Count label="Items" href="/items" endpoint="/api/items" />
      </div>
    </section>
  );
}

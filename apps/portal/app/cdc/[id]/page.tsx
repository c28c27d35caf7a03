'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useState } from 'react';
import { CdcRecentErrors, CdcResnapshotPanel } from '@/components/cdc-commands';
import { CdcDeadLetters } from '@/components/cdc-dead-letters';
import { CdcDropPanel, CdcDropResultPanel } from '@/components/cdc-drop';
import { CdcLagChart } from '@/components/cdc-lag-chart';
import { CdcStatusPanel } from '@/components/cdc-status';
import { ErrorBanner } from '@/components/error-banner';
import { api, type CdcDropResult, type CdcSource } from '@/lib/api';

const refreshMs = 2000;

export default function CdcSourcePage() {
  const { id } = useParams<{ id: string }>();
  const client = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [dropped, setDropped] = useState<{ name: string; result: CdcDropResult } | null>(null);
  const key = ['cdc-source', id];
  const source = useQuery({
    queryKey: key,
    queryFn: () => api<CdcSource>(`/api/cdc/sources/${id}`),
    refetchInterval: refreshMs,
    staleTime: 0,
    enabled: !dropped,
  });
  const action = useMutation({
    mutationFn: (verb: 'pause' | 'resume') =>
      api<CdcSource>(`/api/cdc/sources/${id}/${verb}`, { method: 'POST' }),
    onSuccess: async (updated) => {
      client.setQueryData(key, updated);
      // A resume is also a command, shown with the others.
      await client.invalidateQueries({ queryKey: ['cdc-commands', id] });
    },
  });

  if (dropped) {
    return (
      <section>
        <div className="breadcrumb">
          <Link href="/cdc">← all CDC sources</Link>
        </div>
        <h1>{dropped.name}</h1>
        <CdcDropResultPanel name={dropped.name} result={dropped.result} />
      </section>
    );
  }
  if (source.error && !source.data) return <ErrorBanner error={source.error} />;
  if (!source.data) return <p className="muted">Loading…</p>;
  const row = source.data;
  // The path may be active while its process paused itself (after a schema change).
  const canResume = row.state === 'paused' || row.status.state === 'paused';
  const canPause = row.state === 'active';
  return (
    <section>
      <div className="breadcrumb">
        <Link href="/cdc">← all CDC sources</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>{row.name}</h1>
        <Link href={`/paths/${row.id}`} className="button">
          Path
        </Link>
        {canPause ? (
          <button type="button" disabled={action.isPending} onClick={() => action.mutate('pause')}>
            Pause
          </button>
        ) : null}
        {canResume ? (
          <button
            type="button"
            className="primary"
            disabled={action.isPending}
            onClick={() => action.mutate('resume')}
          >
            Resume
          </button>
        ) : null}
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Drop
        </button>
      </div>
      <ErrorBanner error={action.error ?? source.error} />
      {confirming ? (
        <CdcDropPanel
          source={row}
          onCancel={() => setConfirming(false)}
          onDropped={(result) => {
            setDropped({ name: row.name, result });
            client.removeQueries({ queryKey: key });
            void client.invalidateQueries({ queryKey: ['cdc-sources'] });
          }}
        />
      ) : null}
      <CdcStatusPanel source={row} />
      <CdcLagChart sourceId={row.id} />
      <CdcRecentErrors source={row} />
      <CdcResnapshotPanel source={row} />
      <CdcDeadLetters sourceId={row.id} />
    </section>
  );
}

'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type CdcDeadLetter, type CdcReplayResult } from '@/lib/api';
import { dateTime } from '@/lib/time';
import { DataTable } from './data-table';
import { ErrorBanner } from './error-banner';

const refreshMs = 5000;
const previewLength = 80;

function Payload({ payload }: { payload: string | null }) {
  if (payload === null) return <span className="muted">none</span>;
  if (payload.length <= previewLength) return <code className="payload">{payload}</code>;
  return (
    <details className="payload">
      <summary>
        <code>{payload.slice(0, previewLength)}…</code>
      </summary>
      <pre>{payload}</pre>
    </details>
  );
}

function ReplayResult({ result }: { result: CdcReplayResult }) {
  if (result.replayed.length === 0 && result.failed.length === 0) {
    return (
      <div className="notice" role="status" data-testid="replay-result">
        Nothing to replay.
      </div>
    );
  }
  return (
    <div
      className={result.failed.length ? 'banner' : 'notice'}
      role="status"
      data-testid="replay-result"
    >
      Replayed {result.replayed.length}, failed {result.failed.length}.
      {result.failed.length ? (
        <ul>
          {result.failed.map((f) => (
            <li key={f.id}>
              <code>{f.id.slice(0, 8)}</code>: {f.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** Changes that could not be decoded or applied: inspect them and apply them again. */
export function CdcDeadLetters({ sourceId }: { sourceId: string }) {
  const client = useQueryClient();
  const [includeReplayed, setIncludeReplayed] = useState(true);
  const key = ['cdc-dead-letters', sourceId, includeReplayed];
  const letters = useQuery({
    queryKey: key,
    queryFn: () =>
      api<CdcDeadLetter[]>(
        `/api/cdc/sources/${sourceId}/dead-letters?includeReplayed=${includeReplayed}`,
      ),
    refetchInterval: refreshMs,
    staleTime: 0,
  });
  const replay = useMutation({
    mutationFn: (ids?: string[]) =>
      api<CdcReplayResult>(`/api/cdc/sources/${sourceId}/dead-letters/replay`, {
        method: 'POST',
        body: ids ? { ids } : {},
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ['cdc-dead-letters', sourceId] }),
  });
  const waiting = letters.data?.filter((l) => !l.replayedAt) ?? [];
  return (
    <section aria-labelledby="cdc-dead-letters-title" data-testid="cdc-dead-letters">
      <div className="toolbar">
        <h2 id="cdc-dead-letters-title" style={{ marginRight: 'auto' }}>
          Dead letters
        </h2>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={includeReplayed}
            onChange={(e) => setIncludeReplayed(e.target.checked)}
          />{' '}
          Show replayed
        </label>
        <button
          type="button"
          className="primary"
          disabled={replay.isPending || waiting.length === 0}
          onClick={() => replay.mutate(undefined)}
        >
          Replay all
        </button>
      </div>
      <ErrorBanner error={replay.error} />
      {replay.data ? <ReplayResult result={replay.data} /> : null}
      <DataTable
        columns={[
          {
            label: 'Position',
            render: (letter) => (
              <>
                <code>{letter.position ?? '—'}</code>
                {letter.topic ? (
                  <div className="muted">
                    {letter.topic}
                    {letter.partition !== null ? ` [${letter.partition}]` : ''}
                    {letter.offset !== null ? ` @${letter.offset}` : ''}
                  </div>
                ) : null}
              </>
            ),
          },
          { label: 'Reason', className: 'cell-error', render: (letter) => letter.reason },
          {
            label: 'Payload',
            className: 'cell-payload',
            render: (letter) => <Payload payload={letter.payload} />,
          },
          { label: 'Created', render: (letter) => dateTime(letter.createdAt) },
          {
            label: 'Replayed',
            render: (letter) =>
              letter.replayedAt ? (
                dateTime(letter.replayedAt)
              ) : (
                <span className="muted">not yet</span>
              ),
          },
          {
            label: '',
            render: (letter) =>
              letter.replayedAt ? null : (
                <button
                  type="button"
                  disabled={replay.isPending}
                  aria-label={`Replay dead letter ${letter.id}`}
                  onClick={() => replay.mutate([letter.id])}
                >
                  Replay
                </button>
              ),
          },
        ]}
        rows={letters}
        rowTestId={() => 'dead-letter'}
        empty="No dead letters."
      />
    </section>
  );
}

'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, ApiError, query, type CdcDropResult, type CdcSource } from '@/lib/api';
import { ErrorBanner } from './error-banner';

/**
 * Confirms dropping a source: its slot and publication on the source go, the mirror stays
 * unless asked. When the source cannot be reached (502), offers to forget it anyway.
 */
export function CdcDropPanel({
  source,
  onCancel,
  onDropped,
}: {
  source: CdcSource;
  onCancel: () => void;
  onDropped: (result: CdcDropResult) => void;
}) {
  const [dropMirror, setDropMirror] = useState(false);
  const [force, setForce] = useState(false);
  const client = useQueryClient();
  const drop = useMutation({
    mutationFn: () =>
      api<CdcDropResult>(`/api/cdc/sources/${source.id}${query({ force, dropMirror })}`, {
        method: 'DELETE',
      }),
    onSuccess: onDropped,
    // A drop that failed has paused the source already.
    onError: () => client.invalidateQueries({ queryKey: ['cdc-source', source.id] }),
  });
  const unreachable = drop.error instanceof ApiError && drop.error.code === 'SourceUnreachable';
  return (
    <div className="panel confirm" role="dialog" aria-label="Drop CDC source">
      <p>
        <strong>Drop {source.name}?</strong> Capture stops, and the replication slot{' '}
        <code>{source.slot}</code> and publication <code>{source.publication}</code> are dropped on
        the source. The path is deleted, or revoked if movements refer to it.
      </p>
      <label className="checkbox">
        <input
          type="checkbox"
          checked={dropMirror}
          onChange={(e) => setDropMirror(e.target.checked)}
        />{' '}
        Also drop the mirror schema <code>{source.mirrorSchema}</code> and its rows
      </label>
      <ErrorBanner error={drop.error} />
      {unreachable || force ? (
        <label className="checkbox">
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} />{' '}
          Force: forget the source anyway (its slot stays on the source and keeps WAL until someone
          drops it there)
        </label>
      ) : null}
      <div className="toolbar" style={{ marginTop: 12, marginBottom: 0 }}>
        <button
          type="button"
          className="danger"
          disabled={drop.isPending}
          onClick={() => drop.mutate()}
        >
          {drop.isPending ? 'Dropping…' : force ? 'Force drop' : 'Drop source'}
        </button>
        <button type="button" onClick={onCancel} disabled={drop.isPending}>
          Cancel
        </button>
      </div>
    </div>
  );
}

const yesNo = (value: boolean) => (value ? 'yes' : 'no');

/** What a drop did, shown in place of the source that is gone. */
export function CdcDropResultPanel({ name, result }: { name: string; result: CdcDropResult }) {
  return (
    <div className="panel" role="status" data-testid="cdc-drop-result">
      <p>
        <strong>{name} was dropped.</strong>
      </p>
      <dl className="details">
        <dt>Slot dropped</dt>
        <dd data-testid="drop-slot">{yesNo(result.slotDropped)}</dd>
        <dt>Publication dropped</dt>
        <dd data-testid="drop-publication">{yesNo(result.publicationDropped)}</dd>
        <dt>Mirror {result.mirrorSchema}</dt>
        <dd data-testid="drop-mirror">{result.mirrorDropped ? 'dropped' : 'kept'}</dd>
        <dt>Path</dt>
        <dd data-testid="drop-path">{result.path}</dd>
      </dl>
      {result.warning ? (
        <div className="banner" role="alert" style={{ marginTop: 12, marginBottom: 0 }}>
          {result.warning}
        </div>
      ) : null}
    </div>
  );
}

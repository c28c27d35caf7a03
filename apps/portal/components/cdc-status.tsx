'use client';

import { assertNever } from '@sextant/domain';
import type { CdcRunState, CdcSource, CdcSourceStatus } from '@/lib/api';
import { formatBytes, formatDuration } from '@/lib/format';
import { useMe } from '@/lib/session';
import { dateTime, timeUntil } from '@/lib/time';
import { formatRate } from './ingest-status';
import { NodeLink } from './lookups';
import { Ago, useNow } from './time-ago';

type Tone = 'ok' | 'busy' | 'idle' | 'bad';

function toneOf(state: CdcRunState): Tone {
  switch (state) {
    case 'streaming':
      return 'ok';
    case 'starting':
    case 'snapshotting':
      return 'busy';
    case 'paused':
    case 'stopped':
    case 'waiting':
      return 'idle';
    case 'retrying':
      return 'bad';
    default:
      return assertNever(state);
  }
}

/** The run state as a coloured badge; red whenever there are problems to act on. */
export function CdcStateBadge({ status }: { status: CdcSourceStatus }) {
  const tone = status.problems.length > 0 ? 'bad' : toneOf(status.state);
  return (
    <span
      className={`badge badge-${tone}`}
      data-testid="cdc-state"
      title={status.problems.join('\n') || undefined}
    >
      {status.state}
      {status.problems.length === 1 ? ' · 1 problem' : ''}
      {status.problems.length > 1 ? ` · ${status.problems.length} problems` : ''}
    </span>
  );
}

/** Lag as bytes of WAL and seconds, or a dash before the first report. */
export function CdcLag({ status }: { status: CdcSourceStatus }) {
  if (status.lagBytes === null && status.lagSeconds === null) {
    return <span className="muted">—</span>;
  }
  return (
    <span data-testid="cdc-lag">
      {status.lagBytes === null ? '—' : formatBytes(status.lagBytes)}
      {' · '}
      {status.lagSeconds === null ? '—' : formatDuration(status.lagSeconds)}
    </span>
  );
}

function Lsn({ value }: { value: string | null }) {
  return value ? <code>{value}</code> : <span className="muted">—</span>;
}

/** Everything a source's process last reported, problems and a pause's reason first. */
export function CdcStatusPanel({ source }: { source: CdcSource }) {
  const now = useNow();
  const s = source.status;
  const me = useMe();
  return (
    <section aria-labelledby="cdc-status-title" data-testid="cdc-status">
      <h2 id="cdc-status-title">Status</h2>
      {s.problems.length > 0 ? (
        <div className="banner" role="alert" data-testid="cdc-problems">
          <strong>Problems</strong>
          <ul>
            {s.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {s.pausedReason ? (
        <div className="notice" role="status" data-testid="cdc-paused-reason">
          <strong>Paused:</strong> {s.pausedReason}
        </div>
      ) : null}
      {s.state === 'retrying' && s.nextRetryAt ? (
        <div className="notice" role="status" data-testid="cdc-next-retry">
          <strong>Retrying</strong>{' '}
          <time dateTime={s.nextRetryAt} title={dateTime(s.nextRetryAt)}>
            {timeUntil(s.nextRetryAt, now)}
          </time>{' '}
          ({dateTime(s.nextRetryAt)})
        </div>
      ) : null}
      <div className="cards">
        <div className="card" role="group" aria-label="State">
          <div className="muted">State</div>
          <div className="figure">
            <CdcStateBadge status={s} />
          </div>
        </div>
        <div className="card" role="group" aria-label="Lag">
          <div className="muted">Lag</div>
          <div className="figure">
            <CdcLag status={s} />
          </div>
        </div>
        <div className="card" role="group" aria-label="Changes per second">
          <div className="muted">Changes/s</div>
          <div className="figure" data-testid="cdc-rate">
            {formatRate(s.changesPerSecond)}
          </div>
        </div>
        <div className="card" role="group" aria-label="Changes applied">
          <div className="muted">Changes applied</div>
          <div className="figure" data-testid="cdc-applied">
            {s.changesApplied.toLocaleString()}
          </div>
        </div>
      </div>
      <div className="panel" style={{ marginTop: 12 }}>
        <dl className="details">
          <dt>Path state</dt>
          <dd data-testid="cdc-path-state">{source.state}</dd>
          <dt>Confirmed LSN</dt>
          <dd data-testid="cdc-confirmed-lsn">
            <Lsn value={s.confirmedLsn} />
          </dd>
          <dt>Source LSN</dt>
          <dd>
            <Lsn value={s.sourceLsn} />
          </dd>
          <dt>Runner</dt>
          <dd>
            {s.runner ?? (
              <span className="muted">
                {me.data?.platformAdmin ? 'none' : 'shown to platform administrators'}
              </span>
            )}
          </dd>
          <dt>Reported</dt>
          <dd>
            <Ago iso={s.updatedAt} now={now} />
          </dd>
          <dt>Source</dt>
          <dd>
            <NodeLink id={source.sourceId} />
          </dd>
          <dt>Destination</dt>
          <dd>
            <NodeLink id={source.destinationId} />
          </dd>
          <dt>Connection</dt>
          <dd>
            <code>{source.connection}</code>
          </dd>
          <dt>Slot · publication</dt>
          <dd>
            <code>{source.slot}</code> · <code>{source.publication}</code>
          </dd>
          <dt>Mirror schema</dt>
          <dd>
            <code>{source.mirrorSchema}</code>
          </dd>
          <dt>Key columns</dt>
          <dd>
            {Object.keys(source.keys).length ? (
              <code>{JSON.stringify(source.keys)}</code>
            ) : (
              <span className="muted">primary keys</span>
            )}
          </dd>
          <dt>Created</dt>
          <dd>{dateTime(source.createdAt)}</dd>
        </dl>
      </div>
    </section>
  );
}

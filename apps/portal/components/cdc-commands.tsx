'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type CdcCommand, type CdcSource } from '@/lib/api';
import { dateTime } from '@/lib/time';
import { ErrorBanner } from './error-banner';
import { Ago, useNow } from './time-ago';

const busyRefreshMs = 2000;
const idleRefreshMs = 10_000;

const unfinished = (c: CdcCommand) => c.state === 'pending' || c.state === 'running';

/** A source's recent commands (newest first), polled quickly while one is under way. */
function useCdcCommands(sourceId: string) {
  return useQuery({
    queryKey: ['cdc-commands', sourceId],
    queryFn: () => api<CdcCommand[]>(`/api/cdc/sources/${sourceId}/commands`),
    refetchInterval: (query) =>
      query.state.data?.some(unfinished) ? busyRefreshMs : idleRefreshMs,
    staleTime: 0,
  });
}

function CommandState({ command }: { command: CdcCommand }) {
  const tone = command.state === 'done' ? 'ok' : command.state === 'failed' ? 'bad' : 'busy';
  return (
    <span className={`badge badge-${tone}`} data-testid="command-state">
      {command.state}
    </span>
  );
}

/** The source's tables, each with a button to read it again and how its last re-read went. */
export function CdcResnapshotPanel({ source }: { source: CdcSource }) {
  const client = useQueryClient();
  const commands = useCdcCommands(source.id);
  const resnapshot = useMutation({
    mutationFn: (table: string) =>
      api<CdcCommand>(`/api/cdc/sources/${source.id}/resnapshot`, {
        method: 'POST',
        body: { table },
      }),
    onSettled: () => client.invalidateQueries({ queryKey: ['cdc-commands', source.id] }),
  });
  const active = source.state === 'active';
  const latest = (table: string) =>
    commands.data?.find((c) => c.kind === 'resnapshot' && c.table === table);
  return (
    <section aria-labelledby="cdc-tables-title" data-testid="cdc-tables">
      <h2 id="cdc-tables-title">Tables</h2>
      <ErrorBanner error={commands.error ?? resnapshot.error} />
      {!active ? (
        <p className="muted">The source is {source.state}: resume it to re-read a table.</p>
      ) : null}
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th>Table</th>
              <th>Last re-snapshot</th>
              <th>Requested</th>
              <th>Finished</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {source.tables.map((table) => {
              const command = latest(table);
              const busy =
                (resnapshot.isPending && resnapshot.variables === table) ||
                (command !== undefined && unfinished(command));
              return (
                <tr key={table}>
                  <td>
                    <code>{table}</code>
                  </td>
                  <td>
                    {command ? (
                      <CommandState command={command} />
                    ) : (
                      <span className="muted">—</span>
                    )}
                    {command?.error ? <div className="problem">{command.error}</div> : null}
                  </td>
                  <td>{command ? dateTime(command.requestedAt) : ''}</td>
                  <td>{command?.finishedAt ? dateTime(command.finishedAt) : ''}</td>
                  <td>
                    <button
                      type="button"
                      disabled={!active || busy}
                      aria-label={`Re-snapshot ${table}`}
                      onClick={() => resnapshot.mutate(table)}
                    >
                      Re-snapshot
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The last error the process reported, and commands that failed. */
export function CdcRecentErrors({ source }: { source: CdcSource }) {
  const now = useNow();
  const commands = useCdcCommands(source.id);
  const failed = commands.data?.filter((c) => c.state === 'failed') ?? [];
  const s = source.status;
  return (
    <section aria-labelledby="cdc-errors-title" data-testid="cdc-errors">
      <h2 id="cdc-errors-title">Recent errors</h2>
      <div className="panel">
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
          <pre className="error-text" data-testid="cdc-last-error">
            {s.lastError}
          </pre>
        ) : (
          <span className="muted">none</span>
        )}
        {failed.length > 0 ? (
          <>
            <div className="muted" style={{ marginTop: 12 }}>
              Failed commands
            </div>
            <ul className="failed-commands" data-testid="cdc-failed-commands">
              {failed.map((c) => (
                <li key={c.id}>
                  <strong>
                    {c.kind}
                    {c.table ? ` ${c.table}` : ''}
                  </strong>{' '}
                  <span className="muted">
                    {c.finishedAt ? <Ago iso={c.finishedAt} now={now} /> : null}
                  </span>
                  <pre className="error-text">{c.error}</pre>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </div>
    </section>
  );
}

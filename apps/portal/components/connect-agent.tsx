'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { agentConfig, agentLabels, agents, type Agent } from '@/lib/agent-config';
import { api, type IngestEndpoints } from '@/lib/api';
import { CopyButton } from './copy-button';
import { ErrorBanner } from './error-banner';

/**
 * Configuration to paste into Telegraf, fluent-bit, fluentd or curl so that they write through
 * this path: with the token just created when it is on screen, else a placeholder.
 */
export function ConnectAgentPanel({ token }: { token: string | null }) {
  const [agent, setAgent] = useState<Agent>('telegraf');
  const tabs = useRef<(HTMLButtonElement | null)[]>([]);
  const endpoints = useQuery({
    queryKey: ['ingest-endpoints'],
    queryFn: () => api<IngestEndpoints>('/api/ingest/endpoints'),
    staleTime: Infinity,
  });
  const text = useMemo(
    () => (endpoints.data ? agentConfig(agent, endpoints.data, token) : ''),
    [agent, endpoints.data, token],
  );

  // Arrow keys move between tabs, as in every tab list.
  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = (agents.indexOf(agent) + step + agents.length) % agents.length;
    setAgent(agents[next]);
    tabs.current[next]?.focus();
  };

  return (
    <section aria-labelledby="connect-title" data-testid="connect-agent">
      <h2 id="connect-title">Connect an agent</h2>
      <div className="panel">
        <ErrorBanner error={endpoints.error} />
        {endpoints.data ? (
          <p className="muted" style={{ marginTop: 0 }}>
            Line protocol over HTTP: <code>{endpoints.data.httpUrl}</code> · fluentd forward:{' '}
            <code>
              {endpoints.data.forwardHost}:{endpoints.data.forwardPort}
            </code>
            {token ? null : ' · create a token above to fill it in'}
          </p>
        ) : null}
        <div className="tabs" role="tablist" aria-label="Agent" onKeyDown={onKeyDown}>
          {agents.map((a, i) => (
            <button
              key={a}
              ref={(el) => {
                tabs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`agent-tab-${a}`}
              aria-selected={a === agent}
              aria-controls="agent-config"
              tabIndex={a === agent ? 0 : -1}
              onClick={() => setAgent(a)}
            >
              {agentLabels[a]}
            </button>
          ))}
        </div>
        <div
          className="tab-panel"
          role="tabpanel"
          id="agent-config"
          aria-labelledby={`agent-tab-${agent}`}
        >
          {endpoints.data ? (
            <>
              <pre className="snippet" data-testid="agent-config">
                <code>{text}</code>
              </pre>
              <CopyButton text={text} label="Copy configuration" />
            </>
          ) : (
            <p className="muted">Loading…</p>
          )}
        </div>
      </div>
    </section>
  );
}

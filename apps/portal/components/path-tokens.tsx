'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useCan } from '@/lib/session';
import { api, ApiError, type CreatedPathToken, type PathToken } from '@/lib/api';
import { dateTime } from '@/lib/time';
import { CopyButton } from './copy-button';
import { DataTable } from './data-table';
import { ErrorBanner } from './error-banner';

function When({ iso }: { iso: string | null }) {
  if (!iso) return <span className="muted">never</span>;
  return <time dateTime={iso}>{dateTime(iso)}</time>;
}

/** The secret of a token just created: shown this once, with a way to copy it. */
function NewToken({ created, onDone }: { created: CreatedPathToken; onDone: () => void }) {
  return (
    <div className="once" role="region" aria-label="New token" data-testid="new-token-box">
      <p>
        <strong>Copy the token “{created.name}” now.</strong> It is shown only this once: Sextant
        keeps only its hash and cannot show it again. Lost tokens are revoked and replaced.
      </p>
      <div className="toolbar once-secret">
        <code data-testid="new-token">{created.token}</code>
        <CopyButton text={created.token} label="Copy token" />
        <button type="button" onClick={onDone}>
          I have saved it
        </button>
      </div>
    </div>
  );
}

/**
 * A path's tokens: list, create (the secret shown once, handed to `onCreated` for the agent
 * configuration) and revoke.
 */
export function PathTokensPanel({
  pathId,
  created,
  onCreated,
}: {
  pathId: string;
  created: CreatedPathToken | null;
  onCreated: (token: CreatedPathToken | null) => void;
}) {
  const client = useQueryClient();
  const canManage = useCan('path.manage', 'path', pathId);
  const key = ['path-tokens', pathId];
  const [name, setName] = useState('');
  const tokens = useQuery({
    queryKey: key,
    queryFn: () => api<PathToken[]>(`/api/paths/${pathId}/tokens`),
  });
  const create = useMutation({
    mutationFn: (tokenName: string) =>
      api<CreatedPathToken>(`/api/paths/${pathId}/tokens`, {
        method: 'POST',
        body: { name: tokenName },
      }),
    onSuccess: async (token) => {
      onCreated(token);
      setName('');
      await client.invalidateQueries({ queryKey: key });
    },
  });
  const revoke = useMutation({
    mutationFn: (tokenId: string) =>
      api<PathToken>(`/api/paths/${pathId}/tokens/${tokenId}`, { method: 'DELETE' }),
    onSuccess: async (token) => {
      if (created?.id === token.id) onCreated(null);
      await client.invalidateQueries({ queryKey: key });
    },
  });
  const nameError = create.error instanceof ApiError ? create.error.forField('name') : undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(name);
  };

  return (
    <section aria-labelledby="tokens-title" data-testid="path-tokens">
      <h2 id="tokens-title">Tokens</h2>
      <div className="panel">
        {canManage ? (
          <form className="toolbar" onSubmit={submit}>
            <div>
              <label htmlFor="token-name">Token name</label>
              <input
                id="token-name"
                value={name}
                maxLength={200}
                placeholder="telegraf on T07"
                onChange={(e) => setName(e.target.value)}
                aria-invalid={nameError ? true : undefined}
                aria-describedby={nameError ? 'error-token-name' : undefined}
              />
              {nameError ? (
                <div className="field-error" id="error-token-name" data-testid="error-token-name">
                  {nameError}
                </div>
              ) : null}
            </div>
            <button type="submit" className="primary" disabled={create.isPending}>
              Create token
            </button>
          </form>
        ) : null}
        {create.error && !nameError ? <ErrorBanner error={create.error} /> : null}
        {created ? <NewToken created={created} onDone={() => onCreated(null)} /> : null}
      </div>
      <ErrorBanner error={revoke.error} />
      <DataTable
        columns={[
          { label: 'Name', render: (t) => t.name },
          { label: 'Prefix', render: (t) => <code>{t.prefix}…</code> },
          { label: 'Created', render: (t) => <When iso={t.createdAt} /> },
          { label: 'Last used', render: (t) => <When iso={t.lastUsedAt} /> },
          {
            label: 'State',
            render: (t) =>
              t.revokedAt ? (
                <span className="revoked" title={dateTime(t.revokedAt)}>
                  revoked
                </span>
              ) : (
                'active'
              ),
          },
          {
            label: 'Actions',
            header: <span className="visually-hidden">Actions</span>,
            render: (t) =>
              t.revokedAt || !canManage ? null : (
                <button
                  type="button"
                  className="danger"
                  aria-label={`Revoke token ${t.name}`}
                  disabled={revoke.isPending}
                  onClick={() => {
                    if (
                      window.confirm(
                        `Revoke the token “${t.name}”? Agents writing with it are refused from now on.`,
                      )
                    )
                      revoke.mutate(t.id);
                  }}
                >
                  Revoke
                </button>
              ),
          },
        ]}
        rows={tokens}
        rowTestId={(t) => `token-${t.prefix}`}
        empty="No tokens yet: create one for each agent that writes through this path."
      />
    </section>
  );
}

'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AuthForm } from '@/components/auth-form';
import { CopyButton } from '@/components/copy-button';
import { DataTable } from '@/components/data-table';
import { ErrorBanner } from '@/components/error-banner';
import { api, type ApiToken } from '@/lib/api';
import { useMe } from '@/lib/session';

function ApiTokens() {
  const client = useQueryClient();
  const [created, setCreated] = useState<(ApiToken & { token: string }) | null>(null);
  const tokens = useQuery({
    queryKey: ['api-tokens'],
    queryFn: () => api<ApiToken[]>('/api/auth/tokens'),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/auth/tokens/${id}`, { method: 'DELETE' }),
    onSuccess: () => client.invalidateQueries({ queryKey: ['api-tokens'] }),
  });
  return (
    <section data-testid="api-tokens">
      <h2>API tokens</h2>
      <p className="muted">
        For scripts: send <code>Authorization: Bearer &lt;token&gt;</code> to the REST API and
        GraphQL. A token acts with your roles until it expires or is revoked.
      </p>
      {created ? (
        <div className="once" data-testid="new-api-token-box">
          <p>Copy the token now: it is shown only this once.</p>
          <code className="once-secret" data-testid="new-api-token">
            {created.token}
          </code>{' '}
          <CopyButton text={created.token} />
        </div>
      ) : null}
      <AuthForm
        submitLabel="Create API token"
        fields={[
          { name: 'name', label: 'Token name', value: '' },
          { name: 'expiresInDays', label: 'Days until it expires', type: 'number', value: '90' },
        ]}
        onSubmit={async (values) => {
          const token = await api<ApiToken & { token: string }>('/api/auth/tokens', {
            method: 'POST',
            body: { name: values.name, expiresInDays: Number(values.expiresInDays) },
          });
          setCreated(token);
          await client.invalidateQueries({ queryKey: ['api-tokens'] });
        }}
      />
      <ErrorBanner error={revoke.error} />
      <DataTable
        columns={[
          { label: 'Name', render: (t) => t.name },
          { label: 'Token', render: (t) => <code>{t.prefix}…</code> },
          { label: 'Expires', render: (t) => new Date(t.expiresAt).toLocaleString() },
          {
            label: 'Last used',
            render: (t) => (t.lastUsedAt ? new Date(t.lastUsedAt).toLocaleString() : 'never'),
          },
          {
            label: '',
            render: (t) =>
              t.revokedAt ? (
                <span className="revoked">revoked</span>
              ) : (
                <button
                  type="button"
                  className="danger"
                  aria-label={`Revoke API token ${t.name}`}
                  onClick={() => revoke.mutate(t.id)}
                >
                  Revoke
                </button>
              ),
          },
        ]}
        rows={tokens}
        empty="No API tokens yet."
      />
    </section>
  );
}

export default function ProfilePage() {
  const me = useMe();
  const client = useQueryClient();
  const [changed, setChanged] = useState<{ tokensRevoked: boolean } | null>(null);
  if (!me.data) return null;
  return (
    <section>
      <h1>Profile</h1>
      <div className="panel">
        <dl className="details">
          <dt>Email</dt>
          <dd>{me.data.email}</dd>
          <dt>Roles</dt>
          <dd data-testid="my-roles">
            {me.data.platformAdmin ? 'platform administrator; ' : ''}
            {me.data.memberships.map((m) => `${m.role} on ${m.nodeName}`).join(', ') || 'none'}
          </dd>
        </dl>
      </div>
      <h2>Name</h2>
      <AuthForm
        submitLabel="Save"
        fields={[{ name: 'name', label: 'Name', value: me.data.name }]}
        onSubmit={async (values) => {
          await api('/api/auth/me', { method: 'PATCH', body: values });
          await client.invalidateQueries({ queryKey: ['me'] });
        }}
      />
      <h2>Password</h2>
      {changed ? (
        <p data-testid="password-changed">
          Your password is changed, and your other sessions are signed out
          {changed.tokensRevoked
            ? '; your API tokens are revoked.'
            : '; your API tokens still work.'}
        </p>
      ) : null}
      <AuthForm
        submitLabel="Change password"
        fields={[
          {
            name: 'currentPassword',
            label: 'Current password',
            type: 'password',
            autoComplete: 'current-password',
          },
          {
            name: 'newPassword',
            label: 'New password',
            type: 'password',
            autoComplete: 'new-password',
          },
          {
            name: 'revokeApiTokens',
            label:
              'Also revoke my API tokens (whoever knew the old password may have made one; scripts will need new tokens)',
            type: 'checkbox',
            required: false,
            value: 'true',
          },
        ]}
        onSubmit={async (values) => {
          const revokeApiTokens = values.revokeApiTokens === 'true';
          await api('/api/auth/me/password', {
            method: 'POST',
            body: {
              currentPassword: values.currentPassword,
              newPassword: values.newPassword,
              revokeApiTokens,
            },
          });
          setChanged({ tokensRevoked: revokeApiTokens });
          await client.invalidateQueries({ queryKey: ['api-tokens'] });
        }}
      />
      <ApiTokens />
    </section>
  );
}

'use client';

import { roles } from '@sextant/policy';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { AuthForm } from '@/components/auth-form';
import { ErrorBanner } from '@/components/error-banner';
import { DataTable } from '@/components/data-table';
import { NoAccess, useNodesAllowing } from '@/components/node-picker';
import { api, type Invitation, type Member } from '@/lib/api';
import { useCan, useMe } from '@/lib/session';

export default function MembersPage() {
  const me = useMe();
  const nodes = useNodesAllowing('member.read');
  const [chosen, setChosen] = useState('');
  const nodeId = chosen || nodes?.[0]?.id || '';
  const canManage = useCan('member.manage', 'node', nodeId || undefined);
  const client = useQueryClient();
  const members = useQuery({
    queryKey: ['members', nodeId],
    queryFn: () => api<Member[]>(`/api/nodes/${nodeId}/members`),
    enabled: !!nodeId,
  });
  const invitations = useQuery({
    queryKey: ['invitations', nodeId],
    queryFn: () => api<Invitation[]>(`/api/nodes/${nodeId}/invitations`),
    enabled: !!nodeId && canManage,
  });
  const refresh = () =>
    client.invalidateQueries({
      predicate: (q) => ['members', 'invitations'].includes(String(q.queryKey[0])),
    });
  const change = useMutation({
    mutationFn: ({ id, role }: { id: string; role: string }) =>
      api(`/api/members/${id}`, { method: 'PATCH', body: { role } }),
    onSuccess: refresh,
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/api/members/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api/invitations/${id}`, { method: 'DELETE' }),
    onSuccess: refresh,
  });
  if (!me.data) return null;
  if (!nodes) return <NoAccess what="members and roles" />;
  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>Members and roles</h1>
        <label htmlFor="members-node">Node</label>
        <select id="members-node" value={nodeId} onChange={(e) => setChosen(e.target.value)}>
          {nodes.map((n) => (
            <option key={n.id} value={n.id}>
              {n.label}
            </option>
          ))}
        </select>
      </div>
      <p className="muted">A role on a node applies to everything under it.</p>
      <ErrorBanner error={change.error ?? remove.error ?? revoke.error} />
      <DataTable
        testId="members"
        columns={[
          { label: 'Name', render: (m) => m.name },
          { label: 'Email', render: (m) => m.email },
          { label: 'On', render: (m) => m.nodeName },
          {
            label: 'Role',
            render: (m) =>
              canManage ? (
                <select
                  aria-label={`Role of ${m.email}`}
                  value={m.role}
                  onChange={(e) => change.mutate({ id: m.id, role: e.target.value })}
                >
                  {roles.map((r) => (
                    <option key={r}>{r}</option>
                  ))}
                </select>
              ) : (
                m.role
              ),
          },
          {
            label: '',
            render: (m) =>
              canManage && m.userId !== me.data?.id ? (
                <button
                  type="button"
                  className="danger"
                  aria-label={`Remove ${m.email}`}
                  onClick={() => {
                    if (window.confirm(`Take the role ${m.role} away from ${m.email}?`))
                      remove.mutate(m.id);
                  }}
                >
                  Remove
                </button>
              ) : null,
          },
        ]}
        rows={members}
        empty="No members here."
      />
      {canManage ? (
        <>
          <h2>Invitations</h2>
          <Invite nodeId={nodeId} onInvited={refresh} />
          <DataTable
            testId="invitations"
            columns={[
              { label: 'Email', render: (i) => i.email },
              { label: 'Role', render: (i) => i.role },
              { label: 'On', render: (i) => i.nodeName },
              { label: 'Expires', render: (i) => new Date(i.expiresAt).toLocaleString() },
              {
                label: '',
                render: (i) => (
                  <button type="button" className="danger" onClick={() => revoke.mutate(i.id)}>
                    Revoke
                  </button>
                ),
              },
            ]}
            rows={invitations}
            empty="No open invitations."
          />
        </>
      ) : null}
    </section>
  );
}

function Invite({ nodeId, onInvited }: { nodeId: string; onInvited: () => void }) {
  const [role, setRole] = useState('viewer');
  const [sent, setSent] = useState<string | null>(null);
  return (
    <>
      {sent ? <p data-testid="invited">Invitation sent to {sent}.</p> : null}
      <div className="toolbar">
        <label htmlFor="invite-role">Role</label>
        <select id="invite-role" value={role} onChange={(e) => setRole(e.target.value)}>
          {roles.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </select>
      </div>
      <AuthForm
        submitLabel="Invite"
        fields={[{ name: 'email', label: 'Email to invite', type: 'email' }]}
        onSubmit={async (values) => {
          await api(`/api/nodes/${nodeId}/invitations`, {
            method: 'POST',
            body: { email: values.email, role },
          });
          setSent(values.email);
          onInvited();
        }}
      />
    </>
  );
}

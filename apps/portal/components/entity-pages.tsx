'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import type { Action } from '@sextant/policy';
import { api } from '@/lib/api';
import { canAnywhere, useCan, useMe } from '@/lib/session';
import { EntityForm, type FieldSpec } from './entity-form';
import { ErrorBanner } from './error-banner';

/** A "new X" page: the form, then the created entity's page. */
export function CreatePage({
  title,
  endpoint,
  listHref,
  fields,
  initial,
}: {
  title: string;
  endpoint: string;
  listHref: string;
  fields: FieldSpec[];
  initial?: Record<string, unknown>;
}) {
  const router = useRouter();
  const client = useQueryClient();
  return (
    <section>
      <div className="breadcrumb">
        <Link href={listHref}>← back</Link>
      </div>
      <h1>{title}</h1>
      <div className="panel">
        <EntityForm
          fields={fields}
          initial={initial}
          submitLabel="Create"
          onSubmit={async (values) => {
            const created = await api<{ id: string }>(endpoint, { method: 'POST', body: values });
            await client.invalidateQueries();
            router.push(`${listHref}/${created.id}`);
          }}
        />
      </div>
    </section>
  );
}

/** An entity's page: details, an edit form and deletion (whose refusal is shown). */
export function DetailPage<T extends { id: string; name?: string; reference?: string }>({
  kind,
  endpoint,
  listHref,
  fields,
  details,
  children,
  manage,
}: {
  /** Who may edit and delete: an action on this row (asked of the API), or platform admins. */
  manage: { action: Action; kind: string } | 'platform';
  kind: string;
  endpoint: string;
  listHref: string;
  fields: FieldSpec[];
  details: (row: T) => [string, ReactNode][];
  children?: (row: T) => ReactNode;
}) {
  const { id } = useParams<{ id: string }>();
  const router = useRouter();
  const client = useQueryClient();
  const [editing, setEditing] = useState(false);
  const me = useMe();
  const onRow = useCan(
    manage === 'platform' ? 'catalogue.manage' : manage.action,
    manage === 'platform' ? 'node' : manage.kind,
    manage === 'platform' ? undefined : id,
  );
  const allowed = manage === 'platform' ? canAnywhere(me.data, 'catalogue.manage') : onRow;
  const entity = useQuery({ queryKey: [endpoint, id], queryFn: () => api<T>(`${endpoint}/${id}`) });
  const remove = useMutation({
    mutationFn: () => api(`${endpoint}/${id}`, { method: 'DELETE' }),
    onSuccess: async () => {
      await client.invalidateQueries();
      router.push(listHref);
    },
  });

  if (entity.error) return <ErrorBanner error={entity.error} />;
  if (!entity.data) return <p className="muted">Loading…</p>;
  const row = entity.data;
  return (
    <section>
      <div className="breadcrumb">
        <Link href={listHref}>← all {kind}s</Link>
      </div>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>{row.name ?? row.reference ?? row.id}</h1>
        {allowed ? (
          <>
            <button onClick={() => setEditing(!editing)}>
              {editing ? 'Close editor' : 'Edit'}
            </button>
            <button
              className="danger"
              onClick={() => {
                if (window.confirm(`Delete this ${kind}?`)) remove.mutate();
              }}
            >
              Delete
            </button>
          </>
        ) : null}
      </div>
      <ErrorBanner error={remove.error} />
      {editing && allowed ? (
        <div className="panel">
          <EntityForm
            fields={fields}
            initial={row as unknown as Record<string, unknown>}
            changedOnly
            submitLabel="Save"
            onSubmit={async (values) => {
              await api(`${endpoint}/${id}`, { method: 'PATCH', body: values });
              await client.invalidateQueries();
              setEditing(false);
            }}
          />
        </div>
      ) : null}
      <div className="panel">
        <dl className="details">
          {details(row).map(([label, value]) => (
            <div key={label} style={{ display: 'contents' }}>
              <dt>{label}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      </div>
      {children?.(row)}
    </section>
  );
}

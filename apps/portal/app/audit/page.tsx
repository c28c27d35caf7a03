'use client';

import { EntityList } from '@/components/entity-list';
import { NoAccess, useNodesAllowing } from '@/components/node-picker';
import type { AuditEvent } from '@/lib/api';

export default function AuditPage() {
  const nodes = useNodesAllowing('audit.read');
  if (!nodes) return <NoAccess what="the audit log" />;
  return (
    <EntityList<AuditEvent>
      title="Audit log"
      endpoint="/api/audit"
      filters={[
        { name: 'action', label: 'Action (or its beginning)' },
        { name: 'outcome', label: 'Outcome', options: ['success', 'failure'] },
        { name: 'from', label: 'From', type: 'datetime-local' },
        { name: 'to', label: 'To', type: 'datetime-local' },
      ]}
      toParams={(v) => ({
        ...v,
        ...(v.from ? { from: new Date(v.from).toISOString() } : {}),
        ...(v.to ? { to: new Date(v.to).toISOString() } : {}),
      })}
      columns={[
        { label: 'Time', render: (e) => new Date(e.at).toLocaleString() },
        { label: 'Action', render: (e) => e.action },
        { label: 'Outcome', render: (e) => e.outcome },
        { label: 'Actor', render: (e) => e.actorLabel },
        {
          label: 'Target',
          render: (e) => (e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''),
        },
        { label: 'From', render: (e) => e.sourceIp ?? '' },
        { label: 'Details', render: (e) => <code>{JSON.stringify(e.details)}</code> },
      ]}
    />
  );
}

'use client';

import { movementOrigins } from '@sextant/domain';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { EntityForm } from '@/components/entity-form';
import { EntityList } from '@/components/entity-list';
import { NodeLink, ResourceLabel } from '@/components/lookups';
import { api, type Movement } from '@/lib/api';
import { movementFields } from '@/lib/forms';

const localToIso = (value: string) => (value ? new Date(value).toISOString() : '');

export default function MovementsPage() {
  const [recording, setRecording] = useState(false);
  const client = useQueryClient();
  return (
    <>
      <div className="toolbar">
        <button
          className="primary"
          onClick={() => setRecording(!recording)}
          style={{ marginLeft: 'auto' }}
        >
          {recording ? 'Close' : 'Record movement'}
        </button>
      </div>
      {recording ? (
        <div className="panel">
          <p className="muted">Movements are permanent records: a correction is a new movement.</p>
          <EntityForm
            fields={movementFields}
            initial={{ origin: 'manual' }}
            submitLabel="Record"
            onSubmit={async (values) => {
              await api('/api/movements', { method: 'POST', body: values });
              await client.invalidateQueries();
              setRecording(false);
            }}
          />
        </div>
      ) : null}
      <EntityList<Movement>
        title="Movements"
        endpoint="/api/movements"
        filters={[
          { name: 'origin', label: 'Origin', options: movementOrigins },
          { name: 'nodeRole', label: 'Node role', options: ['either', 'source', 'destination'] },
          { name: 'nodeId', label: 'Node id' },
          { name: 'resourceId', label: 'Resource id' },
          { name: 'from', label: 'From', type: 'datetime-local' },
          { name: 'to', label: 'To', type: 'datetime-local' },
        ]}
        toParams={(v) => ({ ...v, from: localToIso(v.from ?? ''), to: localToIso(v.to ?? '') })}
        columns={[
          {
            label: 'Start',
            render: (m) => new Date(m.start).toISOString().slice(0, 16).replace('T', ' '),
          },
          { label: 'Resource', render: (m) => <ResourceLabel id={m.resourceId} /> },
          { label: 'Quantity', render: (m) => Number(m.quantity).toLocaleString() },
          { label: 'From', render: (m) => <NodeLink id={m.sourceId} /> },
          { label: 'To', render: (m) => <NodeLink id={m.destinationId} /> },
          { label: 'Origin', render: (m) => m.origin },
        ]}
      />
    </>
  );
}

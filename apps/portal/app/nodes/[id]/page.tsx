'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { DetailPage } from '@/components/entity-pages';
import { MachineHealth } from '@/components/machine-health';
import { MovementSummary } from '@/components/movement-summary';
import { api, type Node } from '@/lib/api';
import { nodeFields } from '@/lib/forms';

function Ancestors({ id }: { id: string }) {
  const ancestors = useQuery({
    queryKey: ['nodes', id, 'ancestors'],
    queryFn: () => api<{ items: Node[] }>(`/api/nodes/${id}/ancestors`),
  });
  if (!ancestors.data?.items.length) return <span className="muted">(root)</span>;
  return (
    <span>
      {ancestors.data.items.map((a, i) => (
        <span key={a.id}>
          {i > 0 ? ' › ' : ''}
          <Link href={`/nodes/${a.id}`}>{a.name}</Link>
        </span>
      ))}
    </span>
  );
}

function Children({ id }: { id: string }) {
  const children = useQuery({
    queryKey: ['nodes', id, 'children'],
    queryFn: () => api<{ items: Node[] }>(`/api/nodes/${id}/children`),
  });
  if (!children.data?.items.length) return <span className="muted">none</span>;
  return (
    <span>
      {children.data.items.map((c, i) => (
        <span key={c.id}>
          {i > 0 ? ', ' : ''}
          <Link href={`/nodes/${c.id}`}>{c.name}</Link>
        </span>
      ))}
    </span>
  );
}

export default function NodePage() {
  return (
    <DetailPage<Node>
      manage={{ action: 'node.manage', kind: 'node' }}
      kind="node"
      endpoint="/api/nodes"
      listHref="/nodes"
      fields={nodeFields}
      details={(n) => [
        ['Path', <Ancestors key="a" id={n.id} />],
        ['Reference', n.reference],
        ['Kind', n.kind],
        ['Children', <Children key="c" id={n.id} />],
        ...(n.kind === 'star'
          ? ([
              [
                'Transits',
                <Link key="t" href={`/stars/${n.id}`} data-testid="star-transits">
                  Candidates, periodogram and folded light curve
                </Link>,
              ],
            ] as [string, ReactNode][])
          : []),
        ['Metadata', <pre key="m">{JSON.stringify(n.metadata, null, 2)}</pre>],
      ]}
    >
      {(n) => (
        <>
          {n.kind === 'machine' ? <MachineHealth nodeId={n.id} /> : null}
          <h2>Movements of this node and everything below it</h2>
          <MovementSummary nodeId={n.id} />
        </>
      )}
    </DetailPage>
  );
}

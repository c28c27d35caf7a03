'use client';

import { pathProtocols, pathStates } from '@sextant/domain';
import Link from 'next/link';
import { canAnywhere, useMe } from '@/lib/session';
import { EntityList } from '@/components/entity-list';
import { PathLastSeenCell, PathRateCell } from '@/components/ingest-status';
import { NodeLink } from '@/components/lookups';
import type { Path } from '@/lib/api';

export default function PathsPage() {
  const me = useMe();
  return (
    <EntityList<Path>
      title="Paths"
      endpoint="/api/paths"
      newHref={canAnywhere(me.data, 'path.manage') ? '/paths/new' : undefined}
      newLabel="New path"
      filters={[
        { name: 'q', label: 'Search' },
        { name: 'protocol', label: 'Protocol', options: pathProtocols },
        { name: 'state', label: 'State', options: pathStates },
      ]}
      columns={[
        { label: 'Name', render: (p) => <Link href={`/paths/${p.id}`}>{p.name}</Link> },
        { label: 'Source', render: (p) => <NodeLink id={p.sourceId} /> },
        { label: 'Destination', render: (p) => <NodeLink id={p.destinationId} /> },
        { label: 'Protocol', render: (p) => p.protocol },
        { label: 'State', render: (p) => p.state },
        { label: 'Points/s', render: (p) => <PathRateCell pathId={p.id} /> },
        { label: 'Last seen', render: (p) => <PathLastSeenCell pathId={p.id} /> },
      ]}
    />
  );
}

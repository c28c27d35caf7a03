'use client';

import { nodeKinds } from '@sextant/domain';
import Link from 'next/link';
import { canAnywhere, useMe } from '@/lib/session';
import { EntityList } from '@/components/entity-list';
import { NodeLink } from '@/components/lookups';
import { NodeTree } from '@/components/node-tree';
import type { Node } from '@/lib/api';

export default function NodesPage() {
  const me = useMe();
  return (
    <>
      <h2>Tree</h2>
      <NodeTree />
      <EntityList<Node>
        title="Nodes"
        endpoint="/api/nodes"
        newHref={canAnywhere(me.data, 'node.manage') ? '/nodes/new' : undefined}
        newLabel="New node"
        filters={[
          { name: 'q', label: 'Search' },
          { name: 'kind', label: 'Kind', options: nodeKinds },
        ]}
        columns={[
          { label: 'Name', render: (n) => <Link href={`/nodes/${n.id}`}>{n.name}</Link> },
          { label: 'Reference', render: (n) => n.reference },
          { label: 'Kind', render: (n) => n.kind },
          { label: 'Parent', render: (n) => <NodeLink id={n.parentId} /> },
        ]}
      />
    </>
  );
}

'use client';

import { itemKinds } from '@sextant/domain';
import Link from 'next/link';
import { canAnywhere, useMe } from '@/lib/session';
import { EntityList } from '@/components/entity-list';
import { NodeLink } from '@/components/lookups';
import type { Item } from '@/lib/api';

export default function ItemsPage() {
  const me = useMe();
  return (
    <EntityList<Item>
      title="Items"
      endpoint="/api/items"
      newHref={canAnywhere(me.data, 'item.manage') ? '/items/new' : undefined}
      newLabel="New item"
      filters={[
        { name: 'q', label: 'Search' },
        { name: 'kind', label: 'Kind', options: itemKinds },
      ]}
      columns={[
        { label: 'Reference', render: (i) => <Link href={`/items/${i.id}`}>{i.reference}</Link> },
        { label: 'Name', render: (i) => i.name },
        { label: 'Kind', render: (i) => i.kind },
        { label: 'Owner', render: (i) => <NodeLink id={i.ownerId} /> },
      ]}
    />
  );
}

'use client';

import { DetailPage } from '@/components/entity-pages';
import { NodeLink } from '@/components/lookups';
import type { Item } from '@/lib/api';
import { itemFields } from '@/lib/forms';

export default function ItemPage() {
  return (
    <DetailPage<Item>
      manage={{ action: 'item.manage', kind: 'item' }}
      kind="item"
      endpoint="/api/items"
      listHref="/items"
      fields={itemFields}
      details={(i) => [
        ['Reference', i.reference],
        ['Kind', i.kind],
        ['Owner', <NodeLink key="o" id={i.ownerId} />],
        ['Metadata', <pre key="m">{JSON.stringify(i.metadata, null, 2)}</pre>],
      ]}
    />
  );
}

'use client';

import { DetailPage } from '@/components/entity-pages';
import { NodeLink } from '@/components/lookups';
import type { ReactNode } from 'react';
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
        ...(i.kind === 'model'
          ? ([
              [
                'Model',
                // A trained model's trees are the item's body, not its metadata.
                <a key="b" href={`/api/items/${i.id}/content`} download data-testid="model-body">
                  Download the model (JSON)
                </a>,
              ],
            ] as [string, ReactNode][])
          : []),
      ]}
    />
  );
}

'use client';

import { CreatePage } from '@/components/entity-pages';
import { nodeFields } from '@/lib/forms';

export default function NewNodePage() {
  return (
    <CreatePage
      title="New node"
      endpoint="/api/nodes"
      listHref="/nodes"
      fields={nodeFields}
      initial={{ kind: 'site' }}
    />
  );
}

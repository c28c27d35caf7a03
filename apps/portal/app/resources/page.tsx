'use client';

import { valueTypes } from '@sextant/domain';
import Link from 'next/link';
import { canAnywhere, useMe } from '@/lib/session';
import { EntityList } from '@/components/entity-list';
import type { Resource } from '@/lib/api';

export default function ResourcesPage() {
  const me = useMe();
  return (
    <EntityList<Resource>
      title="Resources"
      endpoint="/api/resources"
      newHref={canAnywhere(me.data, 'catalogue.manage') ? '/resources/new' : undefined}
      newLabel="New resource"
      filters={[
        { name: 'q', label: 'Search' },
        { name: 'valueType', label: 'Value type', options: valueTypes },
      ]}
      columns={[
        {
          label: 'Reference',
          render: (r) => <Link href={`/resources/${r.id}`}>{r.reference}</Link>,
        },
        { label: 'Name', render: (r) => r.name },
        { label: 'Unit', render: (r) => r.unit },
        { label: 'Type', render: (r) => r.valueType },
        { label: 'Unit price', render: (r) => r.unitPrice ?? '—' },
      ]}
    />
  );
}

'use client';

import { CreatePage } from '@/components/entity-pages';
import { resourceFields } from '@/lib/forms';

export default function NewResourcePage() {
  return (
    <CreatePage
      title="New resource"
      endpoint="/api/resources"
      listHref="/resources"
      fields={resourceFields}
      initial={{ valueType: 'float' }}
    />
  );
}

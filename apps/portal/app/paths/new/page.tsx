'use client';

import { CreatePage } from '@/components/entity-pages';
import { pathFields } from '@/lib/forms';

export default function NewPathPage() {
  return (
    <CreatePage
      title="New path"
      endpoint="/api/paths"
      listHref="/paths"
      fields={pathFields}
      initial={{ state: 'active' }}
    />
  );
}

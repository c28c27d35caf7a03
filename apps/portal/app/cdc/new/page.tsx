'use client';

import { CreatePage } from '@/components/entity-pages';
import { cdcSourceFields } from '@/lib/forms';

export default function NewCdcSourcePage() {
  return (
    <CreatePage
      title="New CDC source"
      endpoint="/api/cdc/sources"
      listHref="/cdc"
      fields={cdcSourceFields}
    />
  );
}

'use client';

import { DetailPage } from '@/components/entity-pages';
import type { Resource } from '@/lib/api';
import { resourceFields } from '@/lib/forms';

export default function ResourcePage() {
  return (
    <DetailPage<Resource>
      manage="platform"
      kind="resource"
      endpoint="/api/resources"
      listHref="/resources"
      fields={resourceFields}
      details={(r) => [
        ['Reference', r.reference],
        ['Unit', r.unit],
        ['Value type', r.valueType],
        ['Unit price', r.unitPrice ?? '—'],
        ['Retention', r.retentionDays ? `${r.retentionDays} days` : 'kept forever'],
        ['Description', r.description || '—'],
      ]}
    />
  );
}

'use client';

import { CreatePage } from '@/components/entity-pages';
import { itemFields } from '@/lib/forms';

export default function NewItemPage() {
  return (
    <CreatePage title="New item" endpoint="/api/items" listHref="/items" fields={itemFields} />
  );
}

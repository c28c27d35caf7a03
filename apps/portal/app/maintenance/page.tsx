'use client';

import { useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { TicketList } from '@/components/tickets';

function List() {
  const search = useSearchParams();
  return (
    <TicketList kind="maintenance_order" title="Maintenance orders" nodeId={search.get('nodeId')} />
  );
}

export default function MaintenanceOrdersPage() {
  return (
    <Suspense>
      <List />
    </Suspense>
  );
}

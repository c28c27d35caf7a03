'use client';

import { useSearchParams } from 'next/navigation';
import { Suspense } from 'react';
import { TicketList } from '@/components/tickets';

function List() {
  const search = useSearchParams();
  return <TicketList kind="alert" title="Alerts" nodeId={search.get('nodeId')} />;
}

export default function AlertsPage() {
  return (
    <Suspense>
      <List />
    </Suspense>
  );
}

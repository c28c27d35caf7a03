'use client';

import { useParams } from 'next/navigation';
import { TicketPage } from '@/components/tickets';

export default function MaintenanceOrderPage() {
  const { id } = useParams<{ id: string }>();
  return <TicketPage kind="maintenance_order" id={id} />;
}

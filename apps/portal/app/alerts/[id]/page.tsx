'use client';

import { useParams } from 'next/navigation';
import { TicketPage } from '@/components/tickets';

export default function AlertPage() {
  const { id } = useParams<{ id: string }>();
  return <TicketPage kind="alert" id={id} />;
}

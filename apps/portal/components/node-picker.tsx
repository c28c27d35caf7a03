'use client';

import type { Action } from '@sextant/policy';
import { useQuery } from '@tanstack/react-query';
import { api, type Node, type Page } from '@/lib/api';
import { membershipsAllowing, useMe } from '@/lib/session';

/**
 * The nodes where the user may do `action` (their memberships; every organisation for a
 * platform administrator), as a select; null when there is none.
 */
export function useNodesAllowing(action: Action): { id: string; label: string }[] | null {
  const me = useMe();
  const organisations = useQuery({
    queryKey: ['organisations'],
    queryFn: () => api<Page<Node>>('/api/nodes?kind=organisation&limit=500'),
    enabled: !!me.data?.platformAdmin,
  });
  if (!me.data) return null;
  const mine = membershipsAllowing(me.data, action).map((m) => ({
    id: m.nodeId,
    label: `${m.nodeName} (${m.role})`,
  }));
  const all = me.data.platformAdmin
    ? (organisations.data?.items ?? []).map((n) => ({ id: n.id, label: n.name }))
    : [];
  const nodes = [...mine, ...all.filter((n) => !mine.some((m) => m.id === n.id))];
  return nodes.length ? nodes : null;
}

export function NoAccess({ what }: { what: string }) {
  return (
    <p className="banner" role="alert" data-testid="no-access">
      Your roles do not give access to {what}. An owner or admin of your organisation can.
    </p>
  );
}

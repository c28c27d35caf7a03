'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { api, type Node, type Page, type Resource } from '@/lib/api';

/** Nodes for pickers and names in tables (the first 500 by reference). */
export function useNodes() {
  return useQuery({
    queryKey: ['nodes', 'all'],
    queryFn: () => api<Page<Node>>('/api/nodes?limit=500&sort=reference'),
  });
}

export function useResources() {
  return useQuery({
    queryKey: ['resources', 'all'],
    queryFn: () => api<Page<Resource>>('/api/resources?limit=500'),
  });
}

export function NodeLink({ id }: { id: string | null }) {
  const nodes = useNodes();
  if (!id) return <span className="muted">—</span>;
  const node = nodes.data?.items.find((n) => n.id === id);
  return <Link href={`/nodes/${id}`}>{node ? node.name : id.slice(0, 8)}</Link>;
}

export function ResourceLabel({ id }: { id: string }) {
  const resources = useResources();
  const resource = resources.data?.items.find((r) => r.id === id);
  return <Link href={`/resources/${id}`}>{resource ? resource.reference : id.slice(0, 8)}</Link>;
}

'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState } from 'react';
import { api, type Node, type Page } from '@/lib/api';
import { ErrorBanner } from './error-banner';

function Branch({ node }: { node: Node }) {
  const [open, setOpen] = useState(false);
  const children = useQuery({
    queryKey: ['nodes', node.id, 'children'],
    queryFn: () => api<{ items: Node[] }>(`/api/nodes/${node.id}/children`),
    enabled: open,
  });
  return (
    <li>
      <button
        className="toggle"
        aria-label={open ? `Collapse ${node.name}` : `Expand ${node.name}`}
        onClick={() => setOpen(!open)}
      >
        {open ? '▾' : '▸'}
      </button>
      <Link href={`/nodes/${node.id}`}>{node.name}</Link>
      <span className="kind">{node.kind}</span>
      {open ? (
        <ul>
          {children.error ? <ErrorBanner error={children.error} /> : null}
          {children.data?.items.map((child) => (
            <Branch key={child.id} node={child} />
          ))}
          {children.data && children.data.items.length === 0 ? (
            <li className="muted">no children</li>
          ) : null}
        </ul>
      ) : null}
    </li>
  );
}

/** The node tree from its roots, loading children as branches open. */
export function NodeTree() {
  const roots = useQuery({
    queryKey: ['nodes', 'roots'],
    queryFn: () => api<Page<Node>>('/api/nodes?root=true&limit=200'),
  });
  return (
    <div className="tree panel" data-testid="node-tree">
      <ErrorBanner error={roots.error} />
      {roots.isLoading ? <p className="muted">Loading…</p> : null}
      <ul>
        {roots.data?.items.map((node) => (
          <Branch key={node.id} node={node} />
        ))}
      </ul>
    </div>
  );
}

'use client';

import { useState } from 'react';
import type { CreatedPathToken } from '@/lib/api';
import { ConnectAgentPanel } from './connect-agent';
import { IngestStatusPanel } from './ingest-status';
import { PathTokensPanel } from './path-tokens';

/** What a path's page shows about ingest: live statistics, tokens and agent configuration. */
export function PathIngest({ pathId }: { pathId: string }) {
  // The secret of a token created on this page; it lives only in this state, never stored.
  const [created, setCreated] = useState<CreatedPathToken | null>(null);
  return (
    <>
      <IngestStatusPanel pathId={pathId} />
      <PathTokensPanel pathId={pathId} created={created} onCreated={setCreated} />
      <ConnectAgentPanel token={created?.token ?? null} />
    </>
  );
}

'use client';

import { useState } from 'react';
import type { CreatedPathToken, Path } from '@/lib/api';
import { ConnectAgentPanel } from './connect-agent';
import { IngestStatusPanel } from './ingest-status';
import { MqttTopicsPanel } from './mqtt-topics';
import { PathTokensPanel } from './path-tokens';

/**
 * What a path's page shows about ingest: live statistics, then tokens and agent configuration,
 * or for MQTT (no tokens: the topics are the credential) the topics devices publish on.
 */
export function PathIngest({ path }: { path: Path }) {
  // The secret of a token created on this page; it lives only in this state, never stored.
  const [created, setCreated] = useState<CreatedPathToken | null>(null);
  if (path.protocol === 'mqtt')
    return (
      <>
        <IngestStatusPanel pathId={path.id} />
        <MqttTopicsPanel settings={path.settings} />
      </>
    );
  return (
    <>
      <IngestStatusPanel pathId={path.id} />
      <PathTokensPanel pathId={path.id} created={created} onCreated={setCreated} />
      <ConnectAgentPanel token={created?.token ?? null} />
    </>
  );
}

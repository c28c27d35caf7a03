import { assertNever } from '@sextant/domain';
import type { IngestEndpoints } from './api';
import { sha256Hex } from './sha256';

export const agents = ['telegraf', 'fluent-bit', 'fluentd', 'curl'] as const;
export type Agent = (typeof agents)[number];

export const agentLabels: Record<Agent, string> = {
  telegraf: 'Telegraf',
  'fluent-bit': 'fluent-bit',
  fluentd: 'fluentd',
  curl: 'curl',
};

const tokenPlaceholder = '<token>';
const keyPlaceholder = '<sha256 of the token>';

/**
 * The shared key of the forward protocol for a token: its sha256 in hex (the handshake needs
 * the key on both sides: the gateway keeps it sealed with the platform secret).
 */
export function forwardSharedKey(token: string | null): string {
  return token ? sha256Hex(token) : keyPlaceholder;
}

/**
 * A configuration to paste into an agent so that it writes through a path: `token` is the one
 * just created, or null for a placeholder. Only URLs, ports and tokens go in: never a name a
 * user typed, which could break out of a quoted string in the agent's config.
 */
export function agentConfig(
  agent: Agent,
  endpoints: IngestEndpoints,
  token: string | null,
): string {
  const secret = token ?? tokenPlaceholder;
  const { httpUrl, forwardHost, forwardPort } = endpoints;
  const keyHow = `printf %s '${secret}' | sha256sum | cut -d' ' -f1`;
  switch (agent) {
    case 'telegraf':
      return `# telegraf.conf
[[outputs.influxdb_v2]]
  urls = ["${httpUrl}"]
  token = "${secret}"
  ## Required by Telegraf; Sextant takes the path from the token.
  organization = "sextant"
  bucket = "sextant"
`;
    case 'fluent-bit':
      return `# fluent-bit.conf; Shared_Key is the token's sha256: ${keyHow}
[OUTPUT]
    Name                 forward
    Match                *
    Host                 ${forwardHost}
    Port                 ${forwardPort}
    Shared_Key           ${forwardSharedKey(token)}
    Self_Hostname        fluent-bit
    Require_ack_response true
    # on when the gateway has INGEST_FORWARD_TLS_CERT/KEY set
    tls                  off
`;
    case 'fluentd':
      return `# fluent.conf; shared_key is the token's sha256: ${keyHow}
<match **>
  @type forward
  require_ack_response true
  # transport tls  # when the gateway has INGEST_FORWARD_TLS_CERT/KEY set
  <security>
    self_hostname "#{Socket.gethostname}"
    shared_key ${forwardSharedKey(token)}
  </security>
  <server>
    host ${forwardHost}
    port ${forwardPort}
  </server>
</match>
`;
    case 'curl':
      return `# one point in line protocol; 204 means stored
curl -i '${httpUrl}/api/v2/write?precision=s' \\
  -H 'Authorization: Token ${secret}' \\
  --data-binary "weather,site=north temperature_c=12.5 $(date +%s)"
`;
    default:
      return assertNever(agent);
  }
}

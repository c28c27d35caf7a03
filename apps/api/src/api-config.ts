import type { SerializerCheck } from './common/response-serializer';
import { loadConfig, type AuthConfig, type SextantConfig } from '@sextant/config';

export const API_CONFIG = Symbol('API_CONFIG');

export interface ApiConfig {
  databaseUrl: string;
  poolSize: number;
  /** Where the generated GraphQL schema is written (committed, sorted); null to skip. */
  schemaFile: string | null;
  corsOrigins: string[];
  /** The ingest gateway as agents reach it (GET /api/ingest/endpoints). */
  ingest: { httpUrl: string; forwardHost: string; forwardPort: number };
  /** SEXTANT_SECRET_KEY: encrypts CDC sources' connection strings; null refuses to store one. */
  secretKey?: string | null;
  /** Accounts, sessions, API tokens and sign-in throttling (defaults: the documented ones). */
  auth?: AuthConfig;
  mail?: SextantConfig['mail'];
  graphql?: SextantConfig['graphql'];
  /** Where people reach the portal (links in emails). */
  portalUrl?: string;
  /** The API's public URL (secure cookies when https). */
  publicUrl?: string;
  /** Proxies in front of the API whose X-Forwarded-For entries are believed (TRUST_PROXY_HOPS). */
  trustProxyHops?: number;
  /** Serve GraphiQL at /graphiql (development only: it loads scripts from a CDN). */
  graphiql?: boolean;
  /** Compare compiled serialisers' output with JSON.stringify's (see ResponseSerializer). */
  responseCheck?: SerializerCheck;
  /** Managed CDC sources: hosts they may reach although local (CDC_ALLOWED_HOSTS). */
  cdc?: SextantConfig['cdc'];
}

/** The configuration with every optional part filled with its documented default. */
export function withDefaults(config: ApiConfig): Required<ApiConfig> {
  const defaults = loadConfig({});
  return {
    secretKey: null,
    auth: defaults.auth,
    mail: defaults.mail,
    graphql: defaults.graphql,
    portalUrl: defaults.portal.publicUrl,
    publicUrl: defaults.api.publicUrl,
    trustProxyHops: defaults.api.trustProxyHops,
    graphiql: false,
    responseCheck: 'warn',
    cdc: defaults.cdc,
    ...config,
  } as Required<ApiConfig>;
}

/**
 * The ingest gateway's addresses for agents: the host clients reach the API on
 * (API_PUBLIC_URL), with the gateway's ports (INGEST_HTTP_PORT, INGEST_FORWARD_PORT).
 */
export function ingestEndpoints(config: SextantConfig): ApiConfig['ingest'] {
  const host = new URL(config.api.publicUrl).hostname;
  return {
    httpUrl: `http://${host}:${config.ingest.httpPort}`,
    forwardHost: host.replace(/^\[(.*)\]$/, '$1'),
    forwardPort: config.ingest.forwardPort,
  };
}

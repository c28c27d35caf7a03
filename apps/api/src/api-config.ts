import type { AuthConfig, SextantConfig } from '@sextant/config';
import type { SerializerCheck } from './common/response-serializer';

export const API_CONFIG = Symbol('API_CONFIG');

/** The API's part of the configuration, read once at start-up (see apiConfigFrom). */
export interface ApiConfig {
  databaseUrl: string;
  poolSize: number;
  /** Where the generated GraphQL schema is written (committed, sorted); null to skip. */
  schemaFile: string | null;
  corsOrigins: string[];
  /** The ingest gateway as agents reach it (GET /api/ingest/endpoints). */
  ingest: { httpUrl: string; forwardHost: string; forwardPort: number };
  /** SEXTANT_SECRET_KEY: encrypts CDC sources' connection strings; null refuses to store one. */
  secretKey: string | null;
  /** Accounts, sessions, API tokens and sign-in throttling. */
  auth: AuthConfig;
  mail: SextantConfig['mail'];
  graphql: SextantConfig['graphql'];
  /** Where people reach the portal (links in emails). */
  portalUrl: string;
  /** The API's public URL (secure cookies when https). */
  publicUrl: string;
  /** Proxies in front of the API whose X-Forwarded-For entries are believed (TRUST_PROXY_HOPS). */
  trustProxyHops: number;
  /** Serve GraphiQL at /graphiql (development only: it loads scripts from a CDN). */
  graphiql: boolean;
  /** Compare compiled serialisers' output with JSON.stringify's (see ResponseSerializers). */
  responseCheck: SerializerCheck;
  /** Managed CDC sources: hosts they may reach although local (CDC_ALLOWED_HOSTS). */
  cdc: SextantConfig['cdc'];
  /** Who issues invoices: shown on the monthly billing report. */
  billingIssuer: SextantConfig['billing']['issuer'];
}

/**
 * The API's configuration from the platform's (defaults are applied there, by loadConfig);
 * the generated schema is not written (`npm run contracts` writes the committed one).
 */
export function apiConfigFrom(config: SextantConfig & { databaseUrl: string }): ApiConfig {
  return {
    databaseUrl: config.databaseUrl,
    poolSize: config.api.poolSize,
    schemaFile: null,
    corsOrigins: config.api.corsOrigins,
    ingest: ingestEndpoints(config),
    secretKey: config.secretKey,
    auth: config.auth,
    mail: config.mail,
    graphql: config.graphql,
    portalUrl: config.portal.publicUrl,
    publicUrl: config.api.publicUrl,
    trustProxyHops: config.api.trustProxyHops,
    graphiql: config.api.graphiql,
    responseCheck: config.api.responseCheck,
    cdc: config.cdc,
    billingIssuer: config.billing.issuer,
  };
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

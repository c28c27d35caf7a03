import { loadConfig } from '@sextant/config';
import { describe, expect, it } from '@jest/globals';
import { apiConfigFrom } from './api-config';

describe(apiConfigFrom.name, () => {
  it('takes every setting from the platform configuration, defaults included', () => {
    const config = loadConfig(
      {
        API_PUBLIC_URL: 'https://sextant.example:8443',
        PORTAL_PUBLIC_URL: 'https://portal.sextant.example/',
        INGEST_HTTP_PORT: '9086',
        INGEST_FORWARD_PORT: '25224',
        API_DB_POOL_SIZE: '7',
        CORS_ORIGINS: 'https://a.example, https://b.example',
        TRUST_PROXY_HOPS: '2',
        AUTH_SESSION_HOURS: '12',
        GRAPHQL_MAX_DEPTH: '6',
        CDC_ALLOWED_HOSTS: '10.1.0.0/16',
        NODE_ENV: 'development',
      },
      '/srv/sextant',
    );
    const api = apiConfigFrom({ ...config, databaseUrl: 'postgresql://sextant@db/sextant' });
    expect(api).toEqual({
      databaseUrl: 'postgresql://sextant@db/sextant',
      poolSize: 7,
      schemaFile: null,
      corsOrigins: ['https://a.example', 'https://b.example'],
      ingest: {
        httpUrl: 'http://sextant.example:9086',
        forwardHost: 'sextant.example',
        forwardPort: 25224,
      },
      secretKey: null,
      auth: config.auth,
      mail: config.mail,
      graphql: { maxDepth: 6, maxCost: 50_000 },
      portalUrl: 'https://portal.sextant.example',
      publicUrl: 'https://sextant.example:8443',
      trustProxyHops: 2,
      graphiql: true,
      responseCheck: 'warn',
      cdc: { allowedHosts: ['10.1.0.0/16'], maxRetainedWalMb: 4096 },
      billingIssuer: config.billing.issuer,
    });
    expect(api.auth.sessionHours).toBe(12);
  });
});

import { describe, expect, it } from '@jest/globals';
import { cdcAllowedHosts, ConfigError, decodeSecretKey, kafkaBrokers, loadConfig } from './config';

describe(loadConfig.name, () => {
  it('applies the documented defaults', () => {
    const config = loadConfig({}, '/srv/sextant');
    expect(config.databaseUrl).toBeNull();
    expect(config.embeddedPostgres.dataDir).toBe('/srv/sextant/.sextant/postgres');
    expect(config.api.port).toBe(3000);
    expect(config.portal.port).toBe(3001);
    expect(config.portal.apiUrl).toBe('http://127.0.0.1:3000');
    expect(config.ingest.httpPort).toBe(8086);
    expect(config.ingest.forwardPort).toBe(24224);
    expect(config.ingest.maxPendingPoints).toBe(2_000_000);
    expect(config.ingest.forward.requireAuth).toBe(true);
    expect(config.ingest.forward).toMatchObject({ authFailures: 10, authCoolOffSeconds: 60 });
    expect(config.secretKey).toBeNull();
    expect(config.kafkaBrokers).toBeNull();
    expect(loadConfig({ KAFKA_BROKERS: 'a:9092, b:9093' }).kafkaBrokers).toEqual([
      'a:9092',
      'b:9093',
    ]);
    expect(config.portal.publicUrl).toBe('http://localhost:3001');
    expect(config.auth).toMatchObject({
      sessionHours: 168,
      lockoutThreshold: 5,
      lockoutMinutes: 15,
      requireVerifiedEmail: true,
      secureCookies: null,
      rateLimitPerAddress: 30,
      rateLimitTotal: 300,
      emailLimit: 3,
      emailIpLimit: 20,
    });
    expect(config.api.trustProxyHops).toBe(0);
    expect(config.api.graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).api.graphiql).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production' }).api.graphiql).toBe(false);
    expect(config.mail.smtpUrl).toBeNull();
    expect(config.graphql).toEqual({ maxDepth: 10, maxCost: 50_000 });
    expect(config.cdc).toEqual({ allowedHosts: [], maxRetainedWalMb: 4096 });
    expect(config.worker).toEqual({
      maintenanceIntervalSeconds: 60,
      accountingIntervalSeconds: 10,
      jobs: {
        concurrency: 2,
        pollIntervalMs: 1000,
        heartbeatSeconds: 5,
        workerLostSeconds: 30,
        schedulerIntervalSeconds: 10,
        shutdownGraceSeconds: 10,
        koiCatalogue: null,
      },
    });
  });

  it.each([
    ['API_PORT', 'abc', /API_PORT: expected a port number/],
    ['API_PORT', '70000', /API_PORT/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: not a valid URL/],
    ['DATABASE_URL', 'mysql://localhost/db', /postgres/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of debug, info, warn, error/],
    ['SEXTANT_DEMO_DATA', 'maybe', /SEXTANT_DEMO_DATA/],
    ['API_DB_POOL_SIZE', '0', /API_DB_POOL_SIZE: expected a whole number 1-500/],
    ['INGEST_MAX_PENDING_POINTS', '10', /INGEST_MAX_PENDING_POINTS: expected a whole number/],
    ['INGEST_FORWARD_TLS_CERT', '/x.pem', /INGEST_FORWARD_TLS_KEY: missing/],
    ['INGEST_FORWARD_AUTH_FAILURES', '0', /INGEST_FORWARD_AUTH_FAILURES: expected a whole number/],
    ['INGEST_FORWARD_AUTH_COOLOFF_SECONDS', 'x', /INGEST_FORWARD_AUTH_COOLOFF_SECONDS: expected/],
    ['ACCOUNTING_INTERVAL_SECONDS', '0', /ACCOUNTING_INTERVAL_SECONDS: expected a whole number/],
    ['MQTT_URL', 'http://broker', /MQTT_URL: expected an mqtt/],
    ['KAFKA_BROKERS', 'localhost', /KAFKA_BROKERS: "localhost" is not host:port/],
    ['SMTP_URL', 'http://mail', /SMTP_URL: expected smtp/],
    ['AUTH_LOCKOUT_THRESHOLD', '0', /AUTH_LOCKOUT_THRESHOLD: expected a whole number/],
    ['AUTH_SECURE_COOKIES', 'sometimes', /AUTH_SECURE_COOKIES/],
    ['TRUST_PROXY_HOPS', '11', /TRUST_PROXY_HOPS: expected a whole number 0-10/],
    ['TRUST_PROXY_HOPS', 'true', /TRUST_PROXY_HOPS: expected a whole number 0-10/],
    ['AUTH_RATE_LIMIT', '0', /AUTH_RATE_LIMIT: expected a whole number/],
    ['GRAPHQL_MAX_DEPTH', '1', /GRAPHQL_MAX_DEPTH/],
    ['SEXTANT_SECRET_KEY', 'short', /SEXTANT_SECRET_KEY: expected 32 bytes/],
    ['SEXTANT_SECRET_KEY', 'ab'.repeat(31), /SEXTANT_SECRET_KEY: expected 32 bytes/],
    ['JOB_CONCURRENCY', '0', /JOB_CONCURRENCY: expected a whole number 1-64/],
    ['JOB_POLL_INTERVAL_MS', '100', /JOB_POLL_INTERVAL_MS: expected a whole number 500-60000/],
    ['JOB_WORKER_LOST_SECONDS', '6', /JOB_WORKER_LOST_SECONDS: must be at least twice/],
    ['CDC_MAX_RETAINED_WAL_MB', '0', /CDC_MAX_RETAINED_WAL_MB: expected a whole number/],
    ['CDC_ALLOWED_HOSTS', '127.0.0.1:5432', /CDC_ALLOWED_HOSTS: "127.0.0.1:5432" is not/],
    ['CDC_ALLOWED_HOSTS', 'db, 10.0.0.0/33', /CDC_ALLOWED_HOSTS: "10.0.0.0\/33" is not/],
    ['CDC_ALLOWED_HOSTS', 'bad host', /CDC_ALLOWED_HOSTS: "bad host" is not/],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

describe(decodeSecretKey.name, () => {
  it('reads 32 bytes from hex or base64 and nothing else', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(decodeSecretKey(bytes.toString('hex'))).toEqual(bytes);
    expect(decodeSecretKey(bytes.toString('base64'))).toEqual(bytes);
    expect(decodeSecretKey(bytes.toString('base64url'))).toEqual(bytes);
    expect(decodeSecretKey(Buffer.alloc(31).toString('base64'))).toBeNull();
    expect(decodeSecretKey('not a key')).toBeNull();
  });
});

describe(cdcAllowedHosts.name, () => {
  it('reads names, addresses, CIDR ranges and socket directories', () => {
    expect(
      cdcAllowedHosts({
        CDC_ALLOWED_HOSTS: ' 127.0.0.1, ::1 ,10.1.0.0/16, fd00::/8, db.internal, /run/postgresql,',
      }),
    ).toEqual(['127.0.0.1', '::1', '10.1.0.0/16', 'fd00::/8', 'db.internal', '/run/postgresql']);
    expect(cdcAllowedHosts({})).toEqual([]);
  });
});

describe(kafkaBrokers.name, () => {
  it.each([
    [undefined, null],
    ['  ', null],
    ['localhost:9092', ['localhost:9092']],
    ['kafka-1:9092, kafka-2:9093', ['kafka-1:9092', 'kafka-2:9093']],
  ])('reads KAFKA_BROKERS=%j', (value, brokers) => {
    expect(kafkaBrokers({ KAFKA_BROKERS: value })).toEqual(brokers);
  });

  it('rejects a broker without a port', () => {
    expect(() => kafkaBrokers({ KAFKA_BROKERS: 'localhost' })).toThrow(
      'invalid KAFKA_BROKERS: "localhost" is not host:port',
    );
  });
});

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
    expect(config.api.responseCheck).toBe('warn');
    expect(loadConfig({ NODE_ENV: 'production' }).api.responseCheck).toBe('none');
    expect(config.mail.smtpUrl).toBeNull();
    expect(config.graphql).toEqual({ maxDepth: 10, maxCost: 50_000 });
    expect(config.cdc).toEqual({ allowedHosts: [], maxRetainedWalMb: 4096 });
    expect(config.worker).toEqual({
      upkeepIntervalSeconds: 60,
      accountingIntervalSeconds: 10,
      poolSize: 8,
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

  it("reads the stand-alone CDC runner's settings, null where unset", () => {
    expect(loadConfig({}).cdcRunner).toEqual({
      sourceUrl: null,
      sourceName: null,
      slot: null,
      publication: null,
      tables: [],
      sourceNodeId: null,
      destinationNodeId: null,
      pathId: null,
      keys: {},
      maxBatchChanges: 1000,
      statusIntervalMs: 10_000,
      poolSize: 2,
      kafkaTopics: [],
      kafkaGroup: null,
      kafkaFromBeginning: true,
    });
    const runner = loadConfig({
      CDC_SOURCE_URL: 'postgresql://repl@db.example/shop',
      CDC_TABLES: ' public.orders, items ,',
      CDC_SOURCE_NODE_ID: '0190A1B2-0000-7000-8000-000000000001',
      CDC_KEYS: '{"events": ["id"]}',
      CDC_KAFKA_TOPICS: 'shop.public.orders, /^shop\\..*/',
      CDC_KAFKA_FROM_BEGINNING: 'FALSE',
    }).cdcRunner;
    expect(runner).toMatchObject({
      sourceUrl: 'postgresql://repl@db.example/shop',
      tables: ['public.orders', 'items'],
      sourceNodeId: '0190a1b2-0000-7000-8000-000000000001',
      keys: { events: ['id'] },
      kafkaFromBeginning: false,
    });
    expect(runner.kafkaTopics[0]).toBe('shop.public.orders');
    expect((runner.kafkaTopics[1] as RegExp).test('shop.public.items')).toBe(true);
  });

  it('reads a renamed variable from its old name too, warning once per process', () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    expect(
      loadConfig({ UPKEEP_INTERVAL_SECONDS: '30' }, '/', warn).worker.upkeepIntervalSeconds,
    ).toBe(30);
    expect(warnings).toEqual([]);
    const old = { MAINTENANCE_INTERVAL_SECONDS: '45' };
    expect(loadConfig(old, '/', warn).worker.upkeepIntervalSeconds).toBe(45);
    expect(loadConfig(old, '/', warn).worker.upkeepIntervalSeconds).toBe(45);
    expect(warnings).toEqual([
      'MAINTENANCE_INTERVAL_SECONDS is deprecated: set UPKEEP_INTERVAL_SECONDS instead',
    ]);
    // The new name wins when both are set.
    const both = { UPKEEP_INTERVAL_SECONDS: '20', MAINTENANCE_INTERVAL_SECONDS: '45' };
    expect(loadConfig(both, '/', warn).worker.upkeepIntervalSeconds).toBe(20);
    expect(() => loadConfig({ MAINTENANCE_INTERVAL_SECONDS: '0' }, '/', warn)).toThrow(
      /UPKEEP_INTERVAL_SECONDS: expected a whole number/,
    );
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
    ['UPKEEP_INTERVAL_SECONDS', '0', /UPKEEP_INTERVAL_SECONDS: expected a whole number/],
    ['WORKER_DB_POOL_SIZE', '1', /WORKER_DB_POOL_SIZE: expected a whole number 2-200/],
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
    ['CDC_SOURCE_URL', 'http://db', /CDC_SOURCE_URL: expected a postgres:\/\/ or postgresql/],
    ['CDC_PATH_ID', 'path-1', /CDC_PATH_ID: expected a UUID, got "path-1"/],
    ['CDC_KEYS', '{"t": ', /CDC_KEYS: not valid JSON/],
    ['CDC_KEYS', '["id"]', /CDC_KEYS: expected \{"schema.table"/],
    ['CDC_STATUS_INTERVAL_MS', '10', /CDC_STATUS_INTERVAL_MS: expected a whole number 100-600000/],
    ['CDC_POOL_SIZE', '0', /CDC_POOL_SIZE: expected a whole number 1-100/],
    ['CDC_KAFKA_TOPICS', '/(/', /CDC_KAFKA_TOPICS: \/\(\/: Invalid regular expression/],
    ['CDC_KAFKA_FROM_BEGINNING', 'maybe', /CDC_KAFKA_FROM_BEGINNING: expected true or false/],
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

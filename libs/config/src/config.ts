import { isIP } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';

/** Typed platform configuration, read and validated once at start-up. */
export interface SextantConfig {
  /** External Postgres; when absent the embedded server is started. */
  databaseUrl: string | null;
  embeddedPostgres: { dataDir: string; port: number };
  api: {
    host: string;
    port: number;
    publicUrl: string;
    poolSize: number;
    corsOrigins: string[];
    /**
     * TRUST_PROXY_HOPS: reverse proxies in front of the API and the portal whose
     * X-Forwarded-For entries are believed (0: none; the client is the peer of the socket).
     */
    trustProxyHops: number;
    /** GraphiQL at /graphiql (it loads its scripts from a CDN): only when NODE_ENV=development. */
    graphiql: boolean;
    /**
     * Whether responses written by compiled serialisers are compared with JSON.stringify's:
     * not in production (NODE_ENV=production), else a difference is logged.
     */
    responseCheck: 'none' | 'warn';
  };
  portal: {
    host: string;
    port: number;
    apiUrl: string;
    /** Where people reach the portal: links in emails (verification, reset, invitations). */
    publicUrl: string;
  };
  auth: AuthConfig;
  /** SMTP server for account emails; null writes each email to the API's log instead. */
  mail: { smtpUrl: string | null; from: string };
  graphql: { maxDepth: number; maxCost: number };
  ingest: {
    host: string;
    httpPort: number;
    forwardPort: number;
    /** Largest request body, compressed and decompressed, in bytes. */
    maxBodyBytes: number;
    /** Longest line of line protocol, in bytes. */
    maxLineBytes: number;
    /** Writes processed at once; more are answered 503 with Retry-After. */
    maxInFlight: number;
    /** Points waiting for or in a commit; writes beyond are answered 503 (bounds memory). */
    maxPendingPoints: number;
    /** Staged points not yet settled beyond which commits wait (0: no limit). */
    maxUnsettledPoints: number;
    /** Group commits of at least this many points are staged, then settled; 0: never. */
    stageMinPoints: number;
    /** Milliseconds between settling passes of staged commits. */
    settleIntervalMs: number;
    poolSize: number;
    /** Seconds a client may take to send a request, and idle keep-alive connections live. */
    requestTimeoutSeconds: number;
    /** The MQTT broker to subscribe to for the paths of protocol mqtt; url null: none. */
    mqtt: MqttConfig;
    /** The fluentd forward protocol server on forwardPort. */
    forward: ForwardConfig;
  };
  worker: {
    /** Seconds between passes of time-series upkeep (compaction and retention). */
    upkeepIntervalSeconds: number;
    /** Seconds between turning closed ingest tallies into movements. */
    accountingIntervalSeconds: number;
    /** Connections of the worker's one pool (upkeep, accounting, CDC sources). */
    poolSize: number;
    jobs: JobsConfig;
  };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  demoData: boolean;
  /**
   * SEXTANT_SECRET_KEY: 32 bytes (base64 or hex) that encrypt secrets at rest, such as CDC
   * sources' connection strings; null when unset (`npm start` then keeps one in
   * `.sextant/secret.key`).
   */
  secretKey: string | null;
  /** KAFKA_BROKERS: `host:port,…` where CDC publishes its change envelopes; null: no Kafka. */
  kafkaBrokers: string[] | null;
  cdc: CdcConfig;
  billing: BillingConfig;
  /** One stand-alone CDC runner process (apps/cdc); unused by the other processes. */
  cdcRunner: CdcRunnerSettings;
}

/** Billing (docs/billing.md): run by the worker. */
export interface BillingConfig {
  /** Seconds between passes folding new movements into the hourly usage rollups. */
  rollupIntervalSeconds: number;
  /** Seconds between refreshes of the open invoice drafts. */
  refreshIntervalSeconds: number;
  /** Who issues invoices and credit notes; numbers are gap-free per issuer code. */
  issuer: {
    code: string;
    name: string;
    address: string[];
    taxId: string | null;
    email: string | null;
    paymentTermsDays: number;
  };
}

/** Managed CDC sources (registered through the API, run by the worker). */
export interface CdcConfig {
  /**
   * CDC_ALLOWED_HOSTS: what a source may reach although it is loopback, link-local, a cloud
   * metadata address, one of this machine's addresses or a Unix socket: host names, addresses,
   * CIDR ranges (`10.1.0.0/16`) and socket directories (`/run/postgresql`). A metadata address
   * is allowed only when listed itself, not through a range. The platform's own database is
   * refused whatever this says.
   */
  allowedHosts: string[];
  /**
   * CDC_MAX_RETAINED_WAL_MB: a paused source whose slot holds back more WAL than this gets an
   * alert, then its slot is dropped (resuming it takes a new snapshot).
   */
  maxRetainedWalMb: number;
}

/**
 * The stand-alone CDC runners (apps/cdc): a pgoutput reader of one source, or a Kafka consumer
 * of Debezium topics, applying into Sextant's database. Null where a variable is unset; which
 * ones a runner requires, and the names it derives, are its own (apps/cdc runner-config.ts).
 */
export interface CdcRunnerSettings {
  /** CDC_SOURCE_URL: the source database (its user needs the REPLICATION attribute). */
  sourceUrl: string | null;
  /** CDC_SOURCE_NAME: mirror schema `lake_<name>`. */
  sourceName: string | null;
  /** CDC_SLOT, CDC_PUBLICATION: the pgoutput runner's (default `sextant_<source>`). */
  slot: string | null;
  publication: string | null;
  /** CDC_TABLES: `schema.table` (or `table` in public), comma-separated. */
  tables: string[];
  /** CDC_SOURCE_NODE_ID: the registered database's node (movements' source). */
  sourceNodeId: string | null;
  /** CDC_DESTINATION_NODE_ID: the lake's node (movements' destination). */
  destinationNodeId: string | null;
  /** CDC_PATH_ID: the path of the movements. */
  pathId: string | null;
  /** CDC_KEYS: JSON `{"schema.table": ["column", ...]}` for tables without a primary key. */
  keys: Record<string, unknown>;
  /** CDC_MAX_BATCH_CHANGES: changes (or messages) per applier transaction. */
  maxBatchChanges: number;
  /** CDC_STATUS_INTERVAL_MS: interval of status updates to the source. */
  statusIntervalMs: number;
  /** CDC_POOL_SIZE: connections to Sextant's database. */
  poolSize: number;
  /** CDC_KAFKA_TOPICS: topic names, or `/regular expressions/`, comma-separated. */
  kafkaTopics: (string | RegExp)[];
  /** CDC_KAFKA_GROUP: the consumer group (default `sextant-cdc-<source>`). */
  kafkaGroup: string | null;
  /** CDC_KAFKA_FROM_BEGINNING: a new group reads its topics from their start. */
  kafkaFromBeginning: boolean;
}

export interface AuthConfig {
  /** Hours a portal session lasts after signing in. */
  sessionHours: number;
  /** Days a personal API token lives when its creator does not say (at most 366). */
  apiTokenDays: number;
  /** Failed sign-ins of one account within the window that lock it. */
  lockoutThreshold: number;
  /** Failed sign-ins from one client address within the window that lock the address. */
  ipThreshold: number;
  /** Minutes of the failure window, and of a lock. */
  lockoutMinutes: number;
  /** Seconds a verified API token or session is trusted without reading the database again. */
  cacheSeconds: number;
  /** Sign-in needs a verified email address. */
  requireVerifiedEmail: boolean;
  /** Session cookies only over HTTPS; null: when API_PUBLIC_URL or PORTAL_PUBLIC_URL is https. */
  secureCookies: boolean | null;
  /**
   * Changes under /api/auth (sign-in, registration, resets, …) and invitation acceptance, per
   * minute and API process: from one client address, and from all together (bounds the
   * password hashing work); beyond, 429 with Retry-After.
   */
  rateLimitPerAddress: number;
  rateLimitTotal: number;
  /**
   * Account emails (verification, password reset, registration notices) within
   * lockoutMinutes: to one email address, and asked for by one client address.
   */
  emailLimit: number;
  emailIpLimit: number;
}

/** The job platform's worker (libs/jobs). */
export interface JobsConfig {
  /** Task attempts one worker process runs at once. */
  concurrency: number;
  /** Milliseconds between polls of the queue while idle. */
  pollIntervalMs: number;
  /** Seconds between heartbeats (also how soon a cancelled attempt is stopped). */
  heartbeatSeconds: number;
  /** A worker silent this long is lost: its running tasks are queued again elsewhere. */
  workerLostSeconds: number;
  /** Seconds between firing due cron schedules; 0: this worker fires none. */
  schedulerIntervalSeconds: number;
  /** On shutdown, seconds running attempts may take before they are put back in the queue. */
  shutdownGraceSeconds: number;
  /** The KOI cumulative table (CSV) transit candidates are matched with; null: no matching. */
  koiCatalogue: string | null;
}

export interface MqttConfig {
  url: string | null;
  /** Also names the broker's persistent session: keep it stable across restarts. */
  clientId: string;
  username: string | null;
  password: string | null;
}

export interface ForwardConfig {
  /** Largest message, and largest decompressed packed entries, in bytes. */
  maxMessageBytes: number;
  /** Seconds a connection may stay idle, or a message incomplete, before it is closed. */
  idleSeconds: number;
  /** Require the shared-key handshake (the key: a path token's sha256). */
  requireAuth: boolean;
  /** Without the handshake: the token of the path that takes the events; null refuses them. */
  defaultToken: string | null;
  /**
   * Failed handshakes from one client address (an IPv6 /64) within authCoolOffSeconds after
   * which its handshakes are refused, unchecked, for authCoolOffSeconds.
   */
  authFailures: number;
  authCoolOffSeconds: number;
  /** PEM files: serve TLS instead of plain TCP. */
  tls: { certFile: string; keyFile: string } | null;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid ${variable}: ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(name, `expected a port number 0-65535, got "${raw}"`);
  }
  return value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number ${min}-${max}, got "${raw}"`);
  }
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `expected true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(name, `expected one of ${values.join(', ')}, got "${raw}"`);
}

function url(env: Env, name: string): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a valid URL');
  }
  return raw;
}

/** The 32 bytes of a key given as 64 hex digits or base64; null when it is neither. */
export function decodeSecretKey(raw: string): Buffer | null {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes;
  }
  return null;
}

function secretKey(env: Env): string | null {
  const raw = env.SEXTANT_SECRET_KEY;
  if (raw === undefined || raw === '') return null;
  if (!decodeSecretKey(raw))
    throw new ConfigError(
      'SEXTANT_SECRET_KEY',
      'expected 32 bytes as 64 hex digits or base64 (e.g. `openssl rand -base64 32`)',
    );
  return raw.trim();
}

/** KAFKA_BROKERS as `host:port` entries; null when unset; a ConfigError naming a bad entry. */
export function kafkaBrokers(env: Env): string[] | null {
  const raw = env.KAFKA_BROKERS?.trim();
  if (!raw) return null;
  const brokers = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  const bad = brokers.find((b) => !/^[^\s:]+:\d{1,5}$/.test(b));
  if (bad !== undefined)
    throw new ConfigError('KAFKA_BROKERS', `"${bad}" is not host:port (expected host:port,…)`);
  return brokers;
}

const hostName =
  /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** CDC_ALLOWED_HOSTS as its entries; a ConfigError naming an entry that is none of the forms. */
export function cdcAllowedHosts(env: Env): string[] {
  const entries = (env.CDC_ALLOWED_HOSTS ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [address, bits, ...rest] = entry.split('/');
    const family = isIP(address.replace(/^\[(.*)\]$/, '$1'));
    const valid = entry.startsWith('/')
      ? !entry.includes('\0')
      : bits === undefined
        ? family !== 0 || hostName.test(entry)
        : rest.length === 0 &&
          family !== 0 &&
          /^\d{1,3}$/.test(bits) &&
          Number(bits) <= (family === 4 ? 32 : 128);
    if (!valid)
      throw new ConfigError(
        'CDC_ALLOWED_HOSTS',
        `"${entry}" is not a host name, an address, a CIDR range (10.1.0.0/16) or a socket directory (/run/postgresql)`,
      );
  }
  return entries;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function nodeId(env: Env, name: string): string | null {
  const raw = env[name];
  if (!raw) return null;
  if (!uuidPattern.test(raw)) throw new ConfigError(name, `expected a UUID, got "${raw}"`);
  return raw.toLowerCase();
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
}

function postgresUrl(env: Env, name: string): string | null {
  const raw = url(env, name);
  if (raw && !/^postgres(ql)?:$/.test(new URL(raw).protocol))
    throw new ConfigError(name, 'expected a postgres:// or postgresql:// URL');
  return raw;
}

function cdcKeys(env: Env): Record<string, unknown> {
  const raw = env.CDC_KEYS;
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('CDC_KEYS', 'not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError('CDC_KEYS', 'expected {"schema.table": ["column", ...]}');
  return parsed as Record<string, unknown>;
}

function kafkaTopics(env: Env): (string | RegExp)[] {
  return list(env, 'CDC_KAFKA_TOPICS').map((topic) => {
    const pattern = /^\/(.+)\/$/.exec(topic);
    if (!pattern) return topic;
    try {
      return new RegExp(pattern[1]);
    } catch (error) {
      throw new ConfigError('CDC_KAFKA_TOPICS', `${topic}: ${(error as Error).message}`);
    }
  });
}

function cdcRunner(env: Env): CdcRunnerSettings {
  const fromBeginning = (env.CDC_KAFKA_FROM_BEGINNING || 'true').toLowerCase();
  if (!['true', 'false'].includes(fromBeginning))
    throw new ConfigError(
      'CDC_KAFKA_FROM_BEGINNING',
      `expected true or false, got "${env.CDC_KAFKA_FROM_BEGINNING}"`,
    );
  return {
    sourceUrl: postgresUrl(env, 'CDC_SOURCE_URL'),
    sourceName: env.CDC_SOURCE_NAME || null,
    slot: env.CDC_SLOT || null,
    publication: env.CDC_PUBLICATION || null,
    tables: list(env, 'CDC_TABLES'),
    sourceNodeId: nodeId(env, 'CDC_SOURCE_NODE_ID'),
    destinationNodeId: nodeId(env, 'CDC_DESTINATION_NODE_ID'),
    pathId: nodeId(env, 'CDC_PATH_ID'),
    keys: cdcKeys(env),
    maxBatchChanges: integer(env, 'CDC_MAX_BATCH_CHANGES', 1000, 1, 100_000),
    statusIntervalMs: integer(env, 'CDC_STATUS_INTERVAL_MS', 10_000, 100, 600_000),
    poolSize: integer(env, 'CDC_POOL_SIZE', 2, 1, 100),
    kafkaTopics: kafkaTopics(env),
    kafkaGroup: env.CDC_KAFKA_GROUP || null,
    kafkaFromBeginning: fromBeginning === 'true',
  };
}

function smtpUrl(env: Env): string | null {
  const raw = url(env, 'SMTP_URL');
  if (raw && !/^smtps?:$/.test(new URL(raw).protocol))
    throw new ConfigError('SMTP_URL', 'expected smtp://user:password@host:port or smtps://…');
  return raw;
}

function mqtt(env: Env): MqttConfig {
  const brokerUrl = url(env, 'MQTT_URL');
  if (brokerUrl && !/^(mqtts?|tcp|tls|wss?):$/.test(new URL(brokerUrl).protocol))
    throw new ConfigError(
      'MQTT_URL',
      'expected an mqtt://, mqtts://, tcp://, tls://, ws:// or wss:// URL',
    );
  // Stable across restarts, so the broker's session (and what it holds unacknowledged) resumes.
  const clientId = env.MQTT_CLIENT_ID || `sextant-ingest-${hostname()}`.slice(0, 128);
  if (clientId.length > 128 || !/^[\x21-\x7e]+$/.test(clientId))
    throw new ConfigError(
      'MQTT_CLIENT_ID',
      'expected 1-128 printable ASCII characters without spaces',
    );
  const username = env.MQTT_USERNAME || null;
  const password = env.MQTT_PASSWORD || null;
  if (password !== null && username === null)
    throw new ConfigError(
      'MQTT_PASSWORD',
      'is set without MQTT_USERNAME (MQTT sends a password only with a user name)',
    );
  return { url: brokerUrl, clientId, username, password };
}

function forward(env: Env, cwd: string): ForwardConfig {
  const certFile = env.INGEST_FORWARD_TLS_CERT || null;
  const keyFile = env.INGEST_FORWARD_TLS_KEY || null;
  if (certFile && !keyFile)
    throw new ConfigError('INGEST_FORWARD_TLS_KEY', 'missing: INGEST_FORWARD_TLS_CERT is set');
  if (keyFile && !certFile)
    throw new ConfigError('INGEST_FORWARD_TLS_CERT', 'missing: INGEST_FORWARD_TLS_KEY is set');
  return {
    maxMessageBytes: integer(env, 'INGEST_FORWARD_MAX_MESSAGE_BYTES', 16 << 20, 1024, 1 << 30),
    idleSeconds: integer(env, 'INGEST_FORWARD_IDLE_SECONDS', 60, 1, 86_400),
    requireAuth: bool(env, 'INGEST_FORWARD_REQUIRE_AUTH', true),
    defaultToken: env.INGEST_FORWARD_DEFAULT_TOKEN || null,
    authFailures: integer(env, 'INGEST_FORWARD_AUTH_FAILURES', 10, 1, 100_000),
    authCoolOffSeconds: integer(env, 'INGEST_FORWARD_AUTH_COOLOFF_SECONDS', 60, 1, 86_400),
    tls:
      certFile && keyFile
        ? { certFile: path.resolve(cwd, certFile), keyFile: path.resolve(cwd, keyFile) }
        : null,
  };
}

function jobs(env: Env, cwd: string): JobsConfig {
  const heartbeatSeconds = integer(env, 'JOB_HEARTBEAT_SECONDS', 5, 1, 300);
  const workerLostSeconds = integer(env, 'JOB_WORKER_LOST_SECONDS', 30, 2, 3600);
  if (workerLostSeconds < 2 * heartbeatSeconds)
    throw new ConfigError(
      'JOB_WORKER_LOST_SECONDS',
      `must be at least twice JOB_HEARTBEAT_SECONDS (${heartbeatSeconds}), or live workers would be taken for lost`,
    );
  return {
    concurrency: integer(env, 'JOB_CONCURRENCY', 2, 1, 64),
    pollIntervalMs: integer(env, 'JOB_POLL_INTERVAL_MS', 1000, 500, 60_000),
    heartbeatSeconds,
    workerLostSeconds,
    schedulerIntervalSeconds: integer(env, 'JOB_SCHEDULER_INTERVAL_SECONDS', 10, 0, 3600),
    shutdownGraceSeconds: integer(env, 'JOB_SHUTDOWN_GRACE_SECONDS', 10, 0, 3600),
    koiCatalogue: env.KOI_CATALOGUE ? path.resolve(cwd, env.KOI_CATALOGUE) : null,
  };
}

/** Variables renamed (new name: old name); the old names still work, with a warning. */
export const renamedVariables: Readonly<Record<string, string>> = {
  UPKEEP_INTERVAL_SECONDS: 'MAINTENANCE_INTERVAL_SECONDS',
};

const warnedRenames = new Set<string>();

/** The environment with each renamed variable set from its old name when only that is set. */
function withRenamed(env: Env, warn: (line: string) => void): Env {
  let renamed = env;
  for (const [name, old] of Object.entries(renamedVariables)) {
    if ((env[name] ?? '') !== '' || (env[old] ?? '') === '') continue;
    renamed = { ...renamed, [name]: env[old] };
    // Once per process, however often the configuration is read.
    if (!warnedRenames.has(old)) {
      warnedRenames.add(old);
      warn(`${old} is deprecated: set ${name} instead`);
    }
  }
  return renamed;
}

/** Reads the configuration from the environment (defaults documented in .env.example). */
export function loadConfig(
  environment: Env = process.env,
  cwd: string = process.cwd(),
  warn: (line: string) => void = (line) => console.warn(`config: ${line}`),
): SextantConfig {
  const env = withRenamed(environment, warn);
  const apiPort = port(env, 'API_PORT', 3000);
  const apiHost = env.API_HOST || '0.0.0.0';
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  return {
    databaseUrl,
    embeddedPostgres: {
      dataDir: path.resolve(cwd, env.SEXTANT_DATA_DIR || '.sextant/postgres'),
      port: port(env, 'EMBEDDED_PG_PORT', 54329),
    },
    api: {
      host: apiHost,
      port: apiPort,
      publicUrl: url(env, 'API_PUBLIC_URL') ?? `http://localhost:${apiPort}`,
      poolSize: integer(env, 'API_DB_POOL_SIZE', 20, 1, 500),
      corsOrigins: (env.CORS_ORIGINS ?? '')
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
      trustProxyHops: integer(env, 'TRUST_PROXY_HOPS', 0, 0, 10),
      graphiql: env.NODE_ENV === 'development',
      responseCheck: env.NODE_ENV === 'production' ? 'none' : 'warn',
    },
    portal: {
      host: env.PORTAL_HOST || '0.0.0.0',
      port: port(env, 'PORTAL_PORT', 3001),
      apiUrl: url(env, 'SEXTANT_API_URL') ?? `http://127.0.0.1:${apiPort}`,
      publicUrl: (
        url(env, 'PORTAL_PUBLIC_URL') ?? `http://localhost:${port(env, 'PORTAL_PORT', 3001)}`
      ).replace(/\/$/, ''),
    },
    auth: {
      sessionHours: integer(env, 'AUTH_SESSION_HOURS', 168, 1, 24 * 366),
      apiTokenDays: integer(env, 'AUTH_API_TOKEN_DAYS', 90, 1, 366),
      lockoutThreshold: integer(env, 'AUTH_LOCKOUT_THRESHOLD', 5, 1, 1000),
      ipThreshold: integer(env, 'AUTH_IP_THRESHOLD', 50, 1, 100_000),
      lockoutMinutes: integer(env, 'AUTH_LOCKOUT_MINUTES', 15, 1, 24 * 60),
      cacheSeconds: integer(env, 'AUTH_CACHE_SECONDS', 5, 0, 300),
      requireVerifiedEmail: bool(env, 'AUTH_REQUIRE_VERIFIED_EMAIL', true),
      secureCookies:
        env.AUTH_SECURE_COOKIES === undefined || env.AUTH_SECURE_COOKIES === ''
          ? null
          : bool(env, 'AUTH_SECURE_COOKIES', false),
      rateLimitPerAddress: integer(env, 'AUTH_RATE_LIMIT', 30, 1, 100_000),
      rateLimitTotal: integer(env, 'AUTH_RATE_LIMIT_TOTAL', 300, 1, 1_000_000),
      emailLimit: integer(env, 'AUTH_EMAIL_LIMIT', 3, 1, 1000),
      emailIpLimit: integer(env, 'AUTH_EMAIL_IP_LIMIT', 20, 1, 100_000),
    },
    mail: {
      smtpUrl: smtpUrl(env),
      from: env.MAIL_FROM || 'Sextant <no-reply@sextant.localhost>',
    },
    graphql: {
      maxDepth: integer(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 100),
      maxCost: integer(env, 'GRAPHQL_MAX_COST', 50_000, 10, 10_000_000),
    },
    ingest: {
      host: env.INGEST_HOST || '0.0.0.0',
      httpPort: port(env, 'INGEST_HTTP_PORT', 8086),
      forwardPort: port(env, 'INGEST_FORWARD_PORT', 24224),
      maxBodyBytes: integer(env, 'INGEST_MAX_BODY_BYTES', 32 << 20, 1024, 1 << 30),
      maxLineBytes: integer(env, 'INGEST_MAX_LINE_BYTES', 1 << 20, 64, 64 << 20),
      maxInFlight: integer(env, 'INGEST_MAX_IN_FLIGHT', 16, 1, 1024),
      maxPendingPoints: integer(env, 'INGEST_MAX_PENDING_POINTS', 2_000_000, 1000, 100_000_000),
      maxUnsettledPoints: integer(env, 'INGEST_MAX_UNSETTLED_POINTS', 1_500_000, 0, 1_000_000_000),
      stageMinPoints: integer(env, 'INGEST_STAGE_MIN_POINTS', 20_000, 0, 100_000_000),
      settleIntervalMs: integer(env, 'INGEST_SETTLE_INTERVAL_MS', 250, 10, 60_000),
      poolSize: integer(env, 'INGEST_DB_POOL_SIZE', 10, 1, 200),
      requestTimeoutSeconds: integer(env, 'INGEST_REQUEST_TIMEOUT_SECONDS', 30, 1, 3600),
      mqtt: mqtt(env),
      forward: forward(env, cwd),
    },
    worker: {
      upkeepIntervalSeconds: integer(env, 'UPKEEP_INTERVAL_SECONDS', 60, 1, 86_400),
      accountingIntervalSeconds: integer(env, 'ACCOUNTING_INTERVAL_SECONDS', 10, 1, 3600),
      poolSize: integer(env, 'WORKER_DB_POOL_SIZE', 8, 2, 200),
      jobs: jobs(env, cwd),
    },
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    demoData: bool(env, 'SEXTANT_DEMO_DATA', true),
    secretKey: secretKey(env),
    kafkaBrokers: kafkaBrokers(env),
    cdc: {
      allowedHosts: cdcAllowedHosts(env),
      maxRetainedWalMb: integer(env, 'CDC_MAX_RETAINED_WAL_MB', 4096, 1, 10_000_000),
    },
    billing: {
      rollupIntervalSeconds: integer(env, 'BILLING_ROLLUP_INTERVAL_SECONDS', 10, 1, 3600),
      refreshIntervalSeconds: integer(env, 'BILLING_REFRESH_INTERVAL_SECONDS', 900, 10, 86_400),
      issuer: {
        code: issuerCode(env),
        name: env.BILLING_ISSUER_NAME || 'Sextant Platform',
        address: (env.BILLING_ISSUER_ADDRESS || '')
          .split('|')
          .map((line) => line.trim())
          .filter(Boolean),
        taxId: env.BILLING_ISSUER_TAX_ID || null,
        email: env.BILLING_ISSUER_EMAIL || null,
        paymentTermsDays: integer(env, 'BILLING_PAYMENT_TERMS_DAYS', 14, 0, 365),
      },
    },
    cdcRunner: cdcRunner(env),
  };
}

function issuerCode(env: Env): string {
  const code = env.BILLING_ISSUER_CODE || 'sextant';
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(code)) {
    throw new ConfigError(
      'BILLING_ISSUER_CODE',
      `expected 1-40 of a-z, 0-9 and -, starting with a letter or digit, got "${code}"`,
    );
  }
  return code;
}

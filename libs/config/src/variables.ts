// Every environment variable Sextant reads, with its default and what it does: the source of the
// configuration table of docs/configuration.md and of .env.example (`npm run docs:config`).
// config-docs.spec.ts fails when code reads a variable missing here, when a default here differs
// from loadConfig's, or when the committed files differ from what this generates.

export interface ConfigVariable {
  name: string;
  /** The value used when the variable is unset or empty, as .env.example writes it ('' for none). */
  default: string;
  /** The default as the table shows it when it is derived from others (written empty). */
  derived?: string;
  /** One line: what the variable does. */
  description: string;
}

export interface ConfigGroup {
  title: string;
  variables: ConfigVariable[];
}

export const configGroups: ConfigGroup[] = [
  {
    title: 'Database',
    variables: [
      {
        name: 'DATABASE_URL',
        default: '',
        description: 'Postgres ≥ 15 to use (postgres:// URL). Empty: start the embedded server.',
      },
      {
        name: 'SEXTANT_DATA_DIR',
        default: '.sextant/postgres',
        description: 'Data directory of the embedded Postgres (kept across restarts).',
      },
      {
        name: 'EMBEDDED_PG_PORT',
        default: '54329',
        description: 'Preferred port of the embedded Postgres; a free one is taken if busy.',
      },
    ],
  },
  {
    title: 'API',
    variables: [
      { name: 'API_PORT', default: '3000', description: 'Port of the REST and GraphQL server.' },
      { name: 'API_HOST', default: '0.0.0.0', description: 'Address the API listens on.' },
      {
        name: 'API_PUBLIC_URL',
        default: '',
        derived: 'http://localhost:<API_PORT>',
        description: 'How clients reach the API (also tells agents where the gateway is).',
      },
      { name: 'API_DB_POOL_SIZE', default: '20', description: 'Database connections of the API.' },
      {
        name: 'CORS_ORIGINS',
        default: '',
        description: 'Comma-separated browser origins allowed to call the API directly.',
      },
      {
        name: 'TRUST_PROXY_HOPS',
        default: '0',
        description:
          'Proxies in front of the API and portal whose `X-Forwarded-For` is believed (0: none).',
      },
      {
        name: 'NODE_ENV',
        default: '',
        description: '`development` serves GraphiQL at /graphiql (its scripts come from a CDN).',
      },
      {
        name: 'GRAPHQL_MAX_DEPTH',
        default: '10',
        description: 'Deepest GraphQL operation accepted (400 `QueryTooDeep` beyond).',
      },
      {
        name: 'GRAPHQL_MAX_COST',
        default: '50000',
        description: 'Costliest GraphQL operation accepted (400 `QueryTooCostly` beyond).',
      },
    ],
  },
  {
    title: 'Portal',
    variables: [
      { name: 'PORTAL_PORT', default: '3001', description: 'Port of the portal.' },
      { name: 'PORTAL_HOST', default: '0.0.0.0', description: 'Address the portal listens on.' },
      {
        name: 'SEXTANT_API_URL',
        default: '',
        derived: 'http://127.0.0.1:<API_PORT>',
        description: "Where the portal's server-side proxy sends `/api` and `/graphql` requests.",
      },
      {
        name: 'PORTAL_PUBLIC_URL',
        default: '',
        derived: 'http://localhost:<PORTAL_PORT>',
        description: 'Where people reach the portal: the links in account emails.',
      },
    ],
  },
  {
    title: 'Accounts and security',
    variables: [
      {
        name: 'SEXTANT_SECRET_KEY',
        default: '',
        derived: '.sextant/secret.key',
        description:
          '32 bytes (base64 or hex) sealing CDC connection strings and forward shared keys; empty: `npm start` keeps one in .sextant/secret.key.',
      },
      {
        name: 'SMTP_URL',
        default: '',
        description:
          '`smtp://user:pass@host:587` (or smtps://) for account emails. Empty: written to the API log.',
      },
      {
        name: 'MAIL_FROM',
        default: 'Sextant <no-reply@sextant.localhost>',
        description: 'Sender of account emails.',
      },
      {
        name: 'AUTH_SESSION_HOURS',
        default: '168',
        description: 'Lifetime of a portal session (httpOnly, SameSite=Lax cookie).',
      },
      {
        name: 'AUTH_API_TOKEN_DAYS',
        default: '90',
        description: 'Default lifetime of a personal API token (at most 366).',
      },
      {
        name: 'AUTH_LOCKOUT_THRESHOLD',
        default: '5',
        description: 'Failed sign-ins of one account within the window that lock it.',
      },
      {
        name: 'AUTH_IP_THRESHOLD',
        default: '50',
        description: 'Failed sign-ins from one client address within the window that lock it.',
      },
      {
        name: 'AUTH_LOCKOUT_MINUTES',
        default: '15',
        description: 'The failure window, and how long a lock lasts.',
      },
      {
        name: 'AUTH_CACHE_SECONDS',
        default: '5',
        description: 'How long a verified token or session is trusted without a query (0: never).',
      },
      {
        name: 'AUTH_REQUIRE_VERIFIED_EMAIL',
        default: 'true',
        description: 'Sign-in needs a confirmed email address.',
      },
      {
        name: 'AUTH_SECURE_COOKIES',
        default: '',
        derived: '(auto)',
        description:
          'Cookies only over HTTPS: true or false; empty: over HTTPS, or when a public URL is https.',
      },
      {
        name: 'AUTH_RATE_LIMIT',
        default: '30',
        description: 'Account changes (sign-in, sign-up, resets) a minute per client address.',
      },
      {
        name: 'AUTH_RATE_LIMIT_TOTAL',
        default: '300',
        description: 'Account changes a minute per API process from all addresses together.',
      },
      {
        name: 'AUTH_EMAIL_LIMIT',
        default: '3',
        description: 'Account emails per window to one email address.',
      },
      {
        name: 'AUTH_EMAIL_IP_LIMIT',
        default: '20',
        description: 'Account emails per window asked for by one client address.',
      },
    ],
  },
  {
    title: 'Ingest gateway',
    variables: [
      {
        name: 'INGEST_HTTP_PORT',
        default: '8086',
        description: 'HTTP port: line protocol, JSON and NDJSON.',
      },
      { name: 'INGEST_FORWARD_PORT', default: '24224', description: 'Fluentd forward port.' },
      { name: 'INGEST_HOST', default: '0.0.0.0', description: 'Address the gateway listens on.' },
      {
        name: 'INGEST_MAX_BODY_BYTES',
        default: '33554432',
        description: 'Largest HTTP body, also decompressed (32 MiB); beyond: 413.',
      },
      {
        name: 'INGEST_MAX_LINE_BYTES',
        default: '1048576',
        description: 'Longest line (1 MiB); beyond: 400 for that line.',
      },
      {
        name: 'INGEST_MAX_IN_FLIGHT',
        default: '16',
        description: 'HTTP writes processed at once; more get 503 with `Retry-After`.',
      },
      {
        name: 'INGEST_MAX_PENDING_POINTS',
        default: '2000000',
        description: 'Points waiting for a commit; more get 503 (bounds the memory).',
      },
      {
        name: 'INGEST_MAX_UNSETTLED_POINTS',
        default: '1500000',
        description: 'Staged points not yet settled beyond which commits wait (0: no limit).',
      },
      {
        name: 'INGEST_STAGE_MIN_POINTS',
        default: '20000',
        description: 'Group commits this large are staged, then settled into chunks; 0: never.',
      },
      {
        name: 'INGEST_SETTLE_INTERVAL_MS',
        default: '250',
        description: 'How often staged commits are settled into chunks.',
      },
      {
        name: 'INGEST_DB_POOL_SIZE',
        default: '10',
        description: 'Database connections of the gateway.',
      },
      {
        name: 'INGEST_REQUEST_TIMEOUT_SECONDS',
        default: '30',
        description: 'Time a client has to send a request; idle keep-alive lifetime.',
      },
      {
        name: 'INGEST_FORWARD_MAX_MESSAGE_BYTES',
        default: '16777216',
        description: 'Largest forward message, and decompressed packed entries (16 MiB).',
      },
      {
        name: 'INGEST_FORWARD_IDLE_SECONDS',
        default: '60',
        description: 'A forward connection idle, or a message incomplete, this long is closed.',
      },
      {
        name: 'INGEST_FORWARD_REQUIRE_AUTH',
        default: 'true',
        description: 'Require the shared-key handshake (the key: sha256 hex of a path token).',
      },
      {
        name: 'INGEST_FORWARD_DEFAULT_TOKEN',
        default: '',
        description: 'Without the handshake: token of the path taking every event (empty: refuse).',
      },
      {
        name: 'INGEST_FORWARD_AUTH_FAILURES',
        default: '10',
        description: 'Failed handshakes from one address (IPv6: a /64) before it cools off.',
      },
      {
        name: 'INGEST_FORWARD_AUTH_COOLOFF_SECONDS',
        default: '60',
        description: 'Window of those failures, and the cool-off (handshakes refused unchecked).',
      },
      {
        name: 'INGEST_FORWARD_TLS_CERT',
        default: '',
        description: 'PEM certificate file: serve the forward port over TLS (with the key).',
      },
      {
        name: 'INGEST_FORWARD_TLS_KEY',
        default: '',
        description: 'PEM key file of that certificate.',
      },
      {
        name: 'MQTT_URL',
        default: '',
        description: 'MQTT broker for paths of protocol `mqtt` (mqtt://, mqtts://, ws://, wss://).',
      },
      {
        name: 'MQTT_CLIENT_ID',
        default: '',
        derived: 'sextant-ingest-<hostname>',
        description: 'Client id, naming the persistent session: one per gateway.',
      },
      {
        name: 'MQTT_USERNAME',
        default: '',
        description: 'User name of the gateway at the broker.',
      },
      { name: 'MQTT_PASSWORD', default: '', description: 'Password of the gateway at the broker.' },
    ],
  },
  {
    title: 'Worker and jobs',
    variables: [
      {
        name: 'BILLING_ROLLUP_INTERVAL_SECONDS',
        default: '10',
        description: 'Interval of the pass folding new movements into the hourly usage rollups.',
      },
      {
        name: 'BILLING_REFRESH_INTERVAL_SECONDS',
        default: '900',
        description:
          'Interval of the refresh of open invoice drafts; due finalisations are then submitted as billing-run jobs.',
      },
      {
        name: 'BILLING_ISSUER_CODE',
        default: 'sextant',
        description:
          'Issuer of invoices and credit notes: their numbers are gap-free per issuer code.',
      },
      {
        name: 'BILLING_ISSUER_NAME',
        default: 'Sextant Platform',
        description: 'The issuer name printed on invoices and credit notes.',
      },
      {
        name: 'BILLING_ISSUER_ADDRESS',
        default: '',
        description: "The issuer's address on documents, lines separated by `|`.",
      },
      {
        name: 'BILLING_ISSUER_TAX_ID',
        default: '',
        description: "The issuer's tax (VAT) number on documents.",
      },
      {
        name: 'BILLING_ISSUER_EMAIL',
        default: '',
        description: "The issuer's email address on documents.",
      },
      {
        name: 'BILLING_PAYMENT_TERMS_DAYS',
        default: '14',
        description: 'Days from issue to the due date of an invoice.',
      },
      {
        name: 'UPKEEP_INTERVAL_SECONDS',
        default: '60',
        description:
          'Interval of the upkeep pass (compaction, retention); MAINTENANCE_INTERVAL_SECONDS, its old name, still works.',
      },
      {
        name: 'WORKER_DB_POOL_SIZE',
        default: '8',
        description: "Connections of the worker's one pool (upkeep, accounting, CDC sources).",
      },
      {
        name: 'ACCOUNTING_INTERVAL_SECONDS',
        default: '10',
        description: 'How often closed ingest tallies become movements.',
      },
      {
        name: 'JOB_CONCURRENCY',
        default: '2',
        description: 'Task attempts one worker process runs at once.',
      },
      {
        name: 'JOB_POLL_INTERVAL_MS',
        default: '1000',
        description: 'How often an idle worker polls the job queue (at least 500).',
      },
      {
        name: 'JOB_HEARTBEAT_SECONDS',
        default: '5',
        description: "Worker heartbeat; also how soon a cancelled task's attempt is stopped.",
      },
      {
        name: 'JOB_WORKER_LOST_SECONDS',
        default: '30',
        description: 'A worker silent this long is lost: its tasks run again elsewhere.',
      },
      {
        name: 'JOB_SCHEDULER_INTERVAL_SECONDS',
        default: '10',
        description: 'How often due cron schedules fire; 0: this worker fires none.',
      },
      {
        name: 'JOB_SHUTDOWN_GRACE_SECONDS',
        default: '10',
        description: 'On stop, time running attempts get before they are queued again.',
      },
      {
        name: 'KOI_CATALOGUE',
        default: '',
        description:
          'KOI cumulative table (CSV) transit candidates are matched with; `npm start` uses the one in ../shared/data.',
      },
    ],
  },
  {
    title: 'Change data capture',
    variables: [
      {
        name: 'KAFKA_BROKERS',
        default: '',
        description: '`host:port,…`: CDC publishes its Debezium envelopes there. Empty: no Kafka.',
      },
      {
        name: 'KAFKA_CLIENT_ID',
        default: '',
        derived: 'sextant-cdc',
        description: 'Kafka client id of the CDC publisher.',
      },
      {
        name: 'CDC_ALLOWED_HOSTS',
        default: '',
        description: 'Local hosts (loopback, link-local…) managed CDC sources may reach.',
      },
      {
        name: 'CDC_MAX_RETAINED_WAL_MB',
        default: '4096',
        description: "WAL a paused source's slot may hold back before it is dropped.",
      },
      {
        name: 'CDC_SOURCE_URL',
        default: '',
        description: 'Stand-alone runner: the source database (its user needs REPLICATION).',
      },
      {
        name: 'CDC_TABLES',
        default: '',
        description: 'Stand-alone runner: `schema.table` names, comma-separated.',
      },
      {
        name: 'CDC_SOURCE_NODE_ID',
        default: '',
        description: "Stand-alone runner: the database's node (the movements' source).",
      },
      {
        name: 'CDC_DESTINATION_NODE_ID',
        default: '',
        description: "Stand-alone runner: the lake's node (the movements' destination).",
      },
      {
        name: 'CDC_SOURCE_NAME',
        default: '',
        description: "Stand-alone runner: mirror schema `lake_<name>` (default: the database's).",
      },
      {
        name: 'CDC_SLOT',
        default: '',
        description: 'Stand-alone runner: replication slot (default `sextant_<name>`).',
      },
      {
        name: 'CDC_PUBLICATION',
        default: '',
        description: 'Stand-alone runner: publication (default `sextant_<name>`).',
      },
      {
        name: 'CDC_PATH_ID',
        default: '',
        description: 'Stand-alone runner: the path the movements name (optional).',
      },
      {
        name: 'CDC_KEYS',
        default: '',
        description: 'Stand-alone runner: `{"schema.table": ["column"]}` for tables without a key.',
      },
      {
        name: 'CDC_MAX_BATCH_CHANGES',
        default: '1000',
        description: 'Stand-alone runner: changes applied per applier transaction.',
      },
      {
        name: 'CDC_STATUS_INTERVAL_MS',
        default: '10000',
        description: 'Stand-alone runner: interval of status updates to the source.',
      },
      {
        name: 'CDC_POOL_SIZE',
        default: '2',
        description: "Stand-alone runner: connections to Sextant's database.",
      },
      {
        name: 'CDC_KAFKA_TOPICS',
        default: '',
        description: 'Kafka runner: Debezium topics to read (names or /patterns/).',
      },
      {
        name: 'CDC_KAFKA_GROUP',
        default: '',
        description: 'Kafka runner: consumer group (default `sextant-cdc-<name>`).',
      },
      {
        name: 'CDC_KAFKA_FROM_BEGINNING',
        default: 'true',
        description: 'Kafka runner: a new group starts at the beginning of the topics.',
      },
    ],
  },
  {
    title: 'Platform',
    variables: [
      {
        name: 'LOG_LEVEL',
        default: 'info',
        description: '`debug`, `info`, `warn` or `error`.',
      },
      {
        name: 'SEXTANT_DEMO_DATA',
        default: 'true',
        description: 'Load the demo fleet on first start.',
      },
    ],
  },
  {
    title: 'Scripts and tests',
    variables: [
      {
        name: 'SEXTANT_API',
        default: 'http://localhost:3000/api',
        description: 'The import scripts (`scripts/import-*.mjs`): the API they call.',
      },
      {
        name: 'SEXTANT_TOKEN',
        default: '',
        description: 'The import scripts: the personal API token they send.',
      },
      {
        name: 'TEST_DATABASE_URL',
        default: '',
        description: 'Tests only: run the integration tier against this server.',
      },
      {
        name: 'MQTT_TEST_BROKER',
        default: '',
        description: 'Tests only: `aedes` runs the MQTT tests on aedes instead of Mosquitto.',
      },
    ],
  },
];

/** Every variable of every group, in order. */
export const configVariables: ConfigVariable[] = configGroups.flatMap((g) => g.variables);

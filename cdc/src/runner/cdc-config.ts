import { ConfigError } from '@sextant/config';
import { Env, integer, keys, postgresUrl, uuid } from './env-values';
import { cdcNamePattern } from '../appliers/identifiers';

/** What one pgoutput runner reads and where it applies, from the environment. */
export interface CdcRunnerConfig {
  /** CDC_SOURCE_URL: the source database (its user needs the REPLICATION attribute). */
  sourceUrl: string;
  /** DATABASE_URL: Sextant's database (mirror tables, movements, positions). */
  databaseUrl: string;
  /** CDC_SOURCE_NAME: mirror schema `lake_<name>`; default the source database's name. */
  source: string;
  /** CDC_SLOT: default `sextant_<source>`. */
  slot: string;
  /** CDC_PUBLICATION: default `sextant_<source>`. */
  publication: string;
  /** CDC_TABLES: `schema.table` (or `table` in public), comma-separated. */
  tables: string[];
  /** CDC_SOURCE_NODE_ID: the registered database's node (movements' source). */
  sourceNodeId: string;
  /** CDC_DESTINATION_NODE_ID: the lake's node (movements' destination). */
  destinationNodeId: string;
  /** CDC_PATH_ID: optional path of the movements. */
  pathId: string | null;
  /** CDC_KEYS: JSON `{"schema.table": ["column", ...]}` for tables without a primary key. */
  keys: Record<string, string[]>;
  /** CDC_MAX_BATCH_CHANGES: changes applied per applier transaction (default 1000). */
  maxBatchChanges: number;
  /** CDC_STATUS_INTERVAL_MS: interval of status updates to the source (default 10,000). */
  statusIntervalMs: number;
  /** CDC_POOL_SIZE: connections to Sextant's database (default 2). */
  poolSize: number;
}

const tablePattern = /^[^\s.,]+(\.[^\s.,]+)?$/;

function slotName(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!cdcNamePattern.test(value)) {
    throw new ConfigError(name, `"${value}" must match [a-z0-9_]{1,63}`);
  }
  return value;
}

function tables(env: Env): string[] {
  const list = (env.CDC_TABLES ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (list.length === 0) {
    throw new ConfigError('CDC_TABLES', 'missing (schema.table names, comma-separated)');
  }
  for (const table of list) {
    if (!tablePattern.test(table)) {
      throw new ConfigError('CDC_TABLES', `"${table}" is not a table or schema.table name`);
    }
  }
  return list;
}

/** Reads and validates the runner's configuration; a bad or missing variable is a ConfigError. */
export function loadCdcConfig(env: Env = process.env): CdcRunnerConfig {
  const sourceUrl = postgresUrl(env, 'CDC_SOURCE_URL');
  const databaseUrl = postgresUrl(env, 'DATABASE_URL');
  const database = decodeURIComponent(new URL(sourceUrl).pathname.slice(1));
  const source = env.CDC_SOURCE_NAME || database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!cdcNamePattern.test(source)) {
    throw new ConfigError(
      'CDC_SOURCE_NAME',
      source === ''
        ? 'missing (the source URL names no database)'
        : `"${source}" must match [a-z0-9_]{1,63}`,
    );
  }
  const fallbackName = `sextant_${source}`.slice(0, 63);
  const sourceNodeId = uuid(env, 'CDC_SOURCE_NODE_ID', true);
  const destinationNodeId = uuid(env, 'CDC_DESTINATION_NODE_ID', true);
  if (sourceNodeId === destinationNodeId) {
    throw new ConfigError('CDC_DESTINATION_NODE_ID', 'is the same node as CDC_SOURCE_NODE_ID');
  }
  return {
    sourceUrl,
    databaseUrl,
    source,
    slot: slotName(env, 'CDC_SLOT', fallbackName),
    publication: slotName(env, 'CDC_PUBLICATION', fallbackName),
    tables: tables(env),
    sourceNodeId,
    destinationNodeId,
    pathId: uuid(env, 'CDC_PATH_ID', false),
    keys: keys(env),
    maxBatchChanges: integer(env, 'CDC_MAX_BATCH_CHANGES', 1000, 1, 100_000),
    statusIntervalMs: integer(env, 'CDC_STATUS_INTERVAL_MS', 10_000, 100, 600_000),
    poolSize: integer(env, 'CDC_POOL_SIZE', 2, 1, 100),
  };
}

import { ConfigError, loadConfig, type SextantConfig } from '@sextant/config';
import { applierSettings, cdcName, required, type ApplierSettings } from './runner-config';

/** What one pgoutput runner reads and where it applies. */
export interface CdcRunnerConfig extends ApplierSettings {
  /** CDC_SOURCE_URL: the source database (its user needs the REPLICATION attribute). */
  sourceUrl: string;
  /** CDC_SOURCE_NAME: mirror schema `lake_<name>`; default the source database's name. */
  source: string;
  /** CDC_SLOT: default `sextant_<source>`. */
  slot: string;
  /** CDC_PUBLICATION: default `sextant_<source>`. */
  publication: string;
  /** CDC_TABLES: `schema.table` (or `table` in public), comma-separated. */
  tables: string[];
  /** CDC_MAX_BATCH_CHANGES: changes applied per applier transaction (default 1000). */
  maxBatchChanges: number;
  /** CDC_STATUS_INTERVAL_MS: interval of status updates to the source (default 10,000). */
  statusIntervalMs: number;
}

const tablePattern = /^[^\s.,]+(\.[^\s.,]+)?$/;

function tables(list: string[]): string[] {
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

/** The pgoutput runner's part of the configuration; a missing or bad setting is a ConfigError. */
export function cdcRunnerConfig(config: SextantConfig): CdcRunnerConfig {
  const runner = config.cdcRunner;
  const sourceUrl = required(runner.sourceUrl, 'CDC_SOURCE_URL', 'a postgres:// URL');
  const applier = applierSettings(config);
  const database = decodeURIComponent(new URL(sourceUrl).pathname.slice(1));
  const source = cdcName(
    'CDC_SOURCE_NAME',
    runner.sourceName ?? database.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
    'the source URL names no database',
  );
  const fallbackName = `sextant_${source}`.slice(0, 63);
  return {
    ...applier,
    sourceUrl,
    source,
    slot: cdcName('CDC_SLOT', runner.slot ?? fallbackName, 'a slot name'),
    publication: cdcName('CDC_PUBLICATION', runner.publication ?? fallbackName, 'a publication'),
    tables: tables(runner.tables),
    maxBatchChanges: runner.maxBatchChanges,
    statusIntervalMs: runner.statusIntervalMs,
  };
}

/** Reads the configuration (libs/config) and the pgoutput runner's part of it. */
export function loadCdcConfig(env: NodeJS.ProcessEnv = process.env): CdcRunnerConfig {
  return cdcRunnerConfig(loadConfig(env));
}

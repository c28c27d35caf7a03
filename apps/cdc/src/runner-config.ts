import { ConfigError, type SextantConfig } from '@sextant/config';
import { cdcNamePattern, isKeyColumnList, qualifiedTableName } from '@sextant/cdc';

// What both runners require of the configuration that libs/config read: each check names its
// variable.

/** Where a runner applies: Sextant's database and the nodes (and path) of its movements. */
export interface ApplierSettings {
  /** DATABASE_URL: Sextant's database (mirror tables, movements, positions). */
  databaseUrl: string;
  /** CDC_SOURCE_NODE_ID: the registered database's node (movements' source). */
  sourceNodeId: string;
  /** CDC_DESTINATION_NODE_ID: the lake's node (movements' destination). */
  destinationNodeId: string;
  /** CDC_PATH_ID: optional path of the movements. */
  pathId: string | null;
  /** CDC_KEYS: key columns of tables without a primary key, by `schema.table`. */
  keys: Record<string, string[]>;
  /** CDC_POOL_SIZE: connections to Sextant's database (default 2). */
  poolSize: number;
}

/** The value of a variable a runner cannot do without; a ConfigError when unset. */
export function required<T>(value: T | null, variable: string, what: string): T {
  if (value === null) throw new ConfigError(variable, `missing (${what})`);
  return value;
}

/** A source, slot or publication name (`[a-z0-9_]{1,63}`); `missing` says what an empty one lacks. */
export function cdcName(variable: string, value: string, missing: string): string {
  if (cdcNamePattern.test(value)) return value;
  throw new ConfigError(
    variable,
    value === '' ? `missing (${missing})` : `"${value}" must match [a-z0-9_]{1,63}`,
  );
}

function keys(raw: Record<string, unknown>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries(raw)) {
    if (!isKeyColumnList(columns)) {
      throw new ConfigError(
        'CDC_KEYS',
        `expected {"schema.table": ["column", ...]}; "${table}" has ${JSON.stringify(columns)}`,
      );
    }
    result[qualifiedTableName(table)] = columns;
  }
  return result;
}

/** The applier's part of a runner's configuration. */
export function applierSettings(config: SextantConfig): ApplierSettings {
  const runner = config.cdcRunner;
  const databaseUrl = required(config.databaseUrl, 'DATABASE_URL', 'a postgres:// URL');
  const sourceNodeId = required(runner.sourceNodeId, 'CDC_SOURCE_NODE_ID', 'a node id, a UUID');
  const destinationNodeId = required(
    runner.destinationNodeId,
    'CDC_DESTINATION_NODE_ID',
    'a node id, a UUID',
  );
  if (sourceNodeId === destinationNodeId) {
    throw new ConfigError('CDC_DESTINATION_NODE_ID', 'is the same node as CDC_SOURCE_NODE_ID');
  }
  return {
    databaseUrl,
    sourceNodeId,
    destinationNodeId,
    pathId: runner.pathId,
    keys: keys(runner.keys),
    poolSize: runner.poolSize,
  };
}

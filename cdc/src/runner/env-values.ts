import { ConfigError } from '@sextant/config';
import { isKeyColumnList, qualifiedTableName } from '../appliers/identifiers';

// Readers of environment variables shared by the CDC runners' configurations; each names the
// variable in its error.

export type Env = Record<string, string | undefined>;

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function postgresUrl(env: Env, name: string): string {
  const raw = env[name];
  if (!raw) throw new ConfigError(name, 'missing (a postgres:// URL)');
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, 'not a valid URL');
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) {
    throw new ConfigError(name, 'expected a postgres:// or postgresql:// URL');
  }
  return raw;
}

export function uuid(env: Env, name: string, required: true): string;
export function uuid(env: Env, name: string, required: false): string | null;
export function uuid(env: Env, name: string, required: boolean): string | null {
  const raw = env[name];
  if (!raw) {
    if (required) throw new ConfigError(name, 'missing (a node id, a UUID)');
    return null;
  }
  if (!uuidPattern.test(raw)) throw new ConfigError(name, `expected a UUID, got "${raw}"`);
  return raw.toLowerCase();
}

export function integer(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `expected a whole number ${min}-${max}, got "${raw}"`);
  }
  return value;
}

export function keys(env: Env): Record<string, string[]> {
  const raw = env.CDC_KEYS;
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('CDC_KEYS', 'not valid JSON');
  }
  const shape = 'expected {"schema.table": ["column", ...]}';
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('CDC_KEYS', shape);
  }
  const result: Record<string, string[]> = {};
  for (const [table, columns] of Object.entries(parsed)) {
    if (!isKeyColumnList(columns)) {
      throw new ConfigError('CDC_KEYS', `${shape}; "${table}" has ${JSON.stringify(columns)}`);
    }
    result[qualifiedTableName(table)] = columns;
  }
  return result;
}

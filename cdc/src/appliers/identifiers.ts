import { createHash } from 'node:crypto';
import { escapeIdentifier } from 'pg';

// Postgres silently truncates longer names (NAMEDATALEN - 1); shorten them ourselves, stably.
const maxIdentifierBytes = 63;

const hash = (text: string, length: number) =>
  createHash('sha256').update(text).digest('hex').slice(0, length);

/** `text` when it fits `maxBytes` of UTF-8, else a prefix of it and a hash of the whole. */
export function shorten(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const suffix = `_${hash(text, 8)}`;
  let prefix = text;
  while (Buffer.byteLength(prefix) + suffix.length > maxBytes) prefix = prefix.slice(0, -1);
  return `${prefix}${suffix}`;
}

/** A quoted SQL identifier for a name that came from outside (a source table or column). */
export function identifier(name: string): string {
  // NUL cannot be part of an identifier; nothing else needs more than quoting.
  return escapeIdentifier(shorten(name.replaceAll('\0', ''), maxIdentifierBytes));
}

/** Names of sources, slots and publications: what Postgres takes unquoted, at most 63 bytes. */
export const cdcNamePattern = /^[a-z0-9_]{1,63}$/;

/** `schema.table` of a source table named `table` or `schema.table` (`public` by default). */
export function qualifiedTableName(name: string): string {
  return name.includes('.') ? name : `public.${name}`;
}

/** Key columns as configured for a table without a primary key: names, at least one. */
export function isKeyColumnList(columns: unknown): columns is string[] {
  return (
    Array.isArray(columns) &&
    columns.length > 0 &&
    columns.every((c) => typeof c === 'string' && c !== '')
  );
}

/** The schema of a source's mirror tables: `lake_` and the source name in [a-z0-9_]. */
export function lakeSchemaName(source: string): string {
  const sanitised = source.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return shorten(`lake_${sanitised}`, maxIdentifierBytes);
}

/** The mirror table of a source table: `<schema>.<table>` as one name, lossless. */
export function lakeTableName(schema: string, table: string): string {
  return shorten(`${schema}.${table}`, maxIdentifierBytes);
}

/** Text of at most `maxChars` characters, shortened with a hash of the whole when longer. */
export function limitLength(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  return `${text.slice(0, maxChars - 17)}~${hash(text, 16)}`;
}

/** Kafka Connect's JSON converter schema (`schemas.enable=true`), as far as CDC needs it. */
export type ConnectType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float'
  | 'double'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct';

export const connectTypes: readonly ConnectType[] = [
  'int8',
  'int16',
  'int32',
  'int64',
  'float',
  'double',
  'boolean',
  'string',
  'bytes',
  'array',
  'map',
  'struct',
];

export interface ConnectSchema {
  type: ConnectType;
  optional?: boolean;
  /** The field's name when the schema describes a field of a struct. */
  field?: string;
  /** Logical type, e.g. `io.debezium.time.Timestamp`. */
  name?: string;
  version?: number;
  parameters?: Record<string, string>;
  default?: unknown;
  fields?: ConnectSchema[];
  items?: ConnectSchema;
  keys?: ConnectSchema;
  values?: ConnectSchema;
}

/** Connect schema of one JSON value; nulls become optional strings (the type is unknown). */
export function schemaOfValue(value: unknown, field?: string): ConnectSchema {
  const named = (schema: ConnectSchema): ConnectSchema =>
    field === undefined ? schema : { ...schema, field };
  if (value === null || value === undefined) return named({ type: 'string', optional: true });
  if (typeof value === 'boolean') return named({ type: 'boolean', optional: true });
  if (typeof value === 'bigint') return named({ type: 'int64', optional: true });
  if (typeof value === 'number') {
    return named({ type: Number.isInteger(value) ? 'int64' : 'double', optional: true });
  }
  if (typeof value === 'string') return named({ type: 'string', optional: true });
  if (Array.isArray(value)) {
    const first = value.find((v) => v !== null && v !== undefined);
    return named({ type: 'array', optional: true, items: schemaOfValue(first) });
  }
  if (typeof value === 'object') {
    return named({ type: 'struct', optional: true, fields: structFields([value as Row]) });
  }
  return named({ type: 'string', optional: true });
}

type Row = Record<string, unknown>;

/** Struct fields covering the columns of all rows; a non-null value decides a column's type. */
export function structFields(rows: readonly (Row | null)[]): ConnectSchema[] {
  const fields = new Map<string, ConnectSchema>();
  const onlyNulls = new Set<string>();
  for (const row of rows) {
    if (!row) continue;
    for (const [name, value] of Object.entries(row)) {
      const isNull = value === null || value === undefined;
      if (!fields.has(name) || (onlyNulls.has(name) && !isNull)) {
        fields.set(name, schemaOfValue(value, name));
        if (isNull) onlyNulls.add(name);
        else onlyNulls.delete(name);
      }
    }
  }
  return [...fields.values()];
}

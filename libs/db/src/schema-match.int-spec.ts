import { readFileSync } from 'node:fs';
import path from 'node:path';
import { get_dmmf } from '@prisma/prisma-schema-wasm';
import { createTestDatabase, expectWithMessage, TestDatabase } from '@sextant/testing';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';

// Migrations are hand-written SQL (docs/development.md, "Migrations"); this test is what keeps them equal
// to prisma/schema.prisma, the model the Prisma client is generated from.

interface DmmfField {
  name: string;
  dbName: string | null;
  kind: 'scalar' | 'enum' | 'object';
  isRequired: boolean;
  isList: boolean;
  hasDefaultValue: boolean;
  default?: unknown;
  type: string;
  nativeType: [string, string[]] | null;
  relationFromFields?: string[];
  relationToFields?: string[];
  relationOnDelete?: string;
}
interface DmmfModel {
  name: string;
  dbName: string | null;
  fields: DmmfField[];
}
interface DmmfIndex {
  model: string;
  type: 'id' | 'unique' | 'normal' | 'fulltext';
  fields: { name: string }[];
}
interface Dmmf {
  datamodel: {
    models: DmmfModel[];
    enums: { name: string; values: { name: string }[] }[];
    indexes: DmmfIndex[];
  };
}

const schemaPath = path.resolve(__dirname, '../../../prisma/schema.prisma');
const dmmf = JSON.parse(
  get_dmmf(JSON.stringify({ prismaSchema: [['schema.prisma', readFileSync(schemaPath, 'utf8')]] })),
) as Dmmf;
const models = dmmf.datamodel.models;
const table = (m: DmmfModel) => m.dbName ?? m.name;
const column = (f: DmmfField) => f.dbName ?? f.name;
const columnOf = (model: DmmfModel, fieldName: string) =>
  column(model.fields.find((f) => f.name === fieldName)!);

/** The Postgres type a Prisma field maps to, as information_schema spells it. */
function expectedType(field: DmmfField): {
  dataType: string;
  length?: number;
  precision?: number;
  scale?: number;
  udt?: string;
} {
  if (field.kind === 'enum') {
    return field.isList
      ? { dataType: 'ARRAY', udt: `_${field.type}` }
      : { dataType: 'USER-DEFINED', udt: field.type };
  }
  if (field.isList) {
    const element = expectedType({ ...field, isList: false });
    const udt: Record<string, string> = {
      text: '_text',
      integer: '_int4',
      bigint: '_int8',
      uuid: '_uuid',
    };
    return { dataType: 'ARRAY', udt: udt[element.dataType] ?? `_${element.dataType}` };
  }
  const [native, args] = field.nativeType ?? [null, []];
  switch (native) {
    case 'Uuid':
      return { dataType: 'uuid' };
    case 'VarChar':
      return { dataType: 'character varying', length: Number(args[0]) };
    case 'Timestamptz':
      return { dataType: 'timestamp with time zone', precision: Number(args[0] ?? 6) };
    case 'Decimal':
      return { dataType: 'numeric', precision: Number(args[0]), scale: Number(args[1]) };
    default:
      break;
  }
  const plain: Record<string, { dataType: string; precision?: number }> = {
    String: { dataType: 'text' },
    Int: { dataType: 'integer' },
    BigInt: { dataType: 'bigint' },
    Boolean: { dataType: 'boolean' },
    Float: { dataType: 'double precision' },
    Json: { dataType: 'jsonb' },
    Bytes: { dataType: 'bytea' },
    DateTime: { dataType: 'timestamp without time zone', precision: 3 },
    Decimal: { dataType: 'numeric' },
  };
  return plain[field.type];
}

// Prisma generates these defaults in the client, not in the database.
const clientDefaults = new Set(['uuid', 'cuid', 'nanoid', 'ulid']);

describe('migrated database matches prisma/schema.prisma', () => {
  let db: TestDatabase;
  let client: Client;

  beforeAll(async () => {
    db = await createTestDatabase('schema_match');
    client = new Client({ connectionString: db.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await db?.drop();
  });

  it('has exactly the tables of the models, besides the migration history', async () => {
    const { rows } = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    expect(rows.map((r) => r.table_name).sort()).toEqual(
      [...models.map(table), '_prisma_migrations'].sort(),
    );
  });

  it.each(models.map((m) => [m.name, m] as const))(
    '%s: columns, types, nullability and defaults',
    async (_name, model) => {
      const { rows } = await client.query<{
        column_name: string;
        data_type: string;
        udt_name: string;
        is_nullable: 'YES' | 'NO';
        column_default: string | null;
        character_maximum_length: number | null;
        numeric_precision: number | null;
        numeric_scale: number | null;
        datetime_precision: number | null;
      }>(
        `SELECT * FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1`,
        [table(model)],
      );
      const columns = new Map(rows.map((r) => [r.column_name, r]));
      const scalars = model.fields.filter((f) => f.kind !== 'object');
      expect([...columns.keys()].sort()).toEqual(scalars.map(column).sort());
      for (const field of scalars) {
        const actual = columns.get(column(field))!;
        const expected = expectedType(field);
        const where = `${model.name}.${field.name}`;
        expectWithMessage(actual.data_type, where).toBe(expected.dataType);
        if (expected.udt) expectWithMessage(actual.udt_name, where).toBe(expected.udt);
        if (expected.length !== undefined)
          expectWithMessage(actual.character_maximum_length, where).toBe(expected.length);
        if (expected.dataType === 'numeric' && expected.precision !== undefined) {
          expectWithMessage([actual.numeric_precision, actual.numeric_scale], where).toEqual([
            expected.precision,
            expected.scale,
          ]);
        }
        if (expected.dataType.startsWith('timestamp'))
          expectWithMessage(actual.datetime_precision, where).toBe(expected.precision);
        expectWithMessage(actual.is_nullable === 'NO', `${where} required`).toBe(field.isRequired);
        const defaultName = (field.default as { name?: string } | undefined)?.name;
        const dbDefault =
          field.hasDefaultValue && !(defaultName && clientDefaults.has(defaultName));
        expectWithMessage(actual.column_default !== null, `${where} database default`).toBe(
          dbDefault,
        );
      }
    },
  );

  it('has the enums of the schema with the same values in order', async () => {
    for (const enumType of dmmf.datamodel.enums) {
      const { rows } = await client.query<{ label: string }>(
        `SELECT e.enumlabel AS label FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid WHERE t.typname = $1 ORDER BY e.enumsortorder`,
        [enumType.name],
      );
      expectWithMessage(
        rows.map((r) => r.label),
        enumType.name,
      ).toEqual(enumType.values.map((v) => v.name));
    }
  });

  it('has an index for every @id, @unique, @@unique and @@index, with the same columns in order', async () => {
    const { rows } = await client.query<{ table: string; unique: boolean; columns: string[] }>(
      `SELECT t.relname AS table, i.indisunique AS unique,
              array(SELECT a.attname FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
         FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = 'public'`,
    );
    const actual = new Set(
      rows.map((r) => `${r.table}(${r.columns.join(',')})${r.unique ? ' unique' : ''}`),
    );
    const expected = dmmf.datamodel.indexes
      .filter((i) => i.type !== 'fulltext')
      .map((i) => {
        const model = models.find((m) => m.name === i.model)!;
        return `${table(model)}(${i.fields.map((f) => columnOf(model, f.name)).join(',')})${i.type === 'normal' ? '' : ' unique'}`;
      });
    for (const index of expected) expectWithMessage(actual, index).toContain(index);
    // _prisma_migrations' primary key is the only index the schema does not declare.
    expect(actual.size).toBe(expected.length + 1);
  });

  it('has a foreign key for every relation, with its delete rule', async () => {
    const { rows } = await client.query<{
      table: string;
      columns: string[];
      target: string;
      on_delete: string;
    }>(
      `SELECT c.conrelid::regclass::text AS table, c.confrelid::regclass::text AS target, c.confdeltype AS on_delete,
              array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                    JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
         FROM pg_constraint c WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace`,
    );
    const deleteRule: Record<string, string> = {
      Restrict: 'r',
      Cascade: 'c',
      SetNull: 'n',
      NoAction: 'a',
      SetDefault: 'd',
    };
    const actual = new Set(
      rows.map(
        (r) =>
          `${r.table}(${r.columns.join(',')}) -> ${r.target.replaceAll('"', '')} ${r.on_delete}`,
      ),
    );
    const expected: string[] = [];
    for (const model of models) {
      for (const field of model.fields.filter(
        (f) => f.kind === 'object' && f.relationFromFields?.length,
      )) {
        const target = models.find((m) => m.name === field.type)!;
        const rule =
          deleteRule[field.relationOnDelete ?? (field.isRequired ? 'Restrict' : 'SetNull')];
        expected.push(
          `${table(model)}(${field.relationFromFields!.map((f) => columnOf(model, f)).join(',')}) -> ${table(target)} ${rule}`,
        );
      }
    }
    expect([...actual].sort()).toEqual(expected.sort());
  });
});

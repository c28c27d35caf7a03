import { assertNever } from '@sextant/domain';
import type { PoolClient } from 'pg';
import { ConnectSchema } from '../envelope';
import { lakeSchemaName, lakeTableName } from './identifiers';
import { MirrorChange, typeOfConnectField, widenType } from './mirror-applier';
import { MirrorColumnType, MirrorRepository } from './mirror.repository';

/** A source table as the source describes it now (a pgoutput Relation message, or a snapshot's columns). */
export interface SourceRelation {
  schema: string;
  table: string;
  /** Columns in the source's order. */
  columns: readonly ConnectSchema[];
  /** The primary key, when the source tells it (replica identity default); else null. */
  primaryKey: readonly string[] | null;
}

/** A change that may carry its source table's description (pgoutput changes do). */
export type RelationChange = MirrorChange & { relation?: SourceRelation };

export type SchemaStep =
  | { kind: 'rename'; from: string; to: string }
  | { kind: 'drop'; column: string }
  | { kind: 'add'; column: string; type: MirrorColumnType }
  | { kind: 'type'; column: string; type: MirrorColumnType }
  | { kind: 'key'; columns: string[] };

export interface SchemaPlan {
  steps: SchemaStep[];
  /** Why the steps are a guess (renames or drop + add, a new primary key); null when they are not. */
  ambiguous: string | null;
}

/** A schema change of the source that the mirror cannot follow without being told how. */
export class CdcSchemaChangeError extends Error {
  override readonly name = 'CdcSchemaChangeError';

  constructor(
    /** `schema.table` on the source. */
    readonly table: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface SchemaChangeHooks {
  /** Asked when a change is ambiguous: true follows it as planned (drop + add, the new key). */
  accept?: (table: string) => boolean;
  /** Told after the mirror followed a change (inside the applier's transaction). */
  followed?: (table: string, steps: readonly SchemaStep[]) => void;
}

const fits = (existing: MirrorColumnType, type: MirrorColumnType) =>
  widenType(existing, type) === existing;
// The same type for a rename; text holds anything, so only a text column matches text.
const sameType = (existing: MirrorColumnType, type: MirrorColumnType) =>
  existing === type || (existing !== 'text' && fits(existing, type));

/** For each column, the nearest column before it that both sides have ('' at the start). */
function placesOf(names: readonly string[], kept: ReadonlySet<string>): Map<string, string> {
  const places = new Map<string, string>();
  let last = '';
  for (const name of names) {
    if (kept.has(name)) last = name;
    else places.set(name, last);
  }
  return places;
}

const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');

/**
 * What the mirror table (its columns in order and primary key) must do to match the source's
 * relation. A renamed column keeps its place and type: one column gone and one new in the same
 * place with a fitting type is a rename. Several gone and new in the same place cannot be told
 * from drop + add, and a changed primary key cannot be followed silently: those plans are
 * `ambiguous` (the steps then drop, add and take the new key). Types only widen.
 */
export function planSchemaChange(
  mirror: { columns: ReadonlyMap<string, MirrorColumnType>; primaryKey: readonly string[] },
  relation: SourceRelation,
  keyConfigured: boolean,
): SchemaPlan {
  const name = `${relation.schema}.${relation.table}`;
  const wanted = relation.columns.map((c) => ({
    name: c.field ?? '',
    type: typeOfConnectField(c),
  }));
  const wantedNames = new Set(wanted.map((c) => c.name));
  const mirrorNames = [...mirror.columns.keys()];
  const kept = new Set(mirrorNames.filter((n) => wantedNames.has(n)));
  const gone = mirrorNames.filter((n) => !kept.has(n));
  const added = wanted.filter((c) => !mirror.columns.has(c.name));
  const gonePlace = placesOf(mirrorNames, kept);
  const addedPlace = placesOf(
    wanted.map((c) => c.name),
    kept,
  );
  const reasons: string[] = [];
  const renames = new Map<string, string>();
  const candidates = (from: string) =>
    added.filter(
      (a) =>
        addedPlace.get(a.name) === gonePlace.get(from) &&
        sameType(mirror.columns.get(from)!, a.type),
    );
  if (gone.length === 1 && added.length === 1) {
    if (candidates(gone[0]).length === 1) renames.set(gone[0], added[0].name);
  } else if (gone.length > 0 && added.length > 0 && gone.some((g) => candidates(g).length > 0)) {
    reasons.push(
      `columns ${gone.join(', ')} replaced by ${added.map((a) => a.name).join(', ')}; cannot tell renames from drop+add`,
    );
  }

  const steps: SchemaStep[] = [];
  for (const [from, to] of renames) steps.push({ kind: 'rename', from, to });
  for (const column of gone) if (!renames.has(column)) steps.push({ kind: 'drop', column });
  const renamedTo = new Set(renames.values());
  for (const column of added) {
    if (!renamedTo.has(column.name)) {
      steps.push({ kind: 'add', column: column.name, type: column.type });
    }
  }
  const oldName = new Map([...renames].map(([from, to]) => [to, from]));
  for (const column of wanted) {
    const existing = mirror.columns.get(oldName.get(column.name) ?? column.name);
    if (existing && !fits(existing, column.type)) {
      steps.push({ kind: 'type', column: column.name, type: widenType(existing, column.type) });
    }
  }
  if (relation.primaryKey && relation.primaryKey.length > 0 && !keyConfigured) {
    const mirrorKey = mirror.primaryKey.map((c) => renames.get(c) ?? c);
    if (!sameSet(mirrorKey, relation.primaryKey)) {
      steps.push({ kind: 'key', columns: [...relation.primaryKey] });
      reasons.push(
        `primary key changed from (${mirror.primaryKey.join(', ')}) to (${relation.primaryKey.join(', ')})`,
      );
    }
  }
  return {
    steps,
    ambiguous:
      reasons.length === 0
        ? null
        : `table ${name}: ${reasons.join('; ')} — resnapshot or resume to treat as drop+add${steps.some((s) => s.kind === 'key') ? ' and take the new primary key' : ''}`,
  };
}

/**
 * Lets the mirror tables follow the source's schema: before the first change that carries a new
 * description of its table, the mirror table is compared with it and altered (add, drop, rename,
 * widen a column; replace the primary key) in the applier's transaction. An ambiguous change
 * throws CdcSchemaChangeError unless `hooks.accept` takes it.
 */
export class MirrorSchema {
  readonly schema: string;
  // The relation each mirror table was last compared with; a relation object is compared once.
  private readonly followed = new Map<string, SourceRelation>();

  constructor(
    private readonly options: {
      source: string;
      keys?: Readonly<Record<string, readonly string[]>>;
      schemaChanges?: SchemaChangeHooks;
    },
  ) {
    this.schema = lakeSchemaName(options.source);
  }

  /**
   * Applies the changes with `applyPart`, cut where a table's description changes, and follows
   * the new description before the changes after it. Returns the rows of every change, in order.
   */
  async apply(
    client: PoolClient,
    changes: readonly RelationChange[],
    applyPart: (part: RelationChange[]) => Promise<number[]>,
  ): Promise<number[]> {
    const rows: number[] = [];
    let part: RelationChange[] = [];
    const partTables = new Set<string>();
    const touched: string[] = [];
    const names = new Map<SourceRelation, string>();
    try {
      for (const change of changes) {
        const relation = change.relation;
        let table = relation ? (names.get(relation) ?? null) : null;
        if (relation && table === null) {
          table = lakeTableName(relation.schema, relation.table);
          names.set(relation, table);
        }
        if (relation && table && this.followed.get(table) !== relation) {
          // Only this table's earlier changes must be in before its columns change.
          if (partTables.has(table)) {
            rows.push(...(await applyPart(part)));
            part = [];
            partTables.clear();
          }
          touched.push(table);
          this.followed.set(table, relation);
          await this.follow(client, relation);
        }
        if (table) partTables.add(table);
        part.push(change);
      }
      if (part.length > 0) rows.push(...(await applyPart(part)));
    } catch (error) {
      // Rolled back with the transaction: compare again next time.
      for (const table of touched) this.followed.delete(table);
      throw error;
    }
    return rows;
  }

  /** Alters the mirror table to match the relation; `accept` forces an ambiguous plan. */
  async follow(
    client: PoolClient,
    relation: SourceRelation,
    accept = false,
  ): Promise<SchemaStep[]> {
    const name = `${relation.schema}.${relation.table}`;
    const repository = new MirrorRepository(client);
    const mirror = await repository.describe(
      this.schema,
      lakeTableName(relation.schema, relation.table),
    );
    // Not created yet: the rows that follow create it.
    if (mirror.columns.size === 0 || relation.columns.length === 0) return [];
    const plan = planSchemaChange(
      mirror,
      relation,
      !accept && this.options.keys?.[name] !== undefined,
    );
    if (plan.ambiguous && !accept && !this.options.schemaChanges?.accept?.(name)) {
      throw new CdcSchemaChangeError(name, plan.ambiguous);
    }
    for (const step of plan.steps) {
      switch (step.kind) {
        case 'rename':
          await repository.renameColumn(mirror, step.from, step.to);
          break;
        case 'drop':
          await repository.dropColumn(mirror, step.column);
          break;
        case 'add':
          await repository.addColumn(mirror, step.column, step.type);
          break;
        case 'type':
          await repository.changeColumnType(mirror, step.column, step.type);
          break;
        case 'key':
          await repository.replacePrimaryKey(mirror, step.columns);
          break;
        default:
          assertNever(step);
      }
    }
    if (plan.steps.length > 0) this.options.schemaChanges?.followed?.(name, plan.steps);
    return plan.steps;
  }

  /** Forgets what a table was compared with (after it was replaced). */
  forget(schema: string, table: string): void {
    this.followed.delete(lakeTableName(schema, table));
  }
}

/** A step as a short phrase for logs: `renamed a to b`, `added c (text)`. */
export function describeStep(step: SchemaStep): string {
  switch (step.kind) {
    case 'rename':
      return `renamed ${step.from} to ${step.to}`;
    case 'drop':
      return `dropped ${step.column}`;
    case 'add':
      return `added ${step.column} (${step.type})`;
    case 'type':
      return `changed ${step.column} to ${step.type}`;
    case 'key':
      return `primary key (${step.columns.join(', ')})`;
    default:
      return assertNever(step);
  }
}

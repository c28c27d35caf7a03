import { ChangeRow } from '../envelope/debezium-codec';
import { lakeTableName } from './identifiers';
import type { MirrorChange } from './mirror-change';

/** Part of a batch for the mirror: one table's upserts and deletes, or a truncate. */
export type MirrorStep =
  | { kind: 'rows'; table: string; changes: MirrorChange[] }
  | { kind: 'truncate'; table: string; index: number };

/**
 * Cuts a batch (in order) into steps: each table's upserts and deletes are gathered up to its
 * next truncate, the only barrier. Mirror tables do not depend on each other, so a table's
 * changes may move past another table's.
 */
export function mirrorSteps(changes: readonly MirrorChange[]): MirrorStep[] {
  const steps: MirrorStep[] = [];
  const open = new Map<string, { kind: 'rows'; table: string; changes: MirrorChange[] }>();
  // Runs of one table are the rule: its name is worked out again only when the table changes.
  let last = { schema: '', table: '', name: '' };
  changes.forEach((change, index) => {
    const { op, source } = change.envelope;
    if (source.schema !== last.schema || source.table !== last.table) {
      last = {
        schema: source.schema,
        table: source.table,
        name: lakeTableName(source.schema, source.table),
      };
    }
    const table = last.name;
    const rows = open.get(table);
    if (op === 't') {
      if (rows) steps.push(rows);
      open.delete(table);
      steps.push({ kind: 'truncate', table, index });
    } else if (rows) {
      rows.changes.push(change);
    } else {
      open.set(table, { kind: 'rows', table, changes: [change] });
    }
  });
  steps.push(...open.values());
  return steps;
}

/** What one table's upserts and deletes come to: delete these keys first, then upsert these rows. */
export interface FoldedRows {
  /** One delete per key deleted anywhere in the changes (its last). */
  deletes: MirrorChange[];
  /** The last image of each key not deleted after it, grouped by column set (one statement each). */
  upserts: ChangeRow[][];
}

/**
 * Folds one table's upserts and deletes (in order, no truncate among them) to the last image per
 * key. Deleting every key deleted at some point and then upserting each key's image since its
 * last delete leaves the same rows as applying the changes one by one: an upsert then a delete
 * is a delete, a delete then an insert replaces the row. Images of a key merge, so a column an
 * update left out (unchanged TOAST) keeps what an earlier change of the batch set.
 */
export function foldRows(
  changes: readonly MirrorChange[],
  keyOf: (row: ChangeRow, change: MirrorChange) => string,
): FoldedRows {
  const deletes = new Map<string, MirrorChange>();
  const images = new Map<string, ChangeRow>();
  for (const change of changes) {
    const { op, before, after } = change.envelope;
    if (op === 'd') {
      const key = keyOf(before ?? change.key ?? {}, change);
      deletes.set(key, change);
      images.delete(key);
    } else {
      const row = after!;
      const key = keyOf(row, change);
      const earlier = images.get(key);
      images.set(key, earlier ? { ...earlier, ...row } : row);
    }
  }
  const groups: { columns: string[]; rows: ChangeRow[] }[] = [];
  for (const row of images.values()) {
    const group = groups.find((g) => sameColumns(row, g.columns));
    if (group) group.rows.push(row);
    else groups.push({ columns: Object.keys(row), rows: [row] });
  }
  return { deletes: [...deletes.values()], upserts: groups.map((g) => g.rows) };
}

/** True when the row's columns are `columns`, in that order (a cheap check done per row). */
function sameColumns(row: ChangeRow, columns: readonly string[]): boolean {
  let i = 0;
  for (const column in row) {
    if (columns[i] !== column) return false;
    i += 1;
  }
  return i === columns.length;
}

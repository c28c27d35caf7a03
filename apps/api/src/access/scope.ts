/**
 * What a list may show: everything (platform administrators), or the subtrees of some nodes
 * (the nodes where the caller holds a role allowing the list's action).
 */
export type Scope = { all: true } | { all: false; roots: string[] };

/**
 * SQL for "node column `column` lies in the scope", with the roots as parameter `$n`. The
 * subtree is computed in the query itself, so a list is always as fresh as the tree.
 */
export function scopeSql(column: string, param: number): string {
  return `${column} IN (WITH RECURSIVE down AS (
      SELECT id FROM node WHERE id = ANY($${param}::uuid[])
      UNION SELECT n.id FROM node n JOIN down d ON n.parent_id = d.id
    ) SELECT id FROM down)`;
}

/** A `scope` CTE of the subtrees of the roots given as parameter `$n` (one id per row). */
export function scopeCte(param: number): string {
  return `WITH RECURSIVE scope AS (
      SELECT id FROM node WHERE id = ANY($${param}::uuid[])
      UNION SELECT n.id FROM node n JOIN scope s ON n.parent_id = s.id
    )`;
}

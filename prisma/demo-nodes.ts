/**
 * SQL naming the demo fleet's node whose reference is `$n`: references are unique within an
 * organisation only, so the node is looked up in the demo organisation its reference starts
 * with (`acme.north` in `acme`), never in an organisation that chose the same name.
 */
export function demoNodeWhere(n: number, alias = 'n'): string {
  return `${alias}.reference = $${n} AND (SELECT r.reference FROM node r WHERE r.id = node_root(${alias}.id)) = split_part($${n}, '.', 1)`;
}

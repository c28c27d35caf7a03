import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';

/** Default page of a field with a `limit` argument, as the lists use. */
const defaultLimit = 50;
/** The largest page: a bigger limit is refused by validation, naming the argument. */
const maxLimit = 500;
/** What a list without a limit (children, ancestors…) is assumed to hold. */
const listFactor = 20;

// Structural checks rather than graphql's instanceof ones: under the test runner the schema
// and this file may load two copies of graphql (CommonJS and ES module).
function unwrap(type: GraphQLOutputType): { named: GraphQLNamedType; list: boolean } {
  const list = String(type).replace(/!$/, '').startsWith('[');
  let current: unknown = type;
  while (current && typeof current === 'object' && 'ofType' in current)
    current = (current as { ofType: unknown }).ofType;
  return { named: current as GraphQLNamedType, list };
}

function fieldsOf(type: GraphQLNamedType): Record<string, GraphQLField<unknown, unknown>> | null {
  const candidate = type as { getFields?: () => Record<string, GraphQLField<unknown, unknown>> };
  return 'getFields' in type && typeof candidate.getFields === 'function' && !('getValues' in type)
    ? candidate.getFields()
    : null;
}

interface Measure {
  depth: number;
  cost: number;
}

function intValue(node: ValueNode | undefined, variables: Record<string, unknown>): number | null {
  if (!node) return null;
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.VARIABLE) {
    const value = variables[node.name.value];
    return typeof value === 'number' ? value : null;
  }
  return null;
}

/**
 * Depth and estimated cost of an operation: each field costs 1 for each time it may be
 * resolved; a field with a `limit` argument multiplies what is under it by the limit (default
 * 50), the list directly under it (items) by 1, any other list by 20. Introspection is free.
 */
export function measure(
  selectionSet: SelectionSetNode,
  type: GraphQLNamedType,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown> = {},
): Measure {
  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    multiplier: number,
    limited: boolean,
    level: number,
  ): Measure => {
    let depth = 0;
    let cost = 0;
    if (level > 50) return { depth: level, cost: Infinity };
    for (const selection of set.selections) {
      let inner: Measure = { depth: 0, cost: 0 };
      if (selection.kind === Kind.FIELD) {
        inner = field(selection, parent, multiplier, limited, level);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        inner = walk(selection.selectionSet, parent, multiplier, limited, level);
      } else {
        const fragment = fragments[selection.name.value];
        if (fragment) inner = walk(fragment.selectionSet, parent, multiplier, limited, level);
      }
      depth = Math.max(depth, inner.depth);
      cost += inner.cost;
    }
    return { depth, cost };
  };
  const field = (
    node: FieldNode,
    parent: GraphQLNamedType,
    multiplier: number,
    limited: boolean,
    level: number,
  ): Measure => {
    if (node.name.value.startsWith('__')) return { depth: 0, cost: 0 };
    const definition = fieldsOf(parent)?.[node.name.value];
    let factor = 1;
    let limits = false;
    if (definition?.args.some((a) => a.name === 'limit')) {
      const given = intValue(
        node.arguments?.find((a) => a.name.value === 'limit')?.value,
        variables,
      );
      factor = Math.min(given ?? defaultLimit, maxLimit);
      limits = true;
    } else if (definition && unwrap(definition.type).list) {
      factor = limited ? 1 : listFactor;
    }
    const own = { depth: 1, cost: multiplier };
    if (!node.selectionSet || !definition) return own;
    const inner = walk(
      node.selectionSet,
      unwrap(definition.type).named,
      multiplier * factor,
      limits,
      level + 1,
    );
    return { depth: 1 + inner.depth, cost: own.cost + inner.cost };
  };
  return walk(selectionSet, type, 1, false, 0);
}

/** Validation rules refusing operations deeper or costlier than the configured limits. */
export function graphqlLimits(limits: { maxDepth: number; maxCost: number }) {
  const rule = (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of document.definitions)
        if (definition.kind === Kind.FRAGMENT_DEFINITION)
          fragments[definition.name.value] = definition;
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const schema = context.getSchema();
        const root =
          definition.operation === 'query'
            ? schema.getQueryType()
            : definition.operation === 'mutation'
              ? schema.getMutationType()
              : schema.getSubscriptionType();
        if (!root) continue;
        const { depth, cost } = measure(definition.selectionSet, root, fragments);
        if (depth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(
              `query depth ${depth} is over the limit of ${limits.maxDepth} (GRAPHQL_MAX_DEPTH)`,
              { nodes: [definition], extensions: { code: 'QueryTooDeep', status: 400 } },
            ),
          );
        } else if (cost > limits.maxCost) {
          context.reportError(
            new GraphQLError(
              `query cost ${Number.isFinite(cost) ? cost : 'unbounded'} is over the limit of ${limits.maxCost} (GRAPHQL_MAX_COST): ask for smaller pages or fewer nested lists`,
              { nodes: [definition], extensions: { code: 'QueryTooCostly', status: 400 } },
            ),
          );
        }
      }
    },
  });
  return [rule];
}

import { billingLimits } from '@sextant/billing';
import { maxLineageRows } from '@sextant/jobs';
import { limits as seriesLimits, parseDuration, parseTime } from '@sextant/timeseries';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValueNode,
} from 'graphql';
import { maxApiTokens, maxMemberships } from '../auth/auth.repository';
import { maxCdcSources } from '../cdc/cdc-sources.repository';
import { defaultLogLines, maxLogLines } from '../jobs/dto/job.inputs';
import { jobCatalogue } from '../jobs/jobs-platform';
import { maxRunTasks, maxSchedules, maxWorkers } from '../jobs/jobs.repository';
import { maxEstimates, maxMachines } from '../maintenance/maintenance.service';
import { maxInvitations, maxMembers } from '../members/members.repository';
import { maxSummaryRows } from '../movements/movements.service';
import { maxAncestors, maxSubtreeSize } from '../nodes/nodes.service';
import { maxStatusIds } from '../paths/ingest-status/ingest-status.service';
import { maxPathTokens } from '../paths/tokens/path-tokens.repository';
import { defaultChartPoints, defaultRawPoints, seriesPage } from '../series/dto/series.inputs';
import { maxLastSeries } from '../series/series.service';
import { defaultPageSize, maxPageSize } from './list.args';

/** Reads an argument of a field, its variables resolved; undefined when absent. */
export type Arguments = (name: string) => unknown;

/** The most rows a list field returns, and what makes that fewer. */
export interface ListPrice {
  /** The real maximum, enforced where the list is read. */
  max: number;
  /** Fewer, from the arguments of the list's own field, or of the field named in `pageOf`. */
  rows?: (args: Arguments) => number;
  /** Fields returning the page (connection, chart...) this list belongs to; they size it. */
  pageOf?: readonly string[];
}

/** What an argument asks for: the default when absent, the maximum when not a number. */
function asked(value: unknown, byDefault: number, max: number): number {
  if (value === undefined || value === null) return byDefault;
  // Anything else is refused by validation before a resolver runs: price it at the maximum.
  return typeof value === 'number' && Number.isFinite(value) ? value : max;
}

const byArgument = (argument: string, byDefault: number, max: number): ListPrice => ({
  max,
  rows: (args) => asked(args(argument), byDefault, max),
});

/** The items of a page returned by `fields`, as many as their `limit` asks for. */
const page = (fields: string[], byDefault = defaultPageSize, max = maxPageSize): ListPrice => ({
  ...byArgument('limit', byDefault, max),
  pageOf: fields,
});

function input(args: Arguments): Record<string, unknown> {
  const value = args('input');
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

// One group per distinct value of the groupBy tags: at most one per series; one without groupBy.
function aggregateGroups(args: Arguments): number {
  const { groupBy } = input(args);
  const grouped = Array.isArray(groupBy) ? groupBy.length > 0 : groupBy != null;
  return grouped ? seriesLimits.series : 1;
}

// One bucket per `every` in [from, to), as TimeSeriesQueries.aggregate counts them.
function aggregateBuckets(args: Arguments): number {
  const { from, to, every } = input(args);
  const start = typeof from === 'string' ? parseTime(from) : null;
  const end = typeof to === 'string' ? parseTime(to) : null;
  const width = typeof every === 'string' ? parseDuration(every) : null;
  // The same checks as the input's validation: such a query is refused before it reads.
  if (start === null || end === null || width === null || width <= 0n || end <= start) return 1;
  const buckets = (end - start + width - 1n) / width;
  return buckets > BigInt(seriesLimits.buckets) ? seriesLimits.buckets : Number(buckets);
}

/**
 * The price of every list field of the schema that returns objects: the most rows it can
 * return, named where that maximum is enforced. A unit test fails when a list has none.
 */
export const listPrices: Record<string, ListPrice> = {
  // libs/timeseries queries.ts: aggregates refuse more than limits.series series or
  // limits.buckets buckets.
  'AggregateResult.groups': {
    max: seriesLimits.series,
    rows: aggregateGroups,
    pageOf: ['Query.seriesAggregate'],
  },
  'AggregateGroup.buckets': {
    max: seriesLimits.buckets,
    rows: aggregateBuckets,
    pageOf: ['Query.seriesAggregate'],
  },
  // @sextant/jobs runLineage: each list is cut at maxLineageRows and JobLineage.truncated says so.
  'JobLineage.inputs': { max: maxLineageRows },
  'JobLineage.movements': { max: maxLineageRows },
  'JobLineage.outputs': { max: maxLineageRows },
  // jobs.repository.ts tasksOf; taskCounts.total tells when a run has more.
  'JobRunDetail.tasks': { max: maxRunTasks },
  // jobs-platform.ts: the API's job types are fixed at start.
  'JobType.parameters': { max: jobCatalogue.parameters },
  'JobType.steps': { max: jobCatalogue.steps },
  'Query.jobTypes': { max: jobCatalogue.types },
  // jobs.repository.ts.
  'Query.jobSchedules': { max: maxSchedules },
  'Query.jobWorkers': { max: maxWorkers },
  // job.inputs.ts JobLogsArgs.
  'JobLogPage.items': page(['Query.jobRunLogs'], defaultLogLines, maxLogLines),
  // auth.repository.ts.
  'Me.memberships': { max: maxMemberships },
  'Query.apiTokens': { max: maxApiTokens },
  // movements.service.ts: cut at maxSummaryRows and MovementSummary.truncated says so.
  'MovementSummary.rows': { max: maxSummaryRows },
  // nodes.service.ts: children and subtree take a `limit` (default and at most
  // maxSubtreeSize); ancestors stop maxAncestors levels up.
  'Node.ancestors': { max: maxAncestors },
  'Node.children': byArgument('limit', maxSubtreeSize, maxSubtreeSize),
  'Node.subtree': byArgument('limit', maxSubtreeSize, maxSubtreeSize),
  'SubtreeNode.ancestors': { max: maxAncestors },
  'SubtreeNode.children': byArgument('limit', maxSubtreeSize, maxSubtreeSize),
  'SubtreeNode.subtree': byArgument('limit', maxSubtreeSize, maxSubtreeSize),
  // cdc-sources.repository.ts.
  'Query.cdcSources': { max: maxCdcSources },
  // members.repository.ts.
  'Query.invitations': { max: maxInvitations },
  'Query.members': { max: maxMembers },
  // ingest-status.service.ts: at most maxStatusIds ids are asked for.
  'Query.pathIngestStatuses': { max: maxStatusIds },
  // path-tokens.repository.ts.
  'Query.pathTokens': { max: maxPathTokens },
  // maintenance.service.ts: more machines than maxMachines are refused (narrow with nodeId);
  // the maxEstimates newest estimates.
  'Query.remainingLife': { max: maxMachines },
  'Query.remainingLifeHistory': { max: maxEstimates },
  // series.service.ts: more matching series than maxLastSeries are refused.
  'Query.seriesLast': { max: maxLastSeries },
  // series.inputs.ts, checked again by libs/timeseries queries.ts (limits).
  'SeriesChart.points': {
    ...byArgument('points', defaultChartPoints, seriesLimits.chartPoints),
    pageOf: ['Query.seriesChart'],
  },
  'SeriesPoints.points': page(['Query.seriesPoints'], defaultRawPoints, seriesLimits.rawPoints),
  'SeriesConnection.items': page(['Query.series'], seriesPage.default, seriesPage.max),
  // list.args.ts ListArgs (and the audit and path event arguments): limit 1-500, default 50.
  'AuditEventConnection.items': page(['Query.auditEvents']),
  'ItemConnection.items': page(['Query.items']),
  'JobRunConnection.items': page(['Query.jobRuns']),
  'MaintenanceTicketConnection.items': page(['Query.alerts', 'Query.maintenanceOrders']),
  'MovementConnection.items': page(['Query.movements', 'Query.invoiceLineMovements']),
  'NodeConnection.items': page(['Query.nodes']),
  'PathConnection.items': page(['Query.paths']),
  'PathEventConnection.items': page(['Query.pathEvents']),
  'ResourceConnection.items': page(['Query.resources']),
  // Billing: the catalogue refuses more charges, tiers and budgets; the repository cuts the
  // other lists at their limit (libs/billing limits.ts).
  'InvoiceConnection.items': page(['Query.invoices']),
  'Query.billingMetrics': { max: billingLimits.metrics },
  'Query.plans': { max: billingLimits.plans },
  'PlanDetail.versions': { max: billingLimits.versions },
  'PlanVersion.charges': { max: billingLimits.charges },
  'PlanCharge.tiers': { max: billingLimits.tiers },
  'Query.subscriptions': { max: billingLimits.subscriptions },
  'Query.budgets': { max: billingLimits.budgets },
  'InvoiceDetail.lines': { max: billingLimits.lines },
  // A line's tiers are its charge's.
  'InvoiceLine.tiers': { max: billingLimits.tiers },
  // One per charge of the prices in effect.
  'BillingUsage.metrics': { max: billingLimits.charges },
  'MetricUsage.series': { max: billingLimits.usageBuckets },
  'MonthlyBillingReport.currencies': { max: billingLimits.currencies },
  'CurrencyReport.byOrganisation': { max: billingLimits.reportRows },
  'CurrencyReport.byResource': { max: billingLimits.reportRows },
  // One per metric, and one for fixed fees.
  'CurrencyReport.byMetric': { max: billingLimits.metrics + 1 },
};

// A list missing from the table (the unit test keeps this from happening) counts as a
// subtree: 10,000 rows.
const unpriced: ListPrice = { max: maxSubtreeSize };

/** Field → the page lists its arguments size (`Query.nodes` → `NodeConnection.items`). */
const pageLists = new Map<string, string[]>();
for (const [list, price] of Object.entries(listPrices))
  for (const field of price.pageOf ?? [])
    pageLists.set(field, [...(pageLists.get(field) ?? []), list]);

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

/**
 * A cost as a sum of terms: coefficient × the sizes of page lists whose page is not known yet
 * (`'' → 3, 'NodeConnection.items' → 2` is 3 + 2 × items). The field returning the page
 * fills in its sizes; a fragment is measured once, however many pages it is spread in.
 */
type Cost = Map<string, number>;

const single = (): Cost => new Map([['', 1]]);

function add(into: Cost, cost: Cost): void {
  for (const [term, coefficient] of cost) into.set(term, (into.get(term) ?? 0) + coefficient);
}

function times(cost: Cost, factor: number): Cost {
  return new Map([...cost].map(([term, coefficient]) => [term, coefficient * factor]));
}

function timesSize(cost: Cost, list: string): Cost {
  const result: Cost = new Map();
  for (const [term, coefficient] of cost) {
    const key = term ? [...term.split('*'), list].sort().join('*') : list;
    result.set(key, (result.get(key) ?? 0) + coefficient);
  }
  return result;
}

function withSizes(cost: Cost, sizes: Map<string, number>): Cost {
  const result: Cost = new Map();
  for (const [term, coefficient] of cost) {
    let value = coefficient;
    const open: string[] = [];
    for (const list of term ? term.split('*') : []) {
      const size = sizes.get(list);
      if (size === undefined) open.push(list);
      else value *= size;
    }
    const key = open.join('*');
    result.set(key, (result.get(key) ?? 0) + value);
  }
  return result;
}

// Pages no field sized (none in a valid operation) count at their maximum.
function total(cost: Cost): number {
  let sum = 0;
  for (const [term, coefficient] of cost) {
    let value = coefficient;
    for (const list of term ? term.split('*') : []) value *= (listPrices[list] ?? unpriced).max;
    sum += value;
  }
  return sum;
}

/** Depth and estimated cost of an operation. */
export interface Measure {
  depth: number;
  cost: number;
}

interface Measured {
  depth: number;
  cost: Cost;
}

// Selection sets and fragment spreads nested deeper than this are refused as too deep (real
// operations are limited to GRAPHQL_MAX_DEPTH levels); it also bounds the recursion.
const maxNesting = 200;

/**
 * Measures the operations of one document. Each fragment is measured once (its cost stays a
 * sum of terms until the page it is spread in is known), so the work is linear in the
 * document however its fragments are spread.
 */
class Measurer {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly measured = new Map<string, Measured>();
  private readonly open = new Set<string>();
  private nesting = 0;

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly variables: Record<string, unknown>,
    private readonly defaults: ReadonlyMap<string, ValueNode>,
  ) {
    for (const definition of document.definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION)
        this.fragments.set(definition.name.value, definition);
  }

  operation(operation: OperationDefinitionNode): Measure | null {
    const root =
      operation.operation === 'query'
        ? this.schema.getQueryType()
        : operation.operation === 'mutation'
          ? this.schema.getMutationType()
          : this.schema.getSubscriptionType();
    if (!root) return null;
    const { depth, cost } = this.selections(operation.selectionSet, root);
    return { depth, cost: total(cost) };
  }

  private selections(set: SelectionSetNode, parent: GraphQLNamedType): Measured {
    if (this.nesting >= maxNesting) return { depth: Infinity, cost: new Map([['', Infinity]]) };
    this.nesting++;
    let depth = 0;
    const cost: Cost = new Map();
    for (const selection of set.selections) {
      let inner: Measured;
      if (selection.kind === Kind.FIELD) inner = this.field(selection, parent);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        inner = this.selections(
          selection.selectionSet,
          (condition && this.schema.getType(condition)) || parent,
        );
      } else inner = this.fragment(selection.name.value);
      depth = Math.max(depth, inner.depth);
      add(cost, inner.cost);
    }
    this.nesting--;
    return { depth, cost };
  }

  private fragment(name: string): Measured {
    const known = this.measured.get(name);
    if (known) return known;
    const definition = this.fragments.get(name);
    const type = definition && this.schema.getType(definition.typeCondition.name.value);
    // Unknown fragments and cycles are refused by validation.
    if (!definition || !type || this.open.has(name)) return { depth: 0, cost: new Map() };
    this.open.add(name);
    const result = this.selections(definition.selectionSet, type);
    this.open.delete(name);
    this.measured.set(name, result);
    return result;
  }

  private field(node: FieldNode, parent: GraphQLNamedType): Measured {
    // Introspection is free.
    if (node.name.value.startsWith('__')) return { depth: 0, cost: new Map() };
    const definition = fieldsOf(parent)?.[node.name.value];
    if (!definition || !node.selectionSet) return { depth: 1, cost: single() };
    const key = `${parent.name}.${node.name.value}`;
    const { named, list } = unwrap(definition.type);
    const inner = this.selections(node.selectionSet, named);
    let cost = inner.cost;
    const sized = pageLists.get(key);
    if (sized) {
      cost = withSizes(cost, new Map(sized.map((l) => [l, this.rows(listPrices[l], node)])));
    }
    if (list) {
      const price = listPrices[key] ?? unpriced;
      cost = price.pageOf ? timesSize(cost, key) : times(cost, this.rows(price, node));
    }
    const result = single();
    add(result, cost);
    return { depth: 1 + inner.depth, cost: result };
  }

  /** Rows of a list: what the arguments of `node` ask for, between 1 and the maximum. */
  private rows(price: ListPrice, node: FieldNode): number {
    if (!price.rows) return price.max;
    const asked = price.rows((name) => {
      const argument = node.arguments?.find((a) => a.name.value === name);
      return argument ? this.value(argument.value) : undefined;
    });
    return Number.isNaN(asked) ? price.max : Math.min(price.max, Math.max(1, Math.ceil(asked)));
  }

  private value(node: ValueNode): unknown {
    switch (node.kind) {
      case Kind.VARIABLE: {
        const name = node.name.value;
        if (Object.hasOwn(this.variables, name)) return this.variables[name];
        const fallback = this.defaults.get(name);
        return fallback ? this.value(fallback) : undefined;
      }
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value);
      case Kind.STRING:
      case Kind.ENUM:
      case Kind.BOOLEAN:
        return node.value;
      case Kind.NULL:
        return null;
      case Kind.LIST:
        return node.values.map((v) => this.value(v));
      case Kind.OBJECT:
        return Object.fromEntries(node.fields.map((f) => [f.name.value, this.value(f.value)]));
    }
  }
}

/** The operation that runs, as graphql picks it: by name, or the only one. */
function operationOf(
  document: DocumentNode,
  operationName: string | undefined,
): OperationDefinitionNode | null {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  if (operationName === undefined) return operations.length === 1 ? operations[0] : null;
  return operations.find((o) => o.name?.value === operationName) ?? null;
}

/**
 * Depth and estimated cost of the operation that runs, with its variables (and their
 * defaults): each field costs 1 for each time it may be resolved, and a list multiplies what
 * is under it by the most rows it can return (listPrices). Introspection is free. Null when
 * no operation runs (graphql then refuses the request).
 */
export function measure(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null = null,
  operationName?: string,
): (Measure & { operation: OperationDefinitionNode }) | null {
  const operation = operationOf(document, operationName);
  if (!operation) return null;
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? [])
    if (definition.defaultValue)
      defaults.set(definition.variable.name.value, definition.defaultValue);
  const result = new Measurer(schema, document, variables ?? {}, defaults).operation(operation);
  return result && { ...result, operation };
}

/** The operationName of the request behind a mercurius context (batched queries included). */
function operationNameOf(context: unknown): string | undefined {
  const { reply, operationId } = (context ?? {}) as {
    reply?: { request?: { method?: string; body?: unknown; query?: unknown } };
    operationId?: unknown;
  };
  const request = reply?.request;
  let params = request?.method === 'GET' ? request.query : request?.body;
  if (Array.isArray(params)) params = typeof operationId === 'number' ? params[operationId] : null;
  const name = (params as { operationName?: unknown } | null | undefined)?.operationName;
  return typeof name === 'string' ? name : undefined;
}

/** Brackets nested deeper than this are refused before parsing: graphql's parser recurses. */
const maxBrackets = 100;
/** More fragments than this are refused before validation: graphql's rules recurse through them. */
const maxFragments = 500;

/** How deep `{`, `(` and `[` nest in a document, outside strings and comments. */
export function bracketDepth(source: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (c === '"' && source.startsWith('"""', i)) {
      // A block string: only \""" is escaped in it.
      i += 3;
      while (i < source.length && !source.startsWith('"""', i))
        i += source.startsWith('\\"""', i) ? 4 : 1;
      i += 2;
    } else if (c === '"') {
      for (i++; i < source.length && source[i] !== '"' && source[i] !== '\n'; i++)
        if (source[i] === '\\') i++;
    } else if (c === '{' || c === '(' || c === '[') {
      deepest = Math.max(deepest, ++depth);
    } else if (c === '}' || c === ')' || c === ']') {
      depth--;
    }
  }
  return deepest;
}

const tooDeep = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'QueryTooDeep', status: 400 } });

const depthError = (depth: number, limit: number, node: OperationDefinitionNode) =>
  new GraphQLError(
    `query depth ${Number.isFinite(depth) ? depth : `over ${maxNesting}`} is over the limit of ${limit} (GRAPHQL_MAX_DEPTH)`,
    { nodes: [node], extensions: { code: 'QueryTooDeep', status: 400 } },
  );

const costError = (cost: number, limit: number, node: OperationDefinitionNode) =>
  new GraphQLError(
    `query cost ${Number.isFinite(cost) ? cost : 'unbounded'} is over the limit of ${limit} (GRAPHQL_MAX_COST): ask for smaller pages or fewer nested lists`,
    { nodes: [node], extensions: { code: 'QueryTooCostly', status: 400 } },
  );

/**
 * The GraphQL limits: a validation rule refusing operations deeper than maxDepth (the
 * validated document is cached by its text, so it sees no variables), and a preExecution hook
 * refusing, on every request, an operation costlier than maxCost with its variables. Before
 * them, documents graphql itself cannot follow (brackets nested past maxBrackets, more than
 * maxFragments fragments) are refused as too deep instead of overflowing the stack.
 */
export function graphqlLimits(limits: { maxDepth: number; maxCost: number }) {
  const depthRule = (context: ValidationContext): ASTVisitor => ({
    Document(document) {
      // Depth does not depend on variables: one measurer for every operation.
      const measurer = new Measurer(context.getSchema(), document, {}, new Map());
      for (const definition of document.definitions) {
        if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
        const depth = measurer.operation(definition)?.depth ?? 0;
        if (depth > limits.maxDepth)
          context.reportError(depthError(depth, limits.maxDepth, definition));
      }
    },
  });
  const costHook = (
    schema: GraphQLSchema,
    document: DocumentNode,
    context: unknown,
    variables: Record<string, unknown> | null | undefined,
  ): void => {
    const measured = measure(schema, document, variables ?? null, operationNameOf(context));
    // Thrown here, it takes the path of validation errors: 400, formatted by replyWithError.
    if (measured && measured.cost > limits.maxCost)
      throw costError(measured.cost, limits.maxCost, measured.operation);
  };
  const nestingHook = (_schema: GraphQLSchema, source: string): void => {
    const depth = bracketDepth(source);
    if (depth > maxBrackets)
      throw tooDeep(`brackets nested ${depth} deep, over the limit of ${maxBrackets}`);
  };
  const fragmentsHook = (_schema: GraphQLSchema, document: DocumentNode): void => {
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    if (fragments.length > maxFragments)
      throw tooDeep(`${fragments.length} fragments, over the limit of ${maxFragments}`);
  };
  return {
    validationRules: [depthRule],
    hooks: { preParsing: nestingHook, preValidation: fragmentsHook, preExecution: costHook },
  };
}

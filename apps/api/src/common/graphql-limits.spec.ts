import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  buildSchema,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type GraphQLField,
  type GraphQLOutputType,
} from 'graphql';
import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from '@sextant/testing';
import { bracketDepth, graphqlLimits, listPrices, measure } from './graphql-limits';

// The committed contract (contracts.int-spec.ts fails while it differs from the code's).
const schema = buildSchema(
  readFileSync(new URL('../../schema.gql', pathToFileURL(__filename).href), 'utf8'),
);

const isList = (type: GraphQLOutputType) => isListType(isNonNullType(type) ? type.ofType : type);
const fields = Object.values(schema.getTypeMap())
  .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
  .flatMap((t) =>
    Object.values(
      (t as { getFields(): Record<string, GraphQLField<unknown, unknown>> }).getFields(),
    ).map((field) => ({ key: `${t.name}.${field.name}`, field })),
  );
const objectLists = fields.filter(
  ({ field }) => isList(field.type) && isObjectType(getNamedType(field.type)),
);

const cost = (query: string, variables?: Record<string, unknown>, operationName?: string) =>
  measure(schema, parse(query), variables ?? null, operationName)?.cost;

describe('listPrices', () => {
  it('prices every list of objects in the schema, and nothing else', () => {
    expect(objectLists.length).toBeGreaterThan(40);
    const unpriced = objectLists.map((l) => l.key).filter((key) => !listPrices[key]);
    expectWithMessage(unpriced, 'list fields without a price in graphql-limits.ts').toEqual([]);
    const stale = Object.keys(listPrices).filter((key) => !objectLists.some((l) => l.key === key));
    expectWithMessage(stale, 'prices of fields that are not lists of the schema').toEqual([]);
  });

  it('sizes each page from the fields returning it, and every such field is named', () => {
    const returning = (type: string) =>
      fields.filter(({ field }) => getNamedType(field.type).name === type).map(({ key }) => key);
    for (const [list, price] of Object.entries(listPrices)) {
      if (!price.pageOf) continue;
      // The fields returning the page; for a page inside a page (aggregate buckets), theirs.
      const expected = returning(list.split('.')[0]).flatMap(
        (key) => listPrices[key]?.pageOf ?? [key],
      );
      expectWithMessage([...price.pageOf].sort(), list).toEqual([...new Set(expected)].sort());
    }
  });

  it('knows every field with a `limit` argument: a new page gets its price', () => {
    const sized = new Set(Object.values(listPrices).flatMap((p) => p.pageOf ?? []));
    const withLimit = fields.filter(({ field }) => field.args.some((a) => a.name === 'limit'));
    expect(withLimit.length).toBeGreaterThan(10);
    for (const { key } of withLimit)
      expectWithMessage(sized.has(key) || listPrices[key]?.rows !== undefined, key).toBe(true);
  });

  it('prices every list at no more than its maximum and at least one row', () => {
    for (const [key, price] of Object.entries(listPrices)) {
      expectWithMessage(price.max, key).toBeGreaterThanOrEqual(1);
      expectWithMessage(Number.isInteger(price.max), key).toBe(true);
    }
    // subtree and children hold up to 10,000 nodes (nodes.service.ts maxSubtreeSize).
    expect(listPrices['Node.subtree'].max).toBe(10_000);
    expect(listPrices['Node.children'].max).toBe(10_000);
  });
});

describe(measure.name, () => {
  it('prices a subtree at its 10,000 nodes', () => {
    // node 1 + subtree 1 + 10,000 × id
    expect(cost('{ node(id: "x") { subtree { id } } }')).toBe(10_002);
    // nodes 1 + items 1 + 50 × subtree + 50 × 10,000 × id
    expect(cost('{ nodes(limit: 50) { items { subtree { id } } } }')).toBe(500_052);
    expect(cost('{ node(id: "x") { subtree(limit: 20) { id name } } }')).toBe(42);
  });

  it('reads a limit from its variable, as the literal', () => {
    const query = 'query($n: Int) { nodes(limit: $n) { items { subtree { id } } } }';
    const literal = cost('{ nodes(limit: 500) { items { subtree { id } } } }');
    expect(literal).toBe(1 + 1 + 500 + 500 * 10_000);
    expect(cost(query, { n: 500 })).toBe(literal);
    // Without a value the service's default page of 50 applies.
    expect(cost(query, {})).toBe(cost('{ nodes { items { subtree { id } } } }'));
    expect(cost(query, { n: null })).toBe(cost('{ nodes { items { subtree { id } } } }'));
  });

  it('takes a variable default from the operation, and a given value over it', () => {
    const query = 'query($n: Int = 500) { nodes(limit: $n) { items { id } } }';
    expect(cost(query)).toBe(1 + 1 + 500);
    expect(cost(query, { n: 5 })).toBe(1 + 1 + 5);
    // Another operation's definitions do not count.
    const two = `query A($n: Int = 500) { nodes(limit: $n) { items { id } } }
                 query B($n: Int = 2) { nodes(limit: $n) { items { id } } }`;
    expect(cost(two, {}, 'A')).toBe(502);
    expect(cost(two, {}, 'B')).toBe(4);
  });

  it('measures the operation that runs: named, or the only one', () => {
    const two = `query Cheap { nodes(limit: 1) { items { id } } }
                 query Costly { nodes(limit: 500) { items { subtree { id } } } }`;
    expect(cost(two, {}, 'Costly')).toBeGreaterThan(1_000_000);
    expect(cost(two, {}, 'Cheap')).toBe(3);
    // graphql refuses these before anything runs.
    expect(measure(schema, parse(two))).toBeNull();
    expect(measure(schema, parse(two), null, 'Other')).toBeNull();
  });

  it('follows variables into nested arguments, fragments and inline fragments', () => {
    const viaFragment = `query($n: Int, $k: Int) { nodes(limit: $n) { ...Page } }
      fragment Page on NodeConnection { items { ... on Node { children(limit: $k) { id } } } }`;
    // nodes 1 + items 1 + 10 × children + 10 × 3 × id
    expect(cost(viaFragment, { n: 10, k: 3 })).toBe(42);
    expect(cost(viaFragment, { n: 500, k: 10_000 })).toBe(2 + 500 + 500 * 10_000);
    const aggregate = `query($input: AggregateInput!) {
      seriesAggregate(input: $input) { groups { tags buckets { time values } } } }`;
    const input = {
      measurement: 'm',
      field: 'f',
      from: '2026-11-01T00:00:00Z',
      to: '2026-11-22T00:00:00Z',
      every: '1d',
      aggregates: ['mean'],
    };
    // seriesAggregate 1 + groups 1 + 1 group × (tags + buckets) + 21 days × (time + values)
    expect(cost(aggregate, { input })).toBe(1 + 1 + 2 + 21 * 2);
    // Grouped by a tag: up to a group per series (10,000).
    expect(cost(aggregate, { input: { ...input, groupBy: ['turbine'] } })).toBe(
      2 + 10_000 * 2 + 10_000 * 21 * 2,
    );
    const nested = `query($from: String!, $every: String!) {
      seriesAggregate(input: {measurement: "m", field: "f", from: $from, to: "2026-11-22T00:00:00Z", every: $every, aggregates: ["mean"]}) {
        groups { buckets { time } } } }`;
    expect(cost(nested, { from: '2026-11-21T00:00:00Z', every: '1h' })).toBe(1 + 1 + 1 + 24);
    expect(cost(nested, { from: '2026-11-01T00:00:00Z', every: '1s' })).toBe(3 + 100_000);
  });

  it('prices a page spread through a fragment by the field that returns it', () => {
    const query = `{ a: nodes(limit: 2) { ...Items } b: nodes(limit: 300) { ...Items } }
      fragment Items on NodeConnection { items { id name } }`;
    expect(cost(query)).toBe(1 + 1 + 2 * 2 + (1 + 1 + 300 * 2));
  });

  it('prices the other lists at their real maximum', () => {
    expect(cost('{ me { memberships { nodeId } } }')).toBe(2 + 1_000);
    expect(cost('{ members(nodeId: "x") { id } }')).toBe(1 + 2_000);
    expect(cost('{ pathIngestStatuses(ids: ["x"]) { pathId } }')).toBe(1 + 100);
    expect(cost('{ node(id: "x") { ancestors { id } } }')).toBe(2 + 64);
    expect(
      cost(
        'query($p: Int) { seriesChart(id: "1", from: "a", to: "b", points: $p) { points { time } } }',
        { p: 100 },
      ),
    ).toBe(102);
    expect(cost('{ seriesPoints(id: "1", from: "a", to: "b") { points { time } } }')).toBe(1_002);
    expect(cost('{ jobRunLogs(id: "x") { items { message } } }')).toBe(202);
  });

  it('prices limits that validation refuses at the maximum, never below', () => {
    const query = 'query($n: Int) { nodes(limit: $n) { items { id } } }';
    for (const n of [1e12, 'many', -5, 0, Number.NaN, [3], { n: 3 }])
      expectWithMessage(cost(query, { n }), String(n)).toBeGreaterThanOrEqual(3);
    expect(cost(query, { n: 1e12 })).toBe(502);
    expect(cost(query, { n: 'many' })).toBe(502);
    expect(cost('{ nodes(limit: 100000) { items { id } } }')).toBe(502);
  });

  it('ignores variables named like Object properties', () => {
    const query = 'query($constructor: Int) { nodes(limit: $constructor) { items { id } } }';
    expect(cost(query, {})).toBe(52);
  });

  it('keeps introspection free', () => {
    expect(
      cost('{ __schema { types { name fields { name type { name ofType { name } } } } } }'),
    ).toBe(0);
  });

  it('measures hostile documents in time linear in their size', () => {
    // 40 fragments each spreading the next twice: 2^40 fields once expanded.
    const fragments = Array.from(
      { length: 40 },
      (_, i) => `fragment F${i} on Node { ...F${i + 1} ...F${i + 1} }`,
    ).join('\n');
    const doubling = `{ node(id: "x") { ...F0 } } ${fragments} fragment F40 on Node { id }`;
    expect(cost(doubling)).toBe(1 + 2 ** 40);
    // The same through fields: 2^30 subtrees of subtrees, each at 10,000 nodes.
    const nested = Array.from(
      { length: 30 },
      (_, i) =>
        `fragment G${i} on SubtreeNode { a: subtree(limit: 1) { ...G${i + 1} } b: subtree(limit: 1) { ...G${i + 1} } }`,
    ).join('\n');
    const measured = measure(
      schema,
      parse(`{ node(id: "x") { subtree { ...G0 } } } ${nested} fragment G30 on SubtreeNode { id }`),
    );
    expect(measured?.depth).toBe(33);
    expect(measured?.cost).toBeGreaterThan(2 ** 30);
    // 30,000 aliased fields.
    const aliases = Array.from({ length: 30_000 }, (_, i) => `a${i}: node(id: "x") { id }`);
    expect(cost(`{ ${aliases.join(' ')} }`)).toBe(60_000);
    // A chain of 5,000 fragments is refused as too deep, not a stack overflow.
    const chain = Array.from(
      { length: 5_000 },
      (_, i) => `fragment C${i} on Node { ...C${i + 1} }`,
    );
    const deep = measure(
      schema,
      parse(`{ node(id: "x") { ...C0 } } ${chain.join(' ')} fragment C5000 on Node { id }`),
    );
    expect(deep?.depth).toBe(Infinity);
  });
});

describe(bracketDepth.name, () => {
  it.each([
    ['{ a { b(x: [1, {y: 2}]) } }', 5],
    ['{ a(s: "{{{{ ( [") }', 2],
    ['{ a(s: "quote \\" {{{") }', 2],
    ['{ a(s: """block \\""" {{{ """) }', 2],
    ['{ a # {{{{\n b }', 1],
    ['{'.repeat(300), 300],
  ])('%s nests %i deep', (source, depth) => {
    expect(bracketDepth(source)).toBe(depth);
  });
});

describe(graphqlLimits.name, () => {
  const { hooks } = graphqlLimits({ maxDepth: 10, maxCost: 50_000 });
  const request = (body: unknown, method = 'POST') => ({
    reply: { request: { method, body, query: body } },
  });
  const refuse = (query: string, variables: Record<string, unknown>, context: unknown) => {
    try {
      hooks.preExecution(schema, parse(query), context, variables);
      return null;
    } catch (error) {
      return (error as { extensions?: unknown; message: string }).extensions;
    }
  };

  it('refuses a costly operation with its variables, as validation refused the literal', () => {
    const query = 'query($n: Int) { nodes(limit: $n) { items { subtree { id } } } }';
    expect(refuse(query, { n: 500 }, request({ query }))).toEqual({
      code: 'QueryTooCostly',
      status: 400,
    });
    expect(refuse(query, { n: 4 }, request({ query }))).toBeNull();
  });

  it('refuses before parsing and validating what graphql would recurse too deep through', () => {
    const deep = `{ ${'a { '.repeat(101)} b ${'} '.repeat(101)} }`;
    expect(() => hooks.preParsing(schema, deep)).toThrow(/brackets nested 102 deep/);
    expect(() =>
      hooks.preParsing(schema, `{ ${'a { '.repeat(98)} b ${'} '.repeat(98)} }`),
    ).not.toThrow();
    const fragments = (n: number) =>
      parse(Array.from({ length: n }, (_, i) => `fragment F${i} on Node { id }`).join(' '));
    expect(() => hooks.preValidation(schema, fragments(501))).toThrow(/501 fragments/);
    expect(() => hooks.preValidation(schema, fragments(500))).not.toThrow();
  });

  it('reads operationName from the body, the query string and a batch', () => {
    const query = `query Cheap { nodes(limit: 1) { items { id } } }
                   query Costly { nodes(limit: 500) { items { subtree { id } } } }`;
    const costly = { code: 'QueryTooCostly', status: 400 };
    expect(refuse(query, {}, request({ query, operationName: 'Costly' }))).toEqual(costly);
    expect(refuse(query, {}, request({ query, operationName: 'Cheap' }))).toBeNull();
    expect(refuse(query, {}, request({ query, operationName: 'Costly' }, 'GET'))).toEqual(costly);
    const batch = [
      { query, operationName: 'Cheap' },
      { query, operationName: 'Costly' },
    ];
    expect(refuse(query, {}, { ...request(batch), operationId: 1 })).toEqual(costly);
    expect(refuse(query, {}, { ...request(batch), operationId: 0 })).toBeNull();
  });
});

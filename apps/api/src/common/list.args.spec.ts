import 'reflect-metadata';
import { DomainError, FieldError } from '@sextant/domain';
import { describe, expect, it } from '@jest/globals';
import { ListAuditArgs } from '../audit/audit.model';
import { ListJobRunsArgs } from '../jobs/dto/job.inputs';
import { ListTicketsArgs } from '../maintenance/dto/ticket.inputs';
import { ListNodesArgs } from '../nodes/dto/node.inputs';
import { ListPathEventsArgs } from '../paths/events/dto/list-path-events.args';
import { ListArgs, PageArgs } from './list.args';
import { createValidationPipe } from './validation';

const pipe = createValidationPipe();

/** The field errors a REST query string gets from the API's validation pipe (none: []). */
async function reasons(metatype: new () => object, query: Record<string, string>) {
  try {
    await pipe.transform(query, { type: 'query', metatype });
    return [];
  } catch (error) {
    if (error instanceof DomainError) return error.fieldErrors;
    throw error;
  }
}

describe(PageArgs.name, () => {
  const lists = [
    ListArgs,
    ListNodesArgs,
    ListJobRunsArgs,
    ListTicketsArgs,
    ListAuditArgs,
    ListPathEventsArgs,
  ].map((metatype) => ({ name: metatype.name, metatype }));

  it.each(lists)('$name pages with limit and cursor', async ({ metatype }) => {
    expect(new metatype()).toBeInstanceOf(PageArgs);
    const args = (await pipe.transform(
      { limit: '20', cursor: 'abc' },
      { type: 'query', metatype },
    )) as PageArgs;
    expect(args).toMatchObject({ limit: 20, cursor: 'abc' });
  });

  it.each<[Record<string, string>, FieldError]>([
    [{ limit: 'ten' }, { field: 'limit', reason: 'must be an integer number' }],
    [{ limit: '0' }, { field: 'limit', reason: 'must not be less than 1' }],
    // maxPageSize
    [{ limit: '501' }, { field: 'limit', reason: 'must not be greater than 500' }],
    [
      { cursor: 'c'.repeat(501) },
      { field: 'cursor', reason: 'must be shorter than or equal to 500 characters' },
    ],
  ])('rejects %o with the reason of its first rule', async (query, error) => {
    for (const metatype of [ListNodesArgs, ListJobRunsArgs, ListAuditArgs, ListPathEventsArgs]) {
      expect(await reasons(metatype, query)).toEqual([error]);
    }
  });

  it('sorts and searches only the lists that take sort and q', async () => {
    expect(await reasons(ListNodesArgs, { sort: '-name', q: 'north' })).toEqual([]);
    expect(await reasons(ListJobRunsArgs, { sort: '-name' })).toEqual([
      { field: 'sort', reason: 'property sort should not exist' },
    ]);
  });
});

describe('combined fields', () => {
  it('reads root=true from a query string as a boolean', async () => {
    const args = (await pipe.transform(
      { root: 'true' },
      { type: 'query', metatype: ListNodesArgs },
    )) as ListNodesArgs;
    expect(args.root).toBe(true);
    expect(await reasons(ListNodesArgs, { root: 'yes' })).toEqual([
      { field: 'root', reason: 'must be a boolean value' },
    ]);
  });

  it('reports a job type that is not a name with its own message', async () => {
    expect(await reasons(ListJobRunsArgs, { type: 'Series Health' })).toEqual([
      { field: 'type', reason: 'must be a job type name such as series-health' },
    ]);
  });
});

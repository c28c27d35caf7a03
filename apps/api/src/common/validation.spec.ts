import { describe, expect, it, jest } from '@jest/globals';
import { ListMovementsArgs } from '../movements/dto/movement.inputs';
import { createValidationPipe } from './validation';

const asQuery = { type: 'query' as const, metatype: ListMovementsArgs, data: undefined };

describe('the validation pipe on query strings', () => {
  it('remembers a valid query: each request gets its own input, of the DTO class', async () => {
    const pipe = createValidationPipe();
    const validate = jest.spyOn(pipe as unknown as { validate: () => unknown }, 'validate');
    const first = (await pipe.transform({ limit: '100', nodeRole: 'source' }, asQuery)) as {
      limit: number;
    };
    expect(first).toBeInstanceOf(ListMovementsArgs);
    expect(first).toEqual(expect.objectContaining({ limit: 100, nodeRole: 'source' }));
    first.limit = 7;
    const second = await pipe.transform({ limit: '100', nodeRole: 'source' }, asQuery);
    expect(second).not.toBe(first);
    expect(second).toBeInstanceOf(ListMovementsArgs);
    expect(second).toEqual(expect.objectContaining({ limit: 100, nodeRole: 'source' }));
    expect(validate).toHaveBeenCalledTimes(1);
  });

  it('refuses an invalid query every time, naming the field', async () => {
    const pipe = createValidationPipe();
    for (let i = 0; i < 2; i++)
      await expect(pipe.transform({ limit: '0' }, asQuery)).rejects.toMatchObject({
        fieldErrors: [{ field: 'limit', reason: expect.stringContaining('1') }],
      });
    await pipe.transform({ limit: '5' }, asQuery);
    await expect(pipe.transform({ limit: '5', nope: 'x' }, asQuery)).rejects.toMatchObject({
      fieldErrors: [{ field: 'nope' }],
    });
  });
});

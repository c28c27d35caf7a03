import { describe, expect, it } from '@jest/globals';
import { expectWithMessage } from './expect-with-message';

describe(expectWithMessage.name, () => {
  it('passes where expect passes', async () => {
    expectWithMessage(7, 'seven').toBe(7);
    expectWithMessage(7, 'seven').not.toBe(8);
    await expectWithMessage(Promise.resolve(1), 'one').resolves.toBe(1);
  });

  it('puts the message before the failure of the matcher', () => {
    expect(() => expectWithMessage(404, 'GET /x').toBe(200)).toThrow(
      /^GET \/x\n\n[^]*Expected: 200\n[^]*Received: 404/,
    );
    expect(() => expectWithMessage(200, 'GET /y').not.toBe(200)).toThrow(/^GET \/y\n\n/);
  });

  it('puts it before the failure of an asynchronous matcher too', async () => {
    await expect(
      expectWithMessage(Promise.resolve(1), 'the query').resolves.toBe(2),
    ).rejects.toThrow(/^the query\n\n/);
  });
});

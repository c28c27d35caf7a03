import { describe, expect, it } from '@jest/globals';
import { isUnreachable, retryDelay, runnerProblems } from './cdc-source-runner';

const limits = { lagProblemBytes: 64 * 2 ** 20, lagProblemSeconds: 60 };
const healthy = {
  state: 'streaming' as const,
  lastError: null,
  lagBytes: 0,
  lagSeconds: 0,
  unreachable: false,
  schemaPause: null,
  publishError: null,
  heartbeatError: null,
};

describe(retryDelay.name, () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [6, 32_000],
    // capped
    [7, 60_000],
    [30, 60_000],
  ])('waits before retry %i for %i ms', (failures, ms) => {
    expect(retryDelay(failures, { initialMs: 1_000, maxMs: 60_000 })).toBe(ms);
  });
});

describe(runnerProblems.name, () => {
  it('lists nothing for a source that streams and keeps up', () => {
    expect(runnerProblems(healthy, limits)).toEqual([]);
  });

  it('says why it retries', () => {
    const lastError = {
      message: 'connect ECONNREFUSED 127.0.0.1:5999',
      at: '2026-01-01T00:00:00Z',
    };
    expect(
      runnerProblems({ ...healthy, state: 'retrying', lastError, unreachable: true }, limits),
    ).toEqual(['source unreachable: connect ECONNREFUSED 127.0.0.1:5999']);
    expect(
      runnerProblems(
        { ...healthy, state: 'retrying', lastError: { ...lastError, message: 'disk full' } },
        limits,
      ),
    ).toEqual(['failing: disk full']);
  });

  it('lists lag above the limits', () => {
    // 80 MiB and 75 s
    expect(
      runnerProblems({ ...healthy, lagBytes: 80 * 2 ** 20, lagSeconds: 75.4 }, limits),
    ).toEqual(['lag 80 MB above 64 MB', 'lag 75 s above 60 s']);
    expect(runnerProblems({ ...healthy, lagBytes: 64 * 2 ** 20 }, limits)).toEqual([]);
  });
});

describe(isUnreachable.name, () => {
  it('tells connection failures from other errors', () => {
    expect(
      isUnreachable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBe(true);
    expect(
      isUnreachable(Object.assign(new Error('terminating connection'), { code: '57P01' })),
    ).toBe(true);
    expect(
      isUnreachable(new AggregateError([Object.assign(new Error(''), { code: 'ECONNREFUSED' })])),
    ).toBe(true);
    expect(
      isUnreachable(Object.assign(new Error('relation does not exist'), { code: '42P01' })),
    ).toBe(false);
  });
});

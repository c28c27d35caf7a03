import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { PeriodicPass } from './periodic-pass';

describe(PeriodicPass.name, () => {
  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('runs the pass on its interval, one at a time, and stop waits for the one running', async () => {
    let started = 0;
    let finish: (() => void) | null = null;
    const pass = new PeriodicPass(() => {
      started++;
      return new Promise<number>((resolve) => (finish = () => resolve(started)));
    });
    pass.start(10);
    await jest.advanceTimersByTimeAsync(9_999);
    expect(started).toBe(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(started).toBe(1);
    // A call and two more ticks while the first pass runs share it.
    const shared = pass.runOnce();
    await jest.advanceTimersByTimeAsync(20_000);
    expect(started).toBe(1);
    finish!();
    await expect(shared).resolves.toBe(1);
    let stopped = false;
    const second = pass.runOnce();
    const stopping = pass.stop().then(() => (stopped = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish!();
    await expect(second).resolves.toBe(2);
    await stopping;
    expect(stopped).toBe(true);
    // Stopped: no more ticks.
    await jest.advanceTimersByTimeAsync(60_000);
    expect(started).toBe(2);
  });
});

import { describe, expect, it } from '@jest/globals';
import { addressKey, RateLimiter } from './rate-limiter';

describe(RateLimiter.name, () => {
  it('lets a burst of the limit through, then one more per 60/limit seconds', () => {
    let now = 0;
    const limiter = new RateLimiter(6, 100, () => now);
    expect([1, 2, 3, 4, 5, 6].map(() => limiter.take('a'))).toEqual([0, 0, 0, 0, 0, 0]);
    // 6 a minute: a token every 10 s.
    expect(limiter.take('a')).toBe(10);
    now += 4_000;
    expect(limiter.take('a')).toBe(6);
    now += 6_000;
    expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(10);
    // Another key has its own bucket.
    expect(limiter.take('b')).toBe(0);
  });

  it('keeps at most maxKeys keys, forgetting full buckets first', () => {
    let now = 0;
    const limiter = new RateLimiter(2, 2, () => now);
    limiter.take('busy');
    limiter.take('busy');
    now += 1_000;
    limiter.take('idle');
    now += 60_000; // idle is full again, busy too
    limiter.take('busy');
    limiter.take('busy');
    expect(limiter.take('busy')).toBeGreaterThan(0);
    limiter.take('new'); // idle is forgotten, busy stays limited
    expect(limiter.take('busy')).toBeGreaterThan(0);
  });
});

describe(addressKey.name, () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:0:0:1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
  ])('keys %s as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});

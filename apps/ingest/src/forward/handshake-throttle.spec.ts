import { describe, expect, it } from 'vitest';
import { HandshakeThrottle, throttleKey } from './handshake-throttle';

describe(HandshakeThrottle.name, () => {
  const t0 = 1_800_000_000_000;

  it('closes an address after its budget of failures, for the cool-off, then opens it', () => {
    const throttle = new HandshakeThrottle(3, 60_000);
    throttle.failed('10.0.0.1', t0);
    throttle.failed('10.0.0.1', t0 + 1000);
    expect(throttle.retryAfter('10.0.0.1', t0 + 1000)).toBe(0);
    throttle.failed('10.0.0.1', t0 + 2000);
    // 3 failures: closed for 60 s from the third.
    expect(throttle.retryAfter('10.0.0.1', t0 + 2000)).toBe(60);
    expect(throttle.retryAfter('10.0.0.1', t0 + 61_500)).toBe(1);
    expect(throttle.retryAfter('10.0.0.2', t0 + 2000)).toBe(0);
    expect(throttle.retryAfter('10.0.0.1', t0 + 62_000)).toBe(0);
    // A fresh budget afterwards.
    throttle.failed('10.0.0.1', t0 + 62_000);
    expect(throttle.retryAfter('10.0.0.1', t0 + 62_000)).toBe(0);
  });

  it('forgets failures older than the cool-off', () => {
    const throttle = new HandshakeThrottle(3, 60_000);
    throttle.failed('10.0.0.1', t0);
    throttle.failed('10.0.0.1', t0 + 1000);
    throttle.failed('10.0.0.1', t0 + 61_000); // the window restarted at t0 + 60 s
    expect(throttle.retryAfter('10.0.0.1', t0 + 61_000)).toBe(0);
  });

  it('remembers a bounded number of addresses', () => {
    const throttle = new HandshakeThrottle(2, 60_000, 100);
    for (let i = 0; i < 1000; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`, t0);
    expect(throttle.size).toBeLessThanOrEqual(100);
    // The latest ones are still counted.
    throttle.failed('10.0.3.231', t0);
    expect(throttle.retryAfter('10.0.3.231', t0)).toBe(60);
  });
});

describe(throttleKey.name, () => {
  it.each([
    ['192.0.2.7', '192.0.2.7'],
    ['::ffff:192.0.2.7', '192.0.2.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:DB8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.7', '64:ff9b:0:0::/64'],
    [undefined, 'unknown'],
  ])('counts %s as %s', (address, key) => {
    expect(throttleKey(address)).toBe(key);
  });
});

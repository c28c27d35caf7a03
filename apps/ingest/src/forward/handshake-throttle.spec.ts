import { describe, expect, it } from '@jest/globals';
import { HandshakeThrottle, throttleKey } from './handshake-throttle';

/** A handshake checked and failed. */
function fail(throttle: HandshakeThrottle, address: string, now: number): void {
  expect(throttle.begin(address, now)).toBe(0);
  throttle.end(address, true, now);
}

describe(HandshakeThrottle.name, () => {
  const t0 = 1_800_000_000_000;

  it('closes an address after its budget of failures, for the cool-off, then opens it', () => {
    const throttle = new HandshakeThrottle(3, 60_000);
    fail(throttle, '10.0.0.1', t0);
    fail(throttle, '10.0.0.1', t0 + 1000);
    fail(throttle, '10.0.0.1', t0 + 2000);
    // 3 failures: closed for 60 s from the third.
    expect(throttle.begin('10.0.0.1', t0 + 2000)).toBe(60);
    expect(throttle.begin('10.0.0.1', t0 + 61_500)).toBe(1);
    fail(throttle, '10.0.0.2', t0 + 2000);
    // A fresh budget afterwards.
    fail(throttle, '10.0.0.1', t0 + 62_000);
    fail(throttle, '10.0.0.1', t0 + 62_000);
    expect(throttle.begin('10.0.0.1', t0 + 62_000)).toBe(0);
    throttle.end('10.0.0.1', false, t0 + 62_000);
    expect(throttle.begin('10.0.0.1', t0 + 62_000)).toBe(0);
  });

  it('forgets failures older than the cool-off', () => {
    const throttle = new HandshakeThrottle(3, 60_000);
    fail(throttle, '10.0.0.1', t0);
    fail(throttle, '10.0.0.1', t0 + 1000);
    fail(throttle, '10.0.0.1', t0 + 61_000); // the window restarted at t0 + 60 s
    expect(throttle.begin('10.0.0.1', t0 + 61_000)).toBe(0);
  });

  it('remembers a bounded number of addresses', () => {
    const throttle = new HandshakeThrottle(2, 60_000, 100);
    for (let i = 0; i < 1000; i++) fail(throttle, `10.0.${i >> 8}.${i & 255}`, t0);
    expect(throttle.size).toBeLessThanOrEqual(100);
    // The latest ones are still counted.
    fail(throttle, '10.0.3.231', t0);
    expect(throttle.begin('10.0.3.231', t0)).toBe(60);
  });

  it('counts handshakes being checked against the budget (many at once are not all checked)', () => {
    const throttle = new HandshakeThrottle(3, 60_000);
    const begun = Array.from({ length: 10 }, () => throttle.begin('10.0.0.9', t0));
    expect(begun).toEqual([0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    // A success frees its place; failures close the address.
    throttle.end('10.0.0.9', false, t0);
    expect(throttle.begin('10.0.0.9', t0)).toBe(0);
    for (let i = 0; i < 3; i++) throttle.end('10.0.0.9', true, t0);
    expect(throttle.begin('10.0.0.9', t0)).toBe(60);
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

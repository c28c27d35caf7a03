import { isIPv6 } from 'node:net';

/**
 * Token buckets in this process: each key may make `perMinute` requests a minute, in bursts of
 * as many. At most `maxKeys` keys are kept (full buckets are forgotten first, then the oldest).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly perMs: number;

  constructor(
    private readonly perMinute: number,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {
    this.perMs = perMinute / 60_000;
  }

  /** Takes one request of `key`: 0 when it may go on, else the seconds until it may. */
  take(key: string): number {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = this.refilled(bucket, now);
      bucket.at = now;
    } else {
      if (this.buckets.size >= this.maxKeys) this.prune(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(key, bucket);
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.perMs / 1000));
  }

  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * this.perMs);
  }

  private prune(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (this.refilled(bucket, now) >= this.perMinute) this.buckets.delete(key);
    // Still full: the oldest keys go (the limit over all addresses still holds).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}

/** The key of a client address: IPv4 as is, IPv6 by its /64 (one host usually holds a /64). */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = address.includes('::')
    ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g || '0', 16).toString(16))
    .join(':')}::/64`;
}

/**
 * Points-per-minute limits per path: a token bucket refilled continuously. A write that does
 * not fit is refused whole with the seconds until it would.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  /** Null when allowed (and taken), else the seconds to wait. */
  take(key: string, perMinute: number | null, points: number, now = Date.now()): number | null {
    if (perMinute === null) return null;
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now };
    const refill = ((now - bucket.at) / 60_000) * perMinute;
    bucket.tokens = Math.min(perMinute, bucket.tokens + refill);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (points <= bucket.tokens) {
      bucket.tokens -= points;
      return null;
    }
    const missing = Math.min(points, perMinute) - bucket.tokens;
    return Math.max(1, Math.ceil((missing / perMinute) * 60));
  }
}

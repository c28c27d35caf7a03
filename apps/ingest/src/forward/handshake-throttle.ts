/**
 * The address a failed handshake is counted against: IPv4 as it is (also IPv4-mapped IPv6),
 * IPv6 by its /64, which one client usually holds whole (per address it could cycle through
 * 2^64 of them).
 */
export function throttleKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) return mapped[1];
  if (!address.includes(':')) return address;
  const bare = address.split('%')[0].toLowerCase();
  const [head, tail] = bare.split('::');
  const groups = (part: string | undefined) =>
    // An embedded IPv4 tail (64:ff9b::1.2.3.4) takes two groups.
    part ? part.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : [];
  const first = groups(head);
  const last = groups(tail);
  const all =
    tail === undefined
      ? first
      : [
          ...first,
          ...new Array<string>(Math.max(0, 8 - first.length - last.length)).fill('0'),
          ...last,
        ];
  return `${all
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

interface Entry {
  /** Failures since `since`. */
  failures: number;
  since: number;
  /** Handshakes are refused unchecked until then. */
  closedUntil: number;
}

/**
 * Failed forward handshakes per client address. Each failed handshake costs a read of the
 * active keys and a sha512 per key; `maxFailures` failures within `coolOffMs` close the
 * address for `coolOffMs`, during which its handshakes are refused before any key is read or
 * digest computed. Successes do not reset the count (a client holding one good key could
 * otherwise interleave them with guesses). At most `maxAddresses` are remembered.
 */
export class HandshakeThrottle {
  private readonly addresses = new Map<string, Entry>();
  private prunedAt = 0;

  constructor(
    private readonly maxFailures: number,
    private readonly coolOffMs: number,
    private readonly maxAddresses = 100_000,
  ) {}

  /** Whole seconds until the address may try again; 0 when it may now. */
  retryAfter(address: string, now = Date.now()): number {
    const entry = this.addresses.get(address);
    if (!entry || entry.closedUntil <= now) return 0;
    return Math.ceil((entry.closedUntil - now) / 1000);
  }

  /** Counts a failed handshake of the address. */
  failed(address: string, now = Date.now()): void {
    let entry = this.addresses.get(address);
    if (!entry) {
      if (this.addresses.size >= this.maxAddresses) this.prune(now);
      entry = { failures: 0, since: now, closedUntil: 0 };
      this.addresses.set(address, entry);
    }
    if (now - entry.since >= this.coolOffMs) {
      entry.failures = 0;
      entry.since = now;
    }
    entry.failures++;
    if (entry.failures >= this.maxFailures) {
      entry.closedUntil = now + this.coolOffMs;
      // The count starts again once the cool-off is over.
      entry.failures = 0;
      entry.since = entry.closedUntil;
    }
  }

  /** Addresses remembered. */
  get size(): number {
    return this.addresses.size;
  }

  /** Forgets addresses with nothing left to count (a scan a second at most), else the oldest. */
  private prune(now: number): void {
    if (now - this.prunedAt >= 1000) {
      this.prunedAt = now;
      for (const [address, entry] of this.addresses)
        if (entry.closedUntil <= now && now - entry.since >= this.coolOffMs)
          this.addresses.delete(address);
    }
    if (this.addresses.size >= this.maxAddresses) {
      const oldest = this.addresses.keys().next().value;
      if (oldest !== undefined) this.addresses.delete(oldest);
    }
  }
}

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
  /** Handshakes being checked: they count against the budget until they end. */
  pending: number;
  since: number;
  /** Handshakes are refused unchecked until then. */
  closedUntil: number;
}

/**
 * Failed forward handshakes per client address. Each failed handshake costs a sha512 per
 * active key; `maxFailures` failures within `coolOffMs` close the address for `coolOffMs`,
 * during which its handshakes are refused before any key is read or digest computed. Successes do not reset the count (a client holding one good key could
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

  /**
   * Starts checking a handshake of the address: 0 when it may be checked (then end() must
   * follow), else the whole seconds until it may try again. Handshakes being checked count
   * against the budget, so that many at once from one address cannot all be checked.
   */
  begin(address: string, now = Date.now()): number {
    const entry = this.entry(address, now);
    if (entry.closedUntil > now) return Math.ceil((entry.closedUntil - now) / 1000);
    if (now - entry.since >= this.coolOffMs) {
      entry.failures = 0;
      entry.since = now;
    }
    if (entry.failures + entry.pending >= this.maxFailures) return 1;
    entry.pending++;
    return 0;
  }

  /** Ends a check begun with begin(); a failure counts against the address. */
  end(address: string, failed: boolean, now = Date.now()): void {
    const entry = this.entry(address, now);
    entry.pending = Math.max(0, entry.pending - 1);
    if (!failed) return;
    entry.failures++;
    if (entry.failures >= this.maxFailures) {
      entry.closedUntil = now + this.coolOffMs;
      // The count starts again once the cool-off is over.
      entry.failures = 0;
      entry.since = entry.closedUntil;
    }
  }

  private entry(address: string, now: number): Entry {
    let entry = this.addresses.get(address);
    if (!entry) {
      if (this.addresses.size >= this.maxAddresses) this.prune(now);
      entry = { failures: 0, pending: 0, since: now, closedUntil: 0 };
      this.addresses.set(address, entry);
    }
    return entry;
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
        if (entry.pending === 0 && entry.closedUntil <= now && now - entry.since >= this.coolOffMs)
          this.addresses.delete(address);
    }
    if (this.addresses.size >= this.maxAddresses) {
      const oldest = this.addresses.keys().next().value;
      if (oldest !== undefined) this.addresses.delete(oldest);
    }
  }
}

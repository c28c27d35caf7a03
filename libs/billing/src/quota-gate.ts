import { pathPayers, quotasOf, type BillingQuota, type PathPayers } from './quotas.repository';
import type { Queryable } from './usage.repository';

// What the ingest gateway asks before it stores a write: which of the write's resources a
// reached billing quota refuses. Quotas and usage are cached per organisation and read again
// every `refreshMs`; usage comes from the rollups, so a quota reached is seen once the movements
// are folded (the worker's fold interval) and the cache is refreshed.

/** Why a write's points of one resource are refused, and when to try again. */
export interface QuotaRefusal {
  message: string;
  retryAfterSeconds: number;
}

/** The path of a write, as far as a quota's selection looks at it. */
export interface QuotaPath {
  id: string;
}

export interface QuotaGateOptions {
  /** How long a cached organisation's quotas and usage serve (default 5 s). */
  refreshMs?: number;
  /** Longest Retry-After given (default an hour): the period may end much later. */
  maxRetryAfterSeconds?: number;
  log?: (line: string) => void;
  now?: () => number;
}

interface Cached<T> {
  value: T;
  loadedAt: number;
  loading: Promise<T> | null;
}

/** Whether a quota's metric selects the movements ingest writes through a path. */
export function quotaSelectsPath(quota: BillingQuota, pathId: string, payers: PathPayers): boolean {
  const payer =
    quota.payer === 'destination' ? payers.destinationOrganisationId : payers.sourceOrganisationId;
  return (
    payer === quota.organisationId &&
    (quota.origins.length === 0 || quota.origins.includes('ingest')) &&
    (quota.pathIds.length === 0 || quota.pathIds.includes(pathId)) &&
    // Ingest movements are about no item: a metric of item kinds never selects them.
    quota.itemKinds.length === 0
  );
}

/** `1234567.5` → `1,234,567.5`. */
function grouped(decimal: string): string {
  const [whole, fraction] = decimal.split('.');
  const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction ? `${digits}.${fraction}` : digits;
}

/** The refusal's text: which quota of which plan, how much was used, and when it resets. */
export function quotaMessage(quota: BillingQuota): string {
  const resets = quota.period.end.toISOString().replace('.000Z', 'Z');
  return (
    `quota "${quota.metricCode}" of plan "${quota.planCode}" reached: ${grouped(quota.quota)} ` +
    `${quota.unit} per ${quota.interval} (used ${grouped(quota.used)}) for organisation ` +
    `${quota.organisationReference}; resets ${resets}`
  );
}

/**
 * Billing quotas as the ingest gateway enforces them (IngestWriter's `quotas` option). A lookup
 * that fails is logged and the last known state kept: billing trouble never stops ingest.
 */
export class BillingQuotaGate {
  private readonly organisations = new Map<string, Cached<BillingQuota[]>>();
  private readonly paths = new Map<string, Cached<PathPayers>>();
  private readonly refreshMs: number;
  private readonly maxRetryAfterSeconds: number;
  private readonly log: (line: string) => void;
  private readonly now: () => number;

  constructor(
    private readonly db: Queryable,
    options: QuotaGateOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? 5000;
    this.maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 3600;
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
  }

  /** Per resource of a write through `path` that a reached quota refuses, why. */
  async refused(
    path: QuotaPath,
    resourceIds: readonly string[],
  ): Promise<Map<string, QuotaRefusal>> {
    const refused = new Map<string, QuotaRefusal>();
    if (!resourceIds.length) return refused;
    const now = this.now();
    const payers = await this.cached(this.paths, path.id, now, () => pathPayers(this.db, path.id), {
      sourceOrganisationId: null,
      destinationOrganisationId: null,
    });
    const organisations = new Set(
      [payers.sourceOrganisationId, payers.destinationOrganisationId].filter(
        (id): id is string => id !== null,
      ),
    );
    for (const organisationId of organisations) {
      const quotas = await this.cached(
        this.organisations,
        organisationId,
        now,
        () => quotasOf(this.db, [organisationId], new Date(now)),
        [],
      );
      for (const quota of quotas) {
        const end = quota.period.end.getTime();
        // A period that ended since the last refresh starts afresh.
        if (!quota.reached || now >= end || !quotaSelectsPath(quota, path.id, payers)) continue;
        const retryAfterSeconds = Math.max(
          1,
          Math.min(this.maxRetryAfterSeconds, Math.ceil((end - now) / 1000)),
        );
        for (const resourceId of resourceIds)
          if (!refused.has(resourceId) && quota.resourceIds.includes(resourceId))
            refused.set(resourceId, { message: quotaMessage(quota), retryAfterSeconds });
      }
    }
    return refused;
  }

  /** The cached value of `key`, loaded again once older than refreshMs (one load at a time). */
  private async cached<T>(
    cache: Map<string, Cached<T>>,
    key: string,
    now: number,
    load: () => Promise<T>,
    fallback: T,
  ): Promise<T> {
    let entry = cache.get(key);
    if (entry && now - entry.loadedAt < this.refreshMs) return entry.value;
    if (!entry) cache.set(key, (entry = { value: fallback, loadedAt: -Infinity, loading: null }));
    const current = entry;
    current.loading ??= load()
      .then(
        (value) => {
          current.value = value;
          return value;
        },
        (error: Error) => {
          this.log(`ingest: billing quotas of ${key} not read, keeping the last: ${error.message}`);
          return current.value;
        },
      )
      .finally(() => {
        current.loadedAt = this.now();
        current.loading = null;
      });
    return current.loading;
  }
}

// The most rows each billing list can hold or return: enforced where the rows are made (the
// catalogue refuses more) or cut where they are read, and priced by the API's GraphQL limits.
export const billingLimits = {
  /** Live and archived metrics listed. */
  metrics: 500,
  plans: 200,
  /** Versions of a plan (its own and the overrides) listed. */
  versions: 200,
  /** Charges of one version (refused beyond). */
  charges: 50,
  /** Tiers of one charge (refused beyond). */
  tiers: 20,
  /** Subscriptions of an organisation listed (its history). */
  subscriptions: 200,
  /** Budgets of an organisation (refused beyond). */
  budgets: 50,
  /** Lines of one document listed. */
  lines: 2000,
  /** Buckets of a usage chart: the hours of a leap year. */
  usageBuckets: 8784,
  /** Rows of a report breakdown listed (organisations, resources). */
  reportRows: 10_000,
  /** Currencies in a report. */
  currencies: 200,
} as const;

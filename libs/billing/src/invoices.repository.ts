import type { AppliedTier, ChargeTerms, Tier } from './charges';
import type { Queryable } from './usage.repository';

// The SQL of billing runs: subscriptions, prices in effect, invoices and their lines.

export interface SubscriptionRow {
  id: string;
  organisationId: string;
  organisationName: string;
  organisationReference: string;
  planId: string;
  planCode: string;
  planName: string;
  currency: string;
  interval: 'month' | 'year';
  startsAt: Date;
  endsAt: Date | null;
  anchorDay: number;
  anchorMonth: number;
  trialDays: number;
  taxRate: string;
  graceDays: number;
  legalName: string | null;
  address: string[];
  taxId: string | null;
  email: string | null;
}

/** Subscriptions that may have something to bill at `at` (started, not ended long ago). */
export async function subscriptionsToBill(
  db: Queryable,
  filter: { organisationIds?: string[]; subscriptionIds?: string[] },
): Promise<SubscriptionRow[]> {
  const { rows } = await db.query<SubscriptionRow>(
    `SELECT s.id, s.organisation_id AS "organisationId", n.name AS "organisationName",
            n.reference AS "organisationReference", s.plan_id AS "planId", p.code AS "planCode",
            p.name AS "planName", p.currency, p.interval, s.starts_at AS "startsAt", s.ends_at AS "endsAt",
            s.anchor_day AS "anchorDay", s.anchor_month AS "anchorMonth", s.trial_days AS "trialDays",
            COALESCE(a.tax_rate, 0)::text AS "taxRate", COALESCE(a.grace_days, 3) AS "graceDays",
            a.legal_name AS "legalName", COALESCE(a.address, '{}') AS address, a.tax_id AS "taxId", a.email
       FROM subscription s
       JOIN plan p ON p.id = s.plan_id
       JOIN node n ON n.id = s.organisation_id
       LEFT JOIN billing_account a ON a.organisation_id = s.organisation_id
      WHERE ($1::uuid[] IS NULL OR s.organisation_id = ANY($1::uuid[]))
        AND ($2::uuid[] IS NULL OR s.id = ANY($2::uuid[]))
      ORDER BY s.organisation_id, s.starts_at`,
    [filter.organisationIds ?? null, filter.subscriptionIds ?? null],
  );
  return rows;
}

export interface ChargeRow {
  chargeId: string;
  metricId: string;
  metricCode: string;
  metricName: string;
  unit: string;
  terms: ChargeTerms;
  quota: string | null;
}

export interface PriceSet {
  /** The versions applied: the plan's and the organisation's override, if any. */
  versionIds: string[];
  fixedFee: string;
  charges: ChargeRow[];
}

interface ChargeSqlRow {
  version_id: string;
  override: boolean;
  fixed_fee: string | null;
  charge_id: string | null;
  metric_id: string | null;
  metric_code: string | null;
  metric_name: string | null;
  unit: string | null;
  model: ChargeTerms['model'] | null;
  unit_price: string | null;
  tiers: Tier[] | null;
  package_size: string | null;
  package_price: string | null;
  included_quantity: string | null;
  minimum_amount: string | null;
  cap_amount: string | null;
  quota: string | null;
}

/**
 * The prices in effect for an organisation on a plan at a time: the plan's latest version from
 * before it, with the organisation's latest override merged in (its charges replace the plan's
 * charge of the same metric; its fixed fee, when set, the plan's).
 */
export async function pricesAt(
  db: Queryable,
  planId: string,
  organisationId: string,
  at: Date,
): Promise<PriceSet | null> {
  const { rows } = await db.query<ChargeSqlRow>(
    `WITH versions AS (
       (SELECT id, false AS override, fixed_fee FROM plan_version
         WHERE plan_id = $1 AND organisation_id IS NULL AND effective_from <= $3
         ORDER BY effective_from DESC LIMIT 1)
       UNION ALL
       (SELECT id, true, fixed_fee FROM plan_version
         WHERE plan_id = $1 AND organisation_id = $2 AND effective_from <= $3
         ORDER BY effective_from DESC LIMIT 1)
     )
     SELECT v.id AS version_id, v.override, v.fixed_fee::text, c.id AS charge_id, c.metric_id,
            m.code AS metric_code, m.name AS metric_name, m.unit, c.model, c.unit_price::text, c.tiers,
            c.package_size::text, c.package_price::text, c.included_quantity::text,
            c.minimum_amount::text, c.cap_amount::text, c.quota::text
       FROM versions v
       LEFT JOIN plan_charge c ON c.version_id = v.id
       LEFT JOIN billable_metric m ON m.id = c.metric_id
      ORDER BY v.override, m.code`,
    [planId, organisationId, at],
  );
  const base = rows.find((r) => !r.override);
  if (!base) return null;
  const override = rows.find((r) => r.override);
  const charges = new Map<string, ChargeRow>();
  // The plan's rows come first (ordered by override): an override's charge replaces its metric's.
  for (const row of rows) {
    if (!row.charge_id || !row.metric_id) continue;
    charges.set(row.metric_id, {
      chargeId: row.charge_id,
      metricId: row.metric_id,
      metricCode: row.metric_code!,
      metricName: row.metric_name!,
      unit: row.unit!,
      quota: row.quota,
      terms: termsOf(row),
    });
  }
  return {
    versionIds: [...new Set(rows.map((r) => r.version_id))],
    fixedFee: override?.fixed_fee ?? base.fixed_fee ?? '0',
    charges: [...charges.values()].sort((a, b) => a.metricCode.localeCompare(b.metricCode)),
  };
}

function termsOf(row: ChargeSqlRow): ChargeTerms {
  const terms: ChargeTerms = { model: row.model! };
  if (row.unit_price !== null) terms.unitPrice = row.unit_price;
  if (row.tiers?.length) terms.tiers = row.tiers;
  if (row.package_size !== null) terms.packageSize = row.package_size;
  if (row.package_price !== null) terms.packagePrice = row.package_price;
  if (row.included_quantity !== null && row.included_quantity !== '0')
    terms.includedQuantity = row.included_quantity;
  if (row.minimum_amount !== null) terms.minimumAmount = row.minimum_amount;
  if (row.cap_amount !== null) terms.capAmount = row.cap_amount;
  return terms;
}

export interface InvoiceHead {
  id: string;
  state: 'draft' | 'finalised' | 'paid' | 'void';
  number: string | null;
}

export async function invoiceByKey(db: Queryable, key: string): Promise<InvoiceHead | null> {
  const { rows } = await db.query<InvoiceHead>(
    'SELECT id, state, number FROM invoice WHERE document_key = $1 FOR UPDATE',
    [key],
  );
  return rows[0] ?? null;
}

/** A line as written. Amounts are decimal strings rounded to the currency's minor units. */
export interface LineInput {
  kind: 'fixed_fee' | 'usage' | 'adjustment' | 'credit';
  metricId: string | null;
  description: string;
  periodStart: Date;
  periodEnd: Date;
  quantity: string | null;
  unit: string | null;
  unitPrice: string | null;
  amount: string;
  tiers: AppliedTier[];
  terms: Record<string, unknown>;
  txFrom: bigint | null;
  txTo: bigint | null;
  adjustsId: string | null;
}

export interface InvoiceInput {
  id: string;
  kind: 'invoice' | 'credit_note';
  documentKey: string;
  issuer: string;
  organisationId: string;
  subscriptionId: string | null;
  planId: string | null;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  minorUnits: number;
  subtotal: string;
  taxRate: string;
  tax: string;
  total: string;
  correctsId: string | null;
  customerDetails: Record<string, unknown>;
  issuerDetails: Record<string, unknown>;
}

/** Writes a draft (inserting it or replacing a draft's totals); returns its id. */
export async function upsertDraft(db: Queryable, invoice: InvoiceInput): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO invoice (id, kind, document_key, issuer, organisation_id, subscription_id, plan_id,
                          period_start, period_end, currency, minor_units, subtotal, tax_rate, tax, total,
                          corrects_id, customer_details, issuer_details, refreshed_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, now(), now())
     ON CONFLICT (document_key) DO UPDATE SET
       subtotal = EXCLUDED.subtotal, tax_rate = EXCLUDED.tax_rate, tax = EXCLUDED.tax, total = EXCLUDED.total,
       period_end = EXCLUDED.period_end, plan_id = EXCLUDED.plan_id,
       customer_details = EXCLUDED.customer_details, issuer_details = EXCLUDED.issuer_details,
       refreshed_at = now(), updated_at = now()
     WHERE invoice.state = 'draft'
     RETURNING id`,
    [
      invoice.id,
      invoice.kind,
      invoice.documentKey,
      invoice.issuer,
      invoice.organisationId,
      invoice.subscriptionId,
      invoice.planId,
      invoice.periodStart,
      invoice.periodEnd,
      invoice.currency,
      invoice.minorUnits,
      invoice.subtotal,
      invoice.taxRate,
      invoice.tax,
      invoice.total,
      invoice.correctsId,
      JSON.stringify(invoice.customerDetails),
      JSON.stringify(invoice.issuerDetails),
    ],
  );
  if (!rows[0]) throw new Error(`invoice ${invoice.documentKey} is no longer a draft`);
  return rows[0].id;
}

/** Replaces a draft's lines (`fresh`: the draft was just made and has none). */
export async function replaceLines(
  db: Queryable,
  invoiceId: string,
  lines: (LineInput & { id: string })[],
  fresh = false,
): Promise<void> {
  if (!fresh) await db.query('DELETE FROM invoice_line WHERE invoice_id = $1', [invoiceId]);
  if (!lines.length) return;
  await db.query(
    `INSERT INTO invoice_line (id, invoice_id, position, kind, metric_id, description, period_start, period_end,
                               quantity, unit, unit_price, amount, tiers, terms, tx_from, tx_to, adjusts_id)
     SELECT l.id, $1, l.position, l.kind::"InvoiceLineKind", l.metric_id, l.description, l.period_start,
            l.period_end, l.quantity, l.unit, l.unit_price, l.amount, l.tiers, l.terms, l.tx_from, l.tx_to,
            l.adjusts_id
       FROM jsonb_to_recordset($2::jsonb) AS l(id uuid, position int, kind text, metric_id uuid, description text,
            period_start timestamptz, period_end timestamptz, quantity numeric, unit text, unit_price numeric,
            amount numeric, tiers jsonb, terms jsonb, tx_from bigint, tx_to bigint, adjusts_id uuid)`,
    [
      invoiceId,
      JSON.stringify(
        lines.map((line, position) => ({
          id: line.id,
          position: position + 1,
          kind: line.kind,
          metric_id: line.metricId,
          description: line.description,
          period_start: line.periodStart.toISOString(),
          period_end: line.periodEnd.toISOString(),
          quantity: line.quantity,
          unit: line.unit,
          unit_price: line.unitPrice,
          amount: line.amount,
          tiers: line.tiers,
          terms: line.terms,
          tx_from: line.txFrom?.toString() ?? null,
          tx_to: line.txTo?.toString() ?? null,
          adjusts_id: line.adjustsId,
        })),
      ),
    ],
  );
}

/** The next number of an issuer's documents of a kind in a year: gap-free (row-locked). */
export async function nextNumber(
  db: Queryable,
  issuer: string,
  kind: 'invoice' | 'credit_note',
  year: number,
): Promise<string> {
  const { rows } = await db.query<{ last: number }>(
    `INSERT INTO document_sequence (issuer, kind, year, last) VALUES ($1, $2, $3, 1)
     ON CONFLICT (issuer, kind, year) DO UPDATE SET last = document_sequence.last + 1
     RETURNING last`,
    [issuer, kind, year],
  );
  const prefix = kind === 'invoice' ? 'INV' : 'CN';
  return `${prefix}-${year}-${String(rows[0]!.last).padStart(6, '0')}`;
}

/** Makes a draft final: number, dates and the PDF as issued. */
export async function markFinalised(
  db: Queryable,
  invoiceId: string,
  finalised: { number: string; issuedAt: Date; dueAt: Date; pdf: Buffer; pdfSha256: string },
): Promise<void> {
  await db.query(
    `UPDATE invoice SET state = 'finalised', number = $2, issued_at = $3, due_at = $4, pdf = $5,
                        pdf_sha256 = $6, updated_at = now()
      WHERE id = $1 AND state = 'draft'`,
    [
      invoiceId,
      finalised.number,
      finalised.issuedAt,
      finalised.dueAt,
      finalised.pdf,
      finalised.pdfSha256,
    ],
  );
}

/** A usage line of a finalised invoice with what was billed for it since (adjustments, credits). */
export interface BilledUsage {
  invoiceId: string;
  invoiceNumber: string;
  taxRate: string;
  issuedAt: Date;
  metricId: string;
  metricName: string;
  unit: string;
  periodStart: Date;
  periodEnd: Date;
  terms: { charge: ChargeTerms; proration: string };
  /** Quantity and amount billed in all: the line, plus adjustments, minus credits. */
  quantity: string;
  amount: string;
  /** The highest watermark billed. */
  txTo: bigint;
}

/** The usage lines of an organisation's finalised (or paid) invoices, with their corrections. */
export async function billedUsage(db: Queryable, organisationId: string): Promise<BilledUsage[]> {
  const { rows } = await db.query<{
    invoice_id: string;
    number: string;
    tax_rate: string;
    issued_at: Date;
    metric_id: string;
    metric_name: string;
    unit: string;
    period_start: Date;
    period_end: Date;
    terms: BilledUsage['terms'];
    quantity: string;
    amount: string;
    tx_to: string;
  }>(
    `SELECT i.id AS invoice_id, i.number, i.tax_rate::text, i.issued_at, l.metric_id, m.name AS metric_name,
            COALESCE(l.unit, m.unit) AS unit, l.period_start, l.period_end, l.terms,
            (l.quantity + COALESCE(c.quantity, 0))::text AS quantity,
            (l.amount + COALESCE(c.amount, 0))::text AS amount,
            GREATEST(l.tx_to, COALESCE(c.tx_to, 0))::text AS tx_to
       FROM invoice i
       JOIN invoice_line l ON l.invoice_id = i.id AND l.kind = 'usage'
       JOIN billable_metric m ON m.id = l.metric_id
       LEFT JOIN LATERAL (
         SELECT sum(CASE WHEN x.kind = 'credit' THEN -x.quantity ELSE x.quantity END) AS quantity,
                sum(CASE WHEN x.kind = 'credit' THEN -x.amount ELSE x.amount END) AS amount,
                max(x.tx_to) AS tx_to
           FROM invoice_line x JOIN invoice d ON d.id = x.invoice_id
          WHERE x.adjusts_id = i.id AND x.metric_id = l.metric_id AND x.period_start = l.period_start
            AND d.state IN ('finalised', 'paid')
       ) c ON true
      WHERE i.organisation_id = $1 AND i.kind = 'invoice' AND i.state IN ('finalised', 'paid')
      ORDER BY i.period_start, m.code`,
    [organisationId],
  );
  return rows.map((r) => ({
    invoiceId: r.invoice_id,
    invoiceNumber: r.number,
    taxRate: r.tax_rate,
    issuedAt: r.issued_at,
    metricId: r.metric_id,
    metricName: r.metric_name,
    unit: r.unit,
    periodStart: r.period_start,
    periodEnd: r.period_end,
    terms: r.terms,
    quantity: r.quantity,
    amount: r.amount,
    txTo: BigInt(r.tx_to),
  }));
}

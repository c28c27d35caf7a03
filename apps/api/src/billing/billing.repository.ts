import { Injectable } from '@nestjs/common';
import {
  billingLimits,
  type AppliedTier,
  type InvoiceCsvRow,
  type Party,
  type Tier,
  type UsageCsvRow,
} from '@sextant/billing';
import { DomainError } from '@sextant/domain';
import type { Pool } from 'pg';
import type { MovementModel } from '../movements/movement.model';
import { PrismaService } from '../prisma/prisma.service';
import type {
  BillingAccountModel,
  BillingMetricModel,
  BudgetModel,
  InvoiceLineModel,
  InvoiceModel,
  PlanChargeModel,
  PlanModel,
  PlanVersionModel,
  SubscriptionModel,
} from './billing.model';

const metricColumns = `id, code, name, description, unit, resource_id AS "resourceId",
  resource_pattern AS "resourcePattern", payer::text AS payer, origins::text[] AS origins,
  path_ids::text[] AS "pathIds", item_kinds::text[] AS "itemKinds", aggregation::text AS aggregation,
  unique_of::text AS "uniqueOf", unit_divisor::text AS "unitDivisor", rolled_at AS "rolledAt",
  archived_at AS "archivedAt", created_at AS "createdAt"`;

const planColumns = `id, code, name, description, currency, interval::text AS interval,
  archived_at AS "archivedAt", created_at AS "createdAt"`;

const subscriptionColumns = `s.id, s.organisation_id AS "organisationId", s.plan_id AS "planId",
  p.code AS "planCode", p.name AS "planName", s.starts_at AS "startsAt", s.ends_at AS "endsAt",
  s.anchor_day AS "anchorDay", s.anchor_month AS "anchorMonth", s.trial_days AS "trialDays",
  s.previous_id AS "previousId", s.cancelled_at AS "cancelledAt"`;

/** Amounts as stored (6 places); the service writes them to the currency's minor units. */
const invoiceColumns = `i.id, i.kind::text AS kind, i.number, i.state::text AS state,
  i.organisation_id AS "organisationId", n.name AS "organisationName",
  i.subscription_id AS "subscriptionId", i.period_start AS "periodStart", i.period_end AS "periodEnd",
  i.currency, i.minor_units AS "minorUnits", i.subtotal::text AS subtotal, i.tax_rate::text AS "taxRate",
  i.tax::text AS tax, i.total::text AS total, i.issued_at AS "issuedAt", i.due_at AS "dueAt",
  i.paid_at AS "paidAt", i.voided_at AS "voidedAt", i.void_reason AS "voidReason",
  i.corrects_id AS "correctsId", i.pdf_sha256 AS "pdfSha256", i.created_at AS "createdAt"`;

const movementColumns = `m.id, m.resource_id AS "resourceId", m.source_id AS "sourceId",
  m.destination_id AS "destinationId", m.item_id AS "itemId", m.path_id AS "pathId",
  m.corrects_id AS "correctsId", m.quantity::text AS quantity, m.start, m.stop,
  m.unit_price::text AS "unitPrice", m.origin::text AS origin, m.external_id AS "externalId",
  m.created_at AS "createdAt"`;

export type InvoiceRow = InvoiceModel & { minorUnits: number };
export type LineRow = InvoiceLineModel;

export interface InvoiceFilter {
  /** Organisations the caller may see; null for all. */
  organisationIds: string[] | null;
  organisationId?: string;
  kind?: string;
  state?: string;
  after?: { periodStart: Date; id: string };
}

export interface ExportFilter {
  organisationIds: string[] | null;
  organisationId?: string;
  from?: Date;
  to?: Date;
}

export interface ActiveSubscription {
  id: string;
  planId: string;
  currency: string;
  interval: 'month' | 'year';
  startsAt: Date;
  endsAt: Date | null;
  anchorDay: number;
  anchorMonth: number;
  trialDays: number;
}

export interface MetricFacts {
  id: string;
  aggregation: string;
  unitDivisor: string;
  rolledAt: Date | null;
}

export interface RollupBucket {
  metricId: string;
  at: Date;
  quantity: string;
  movements: string;
  maxQuantity: string;
  weightedMs: string;
}

/** A billing document as the PDF renders it. */
export interface DocumentRow {
  id: string;
  kind: 'invoice' | 'credit_note';
  state: 'draft' | 'finalised' | 'paid' | 'void';
  number: string | null;
  pdf: Buffer | null;
  issuedAt: Date | null;
  dueAt: Date | null;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  minorUnits: number;
  subtotal: string;
  taxRate: string;
  tax: string;
  total: string;
  voidReason: string | null;
  issuer: Party;
  customer: Party;
  corrects: { number: string; issuedAt: Date } | null;
}

/** Every query of the billing API (the catalogue's writes and billing runs are libs/billing's). */
@Injectable()
export class BillingRepository {
  constructor(private readonly prisma: PrismaService) {}

  get pool(): Pool {
    return this.prisma.pool;
  }

  async metrics(): Promise<BillingMetricModel[]> {
    const { rows } = await this.pool.query<BillingMetricModel>(
      `SELECT ${metricColumns} FROM billable_metric ORDER BY code LIMIT ${billingLimits.metrics}`,
    );
    return rows;
  }

  async metric(id: string): Promise<BillingMetricModel | null> {
    const { rows } = await this.pool.query<BillingMetricModel>(
      `SELECT ${metricColumns} FROM billable_metric WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** Changes a metric's name, description or archived state; false when it does not exist. */
  async updateMetric(
    id: string,
    change: { name?: string; description?: string; archived?: boolean },
  ): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE billable_metric SET name = COALESCE($2, name), description = COALESCE($3, description),
              archived_at = CASE WHEN $4::boolean IS NULL THEN archived_at
                                 WHEN $4 THEN COALESCE(archived_at, now()) END,
              updated_at = now()
        WHERE id = $1`,
      [id, change.name ?? null, change.description ?? null, change.archived ?? null],
    );
    return !!rowCount;
  }

  async plans(): Promise<PlanModel[]> {
    const { rows } = await this.pool.query<PlanModel>(
      `SELECT ${planColumns} FROM plan ORDER BY code LIMIT ${billingLimits.plans}`,
    );
    return rows;
  }

  async plan(id: string): Promise<PlanModel | null> {
    const { rows } = await this.pool.query<PlanModel>(
      `SELECT ${planColumns} FROM plan WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** A plan's versions, oldest first, with their charges; overrides only when asked. */
  async versions(planId: string, withOverrides: boolean): Promise<PlanVersionModel[]> {
    const { rows } = await this.pool.query<
      Omit<PlanVersionModel, 'charges'> & { charges: (PlanChargeModel & { tiers: Tier[] })[] }
    >(
      `SELECT v.id, v.organisation_id AS "organisationId", v.effective_from AS "effectiveFrom",
              v.fixed_fee::text AS "fixedFee", v.note,
              COALESCE(json_agg(json_build_object(
                'id', c.id, 'metricId', c.metric_id, 'metricCode', m.code, 'model', c.model,
                'unitPrice', c.unit_price::text, 'tiers', c.tiers, 'packageSize', c.package_size::text,
                'packagePrice', c.package_price::text, 'includedQuantity', c.included_quantity::text,
                'minimumAmount', c.minimum_amount::text, 'capAmount', c.cap_amount::text,
                'quota', c.quota::text) ORDER BY m.code) FILTER (WHERE c.id IS NOT NULL), '[]') AS charges
         FROM plan_version v
         LEFT JOIN plan_charge c ON c.version_id = v.id
         LEFT JOIN billable_metric m ON m.id = c.metric_id
        WHERE v.plan_id = $1 AND ($2 OR v.organisation_id IS NULL)
        GROUP BY v.id ORDER BY v.effective_from, v.organisation_id NULLS FIRST
        LIMIT ${billingLimits.versions}`,
      [planId, withOverrides],
    );
    return rows.map((v) => ({
      ...v,
      charges: v.charges.map((c) => ({
        ...c,
        tiers: c.tiers.map((t) => ({
          upTo: t.upTo ?? null,
          unitPrice: t.unitPrice,
          flatFee: t.flatFee ?? null,
        })),
      })),
    }));
  }

  /** The kind of a node; null when it does not exist. */
  async nodeKind(id: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ kind: string }>(
      'SELECT kind::text AS kind FROM node WHERE id = $1',
      [id],
    );
    return rows[0]?.kind ?? null;
  }

  /** An organisation's billing account; the defaults when it has none yet. */
  async account(organisationId: string): Promise<BillingAccountModel> {
    const { rows } = await this.pool.query<BillingAccountModel>(
      `SELECT n.id AS "organisationId", a.legal_name AS "legalName", COALESCE(a.address, '{}') AS address,
              a.tax_id AS "taxId", a.email, COALESCE(a.tax_rate, 0)::text AS "taxRate",
              COALESCE(a.grace_days, 3) AS "graceDays"
         FROM node n LEFT JOIN billing_account a ON a.organisation_id = n.id WHERE n.id = $1`,
      [organisationId],
    );
    return rows[0]!;
  }

  /** Writes the given fields of an account (made with the defaults if missing). */
  async saveAccount(
    organisationId: string,
    change: {
      legalName?: string;
      address?: string[];
      taxId?: string;
      email?: string;
      taxRate?: string;
      graceDays?: number;
    },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO billing_account (organisation_id, legal_name, address, tax_id, email, tax_rate, grace_days, updated_at)
       VALUES ($1, $2, COALESCE($3::text[], '{}'), $4, $5, COALESCE($6::numeric, 0), COALESCE($7::int, 3), now())
       ON CONFLICT (organisation_id) DO UPDATE SET
         legal_name = COALESCE($2, billing_account.legal_name),
         address = COALESCE($3::text[], billing_account.address),
         tax_id = COALESCE($4, billing_account.tax_id),
         email = COALESCE($5, billing_account.email),
         tax_rate = COALESCE($6::numeric, billing_account.tax_rate),
         grace_days = COALESCE($7::int, billing_account.grace_days),
         updated_at = now()`,
      [
        organisationId,
        change.legalName ?? null,
        change.address ?? null,
        change.taxId ?? null,
        change.email ?? null,
        change.taxRate ?? null,
        change.graceDays ?? null,
      ],
    );
  }

  async subscriptions(organisationId: string): Promise<SubscriptionModel[]> {
    const { rows } = await this.pool.query<SubscriptionModel>(
      `SELECT ${subscriptionColumns} FROM subscription s JOIN plan p ON p.id = s.plan_id
        WHERE s.organisation_id = $1 ORDER BY s.starts_at, s.id LIMIT ${billingLimits.subscriptions}`,
      [organisationId],
    );
    return rows;
  }

  async subscription(id: string): Promise<SubscriptionModel | null> {
    const { rows } = await this.pool.query<SubscriptionModel>(
      `SELECT ${subscriptionColumns} FROM subscription s JOIN plan p ON p.id = s.plan_id WHERE s.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  /** The subscription running at `at`, with its plan's currency and interval. */
  async activeSubscription(organisationId: string, at: Date): Promise<ActiveSubscription | null> {
    const { rows } = await this.pool.query<ActiveSubscription>(
      `SELECT s.id, s.plan_id AS "planId", p.currency, p.interval::text AS interval,
              s.starts_at AS "startsAt", s.ends_at AS "endsAt", s.anchor_day AS "anchorDay",
              s.anchor_month AS "anchorMonth", s.trial_days AS "trialDays"
         FROM subscription s JOIN plan p ON p.id = s.plan_id
        WHERE s.organisation_id = $1 AND s.starts_at <= $2 AND (s.ends_at IS NULL OR s.ends_at > $2)
        ORDER BY s.starts_at DESC LIMIT 1`,
      [organisationId, at],
    );
    return rows[0] ?? null;
  }

  /** Newest period first, keyset after `filter.after`. */
  async invoices(filter: InvoiceFilter, limit: number): Promise<InvoiceRow[]> {
    const { rows } = await this.pool.query<InvoiceRow>(
      `SELECT ${invoiceColumns} FROM invoice i JOIN node n ON n.id = i.organisation_id
        WHERE ($1::uuid[] IS NULL OR i.organisation_id = ANY($1::uuid[]))
          AND ($2::uuid IS NULL OR i.organisation_id = $2)
          AND ($3::text IS NULL OR i.kind = $3::"InvoiceKind")
          AND ($4::text IS NULL OR i.state = $4::"InvoiceState")
          AND ($5::timestamptz IS NULL OR (i.period_start, i.id) < ($5, $6::uuid))
        ORDER BY i.period_start DESC, i.id DESC LIMIT $7`,
      [
        filter.organisationIds,
        filter.organisationId ?? null,
        filter.kind ?? null,
        filter.state ?? null,
        filter.after?.periodStart ?? null,
        filter.after?.id ?? null,
        limit,
      ],
    );
    return rows;
  }

  async invoice(id: string): Promise<InvoiceRow | null> {
    const { rows } = await this.pool.query<InvoiceRow>(
      `SELECT ${invoiceColumns} FROM invoice i JOIN node n ON n.id = i.organisation_id WHERE i.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async lines(invoiceId: string): Promise<LineRow[]> {
    const { rows } = await this.pool.query<LineRow & { tiers: AppliedTier[] }>(
      `SELECT id, position, kind::text AS kind, metric_id AS "metricId", description,
              period_start AS "periodStart", period_end AS "periodEnd", quantity::text AS quantity, unit,
              unit_price::text AS "unitPrice", amount::text AS amount, tiers, adjusts_id AS "adjustsId"
         FROM invoice_line WHERE invoice_id = $1 ORDER BY position LIMIT ${billingLimits.lines}`,
      [invoiceId],
    );
    return rows;
  }

  /**
   * The movements an invoice line was rated from, oldest first, keyset after `after`: those of
   * its metric's selection paid by the invoice's organisation (the payer node's nearest
   * organisation ancestor), starting in the line's period, written by transactions in
   * [tx_from, tx_to). Null when the line does not exist on the invoice.
   */
  async lineMovements(
    invoiceId: string,
    lineId: string,
    page: { after?: { start: Date; id: string }; limit: number },
  ): Promise<MovementModel[] | null> {
    const { rows: lines } = await this.pool.query<{
      organisation_id: string;
      period_start: Date;
      period_end: Date;
      tx_from: string;
      tx_to: string | null;
      metric_id: string | null;
      payer: 'destination' | 'source' | null;
    }>(
      `SELECT i.organisation_id, l.period_start, l.period_end, COALESCE(l.tx_from, 0)::text AS tx_from,
              l.tx_to::text AS tx_to, l.metric_id, m.payer::text AS payer
         FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id
         LEFT JOIN billable_metric m ON m.id = l.metric_id
        WHERE l.id = $1 AND l.invoice_id = $2`,
      [lineId, invoiceId],
    );
    const line = lines[0];
    if (!line) return null;
    // A fixed fee was rated from no movement.
    if (!line.metric_id || line.tx_to === null) return [];
    // The payer's column, from the metric's enum (never from the request): its index on
    // (column, start) finds the organisation's movements of the period.
    const payer = line.payer === 'source' ? 'm.source_id' : 'm.destination_id';
    const { rows } = await this.pool.query<MovementModel>(
      `WITH RECURSIVE own(id) AS (
         -- The organisation's nodes: its subtree, but not organisations below it (they pay for
         -- their own), the same nearest-organisation rule the rollups fold by.
         SELECT id FROM node WHERE id = $1
         UNION ALL
         SELECT c.id FROM node c JOIN own ON c.parent_id = own.id WHERE c.kind <> 'organisation'
       ),
       metric AS (SELECT * FROM billable_metric WHERE id = $2),
       resources AS (
         SELECT r.id FROM resource r, metric bm
          WHERE r.id = bm.resource_id
             OR (bm.resource_pattern IS NOT NULL AND r.reference LIKE
                 replace(replace(replace(replace(bm.resource_pattern, '\\', '\\\\'), '%', '\\%'), '_', '\\_'), '*', '%'))
       )
       SELECT ${movementColumns}
         FROM movement m CROSS JOIN metric bm
         LEFT JOIN item it ON cardinality(bm.item_kinds) > 0 AND it.id = m.item_id
        WHERE ${payer} IN (SELECT id FROM own)
          AND m.resource_id IN (SELECT id FROM resources)
          AND m.start >= $3 AND m.start < $4
          AND m.tx >= $5::bigint AND m.tx < $6::bigint
          AND (cardinality(bm.origins) = 0 OR m.origin = ANY(bm.origins))
          AND (cardinality(bm.path_ids) = 0 OR m.path_id = ANY(bm.path_ids))
          AND (cardinality(bm.item_kinds) = 0 OR it.kind = ANY(bm.item_kinds))
          AND ($7::timestamptz IS NULL OR (m.start, m.id) > ($7, $8::uuid))
        ORDER BY m.start, m.id LIMIT $9`,
      [
        line.organisation_id,
        line.metric_id,
        line.period_start,
        line.period_end,
        line.tx_from,
        line.tx_to,
        page.after?.start ?? null,
        page.after?.id ?? null,
        page.limit,
      ],
    );
    return rows;
  }

  /** A document with its stored PDF and what a draft's PDF is rendered from. */
  async document(id: string): Promise<DocumentRow | null> {
    const { rows } = await this.pool.query<DocumentRow>(
      `SELECT i.id, i.kind::text AS kind, i.state::text AS state, i.number, i.pdf, i.issued_at AS "issuedAt",
              i.due_at AS "dueAt", i.period_start AS "periodStart", i.period_end AS "periodEnd", i.currency,
              i.minor_units AS "minorUnits", i.subtotal::text AS subtotal, i.tax_rate::text AS "taxRate",
              i.tax::text AS tax, i.total::text AS total, i.void_reason AS "voidReason",
              i.issuer_details AS issuer, i.customer_details AS customer,
              CASE WHEN c.id IS NOT NULL THEN json_build_object('number', c.number, 'issuedAt', c.issued_at) END
                AS corrects
         FROM invoice i LEFT JOIN invoice c ON c.id = i.corrects_id WHERE i.id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      ...row,
      corrects: row.corrects
        ? { number: row.corrects.number, issuedAt: new Date(row.corrects.issuedAt) }
        : null,
    };
  }

  /**
   * Moves a finalised document to paid or void; false when it is not finalised. What the
   * database refuses besides (its trigger and checks) is an illegal transition, never a 500.
   */
  async settle(
    id: string,
    to: { state: 'paid'; paidAt: Date } | { state: 'void'; reason: string },
  ): Promise<boolean> {
    try {
      const { rowCount } =
        to.state === 'paid'
          ? await this.pool.query(
              `UPDATE invoice SET state = 'paid', paid_at = $2, updated_at = now()
                WHERE id = $1 AND state = 'finalised'`,
              [id, to.paidAt],
            )
          : await this.pool.query(
              `UPDATE invoice SET state = 'void', voided_at = now(), void_reason = $2, updated_at = now()
                WHERE id = $1 AND state = 'finalised'`,
              [id, to.reason],
            );
      return !!rowCount;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === '23514' || code === 'P0001')
        throw new DomainError('IllegalTransition', (error as Error).message);
      throw error;
    }
  }

  /** Rows of the invoices export: documents whose period starts in [from, to). */
  async invoiceExport(filter: ExportFilter): Promise<InvoiceCsvRow[]> {
    const { rows } = await this.pool.query<InvoiceCsvRow>(
      `SELECT i.number, i.kind::text AS kind, i.state::text AS state, n.name AS organisation,
              i.period_start AS "periodStart", i.period_end AS "periodEnd", i.issued_at AS "issuedAt",
              i.currency, trim_scale(i.subtotal)::text AS subtotal, trim_scale(i.tax)::text AS tax,
              trim_scale(i.total)::text AS total, i.paid_at AS "paidAt", c.number AS corrects
         FROM invoice i JOIN node n ON n.id = i.organisation_id
         LEFT JOIN invoice c ON c.id = i.corrects_id
        WHERE ${exportWhere}
        ORDER BY i.period_start, n.name, i.kind, i.number NULLS LAST`,
      exportParams(filter),
    );
    return rows;
  }

  /** Rows of the usage export: the metric lines of those documents. */
  async usageExport(filter: ExportFilter): Promise<UsageCsvRow[]> {
    const { rows } = await this.pool.query<UsageCsvRow>(
      `SELECT i.number AS invoice, n.name AS organisation, m.name AS metric,
              l.period_start AS "periodStart", l.period_end AS "periodEnd",
              trim_scale(COALESCE(l.quantity, 0))::text AS quantity, COALESCE(l.unit, m.unit) AS unit,
              trim_scale(l.unit_price)::text AS "unitPrice", trim_scale(l.amount)::text AS amount,
              i.currency, l.tiers, l.kind::text AS kind
         FROM invoice i JOIN node n ON n.id = i.organisation_id
         JOIN invoice_line l ON l.invoice_id = i.id
         JOIN billable_metric m ON m.id = l.metric_id
        WHERE ${exportWhere}
        ORDER BY i.period_start, n.name, i.number NULLS LAST, l.position`,
      exportParams(filter),
    );
    return rows;
  }

  async budgets(organisationId: string): Promise<BudgetModel[]> {
    const { rows } = await this.pool.query<BudgetModel>(
      `SELECT ${budgetColumns} FROM billing_budget WHERE organisation_id = $1 ORDER BY created_at, id
        LIMIT ${billingLimits.budgets}`,
      [organisationId],
    );
    return rows;
  }

  async budget(id: string): Promise<BudgetModel | null> {
    const { rows } = await this.pool.query<BudgetModel>(
      `SELECT ${budgetColumns} FROM billing_budget WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async createBudget(budget: {
    id: string;
    organisationId: string;
    kind: string;
    metricId: string | null;
    amount: string;
    thresholds: number[];
  }): Promise<void> {
    await this.pool.query(
      `INSERT INTO billing_budget (id, organisation_id, kind, metric_id, amount, thresholds, updated_at)
       VALUES ($1, $2, $3::"BudgetKind", $4, $5, $6::int[], now())`,
      [
        budget.id,
        budget.organisationId,
        budget.kind,
        budget.metricId,
        budget.amount,
        budget.thresholds,
      ],
    );
  }

  async deleteBudget(id: string): Promise<void> {
    await this.pool.query('DELETE FROM billing_budget WHERE id = $1', [id]);
  }

  /** Aggregation, divisor and watermark of metrics. */
  async metricFacts(ids: string[]): Promise<MetricFacts[]> {
    const { rows } = await this.pool.query<MetricFacts>(
      `SELECT id, aggregation::text AS aggregation, unit_divisor::text AS "unitDivisor",
              rolled_at AS "rolledAt"
         FROM billable_metric WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return rows;
  }

  /** Hourly rollups of an organisation's metrics summed per hour or day (never the ledger). */
  async rollupSeries(query: {
    organisationId: string;
    metricIds: string[];
    from: Date;
    to: Date;
    every: 'hour' | 'day';
  }): Promise<RollupBucket[]> {
    const { rows } = await this.pool.query<RollupBucket>(
      `SELECT metric_id AS "metricId", date_trunc($5, hour) AS at, sum(quantity)::text AS quantity,
              sum(movements)::text AS movements, max(max_quantity)::text AS "maxQuantity",
              sum(weighted_ms)::text AS "weightedMs"
         FROM billing_rollup
        WHERE organisation_id = $1 AND metric_id = ANY($2::uuid[]) AND hour >= $3 AND hour < $4
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [query.organisationId, query.metricIds, query.from, query.to, query.every],
    );
    return rows;
  }
}

const budgetColumns = `id, organisation_id AS "organisationId", kind::text AS kind, metric_id AS "metricId",
  trim_scale(amount)::text AS amount, thresholds, created_at AS "createdAt"`;

const exportWhere = `($1::uuid[] IS NULL OR i.organisation_id = ANY($1::uuid[]))
  AND ($2::uuid IS NULL OR i.organisation_id = $2)
  AND ($3::timestamptz IS NULL OR i.period_start >= $3)
  AND ($4::timestamptz IS NULL OR i.period_start < $4)`;

function exportParams(filter: ExportFilter): unknown[] {
  return [
    filter.organisationIds,
    filter.organisationId ?? null,
    filter.from ?? null,
    filter.to ?? null,
  ];
}

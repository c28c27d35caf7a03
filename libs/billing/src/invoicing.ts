import { createHash } from 'node:crypto';
import { uuidv7 } from '@sextant/domain';
import type { Pool, PoolClient } from 'pg';
import { rateCharge } from './charges';
import { renderInvoicePdf, type InvoiceDocument, type Party } from './documents';
import { invoiceTotals } from './invoice-math';
import {
  billedUsage,
  invoiceByKey,
  markFinalised,
  nextNumber,
  pricesAt,
  replaceLines,
  subscriptionsToBill,
  upsertDraft,
  type LineInput,
  type PriceSet,
  type SubscriptionRow,
} from './invoices.repository';
import { minorUnits, Money, plainString, roundMoney } from './money';
import { dayFraction, periodContaining, periodsBetween, type Period } from './periods';
import { inTransaction } from './transaction';
import { readUsage, type MetricUsage, type Queryable } from './usage.repository';

/** Who issues the documents. */
export interface Issuer {
  /** Numbers are gap-free per issuer code. */
  code: string;
  name: string;
  address: string[];
  taxId?: string | null;
  email?: string | null;
  paymentTermsDays: number;
}

/** refresh: rewrite drafts; finalise: also finalise every ended period; auto: finalise after grace. */
export type RunMode = 'refresh' | 'finalise' | 'auto';

export interface RunSummary {
  subscriptions: number;
  drafts: number;
  /** Numbers of the documents finalised by this run. */
  finalised: string[];
  creditNotes: string[];
  problems: string[];
}

const dayMs = 86_400_000;
const quantityDigits = 6;
/** Organisations a refresh bills at once. */
const refreshLanes = 4;

/**
 * Billing runs: one draft per subscription and period, refreshed from the rollups, finalised
 * after the organisation's grace period (or by hand). Everything about one organisation happens
 * under its advisory lock, so two runs at once give the same documents.
 */
export class BillingEngine {
  constructor(
    private readonly pool: Pool,
    private readonly issuer: Issuer,
  ) {}

  /** The pool the engine bills through. */
  get database(): Pool {
    return this.pool;
  }

  /** Refreshes (and, by mode, finalises) the invoices of some or all organisations. */
  async run(options: {
    mode: RunMode;
    at: Date;
    organisationIds?: string[];
    onProgress?: (done: number, total: number) => void;
  }): Promise<RunSummary> {
    const subscriptions = await subscriptionsToBill(this.pool, {
      organisationIds: options.organisationIds,
    });
    const byOrganisation = new Map<string, SubscriptionRow[]>();
    for (const sub of subscriptions) {
      const list = byOrganisation.get(sub.organisationId) ?? [];
      list.push(sub);
      byOrganisation.set(sub.organisationId, list);
    }
    const summary: RunSummary = {
      subscriptions: subscriptions.length,
      drafts: 0,
      finalised: [],
      creditNotes: [],
      problems: [],
    };
    const prefetched = await this.prefetch(subscriptions, options.at);
    const organisations = [...byOrganisation];
    // Drafts take no numbers: a refresh bills a few organisations at once (each under its own
    // lock). Runs that may finalise go in order, so numbers follow the organisations' order.
    const lanes = options.mode === 'refresh' ? refreshLanes : 1;
    let next = 0;
    let done = 0;
    const lane = async () => {
      while (next < organisations.length) {
        const [organisationId, subs] = organisations[next++]!;
        try {
          await this.runOrganisation(organisationId, subs, options, summary, prefetched);
        } catch (error) {
          summary.problems.push(`${subs[0]!.organisationReference}: ${(error as Error).message}`);
        }
        options.onProgress?.(++done, organisations.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(lanes, organisations.length) }, lane));
    return summary;
  }

  /** Usage and prices of current periods read for all subscriptions at once (for drafts). */
  private async prefetch(subscriptions: SubscriptionRow[], at: Date): Promise<Prefetched> {
    const prices = new Map<string, PriceSet | null>();
    const usage = new Map<string, MetricUsage>();
    const organisationIds = [...new Set(subscriptions.map((s) => s.organisationId))];
    // Organisations without overrides share their plan's prices; those never invoiced have no
    // usage to correct: two queries instead of one per organisation.
    const { rows: overridden } = await this.pool.query<{ id: string }>(
      `SELECT DISTINCT organisation_id AS id FROM plan_version WHERE organisation_id = ANY($1::uuid[])`,
      [organisationIds],
    );
    const { rows: invoiced } = await this.pool.query<{ id: string }>(
      `SELECT DISTINCT organisation_id AS id FROM invoice
        WHERE organisation_id = ANY($1::uuid[]) AND kind = 'invoice' AND state IN ('finalised', 'paid')`,
      [organisationIds],
    );
    const shared = {
      overridden: new Set(overridden.map((r) => r.id)),
      invoiced: new Set(invoiced.map((r) => r.id)),
    };
    const groups = new Map<
      string,
      { period: Period; organisations: Set<string>; metrics: Set<string> }
    >();
    for (const sub of subscriptions) {
      const period = clip(periodContaining(at, sub.interval, sub.anchorDay, sub.anchorMonth), sub);
      if (!period) continue;
      const set = await this.pricesCached(prices, this.pool, sub, period.start, shared.overridden);
      if (!set) continue;
      const key = `${period.start.toISOString()}/${period.end.toISOString()}`;
      const group = groups.get(key) ?? { period, organisations: new Set(), metrics: new Set() };
      group.organisations.add(sub.organisationId);
      for (const charge of set.charges) group.metrics.add(charge.metricId);
      groups.set(key, group);
    }
    for (const group of groups.values()) {
      const rows = await readUsage(this.pool, {
        organisationIds: [...group.organisations],
        metricIds: [...group.metrics],
        from: group.period.start,
        to: group.period.end,
      });
      for (const row of rows)
        usage.set(usageKey(row.metricId, row.organisationId, group.period), row);
    }
    return { prices, usage, ...shared };
  }

  private async pricesCached(
    cache: Map<string, PriceSet | null>,
    db: Queryable,
    sub: SubscriptionRow,
    at: Date,
    overridden: Set<string>,
  ): Promise<PriceSet | null> {
    const who = overridden.has(sub.organisationId) ? sub.organisationId : '*';
    const key = `${sub.planId}/${who}/${at.toISOString()}`;
    if (!cache.has(key)) cache.set(key, await pricesAt(db, sub.planId, sub.organisationId, at));
    return cache.get(key)!;
  }

  private async runOrganisation(
    organisationId: string,
    subs: SubscriptionRow[],
    options: { mode: RunMode; at: Date },
    summary: RunSummary,
    prefetched: Prefetched,
  ): Promise<void> {
    let adjustmentsPlaced = false;
    for (const sub of subs) {
      for (const { period, full } of periodsToBill(sub, options.at)) {
        const ended = period.end.getTime() <= options.at.getTime();
        const due = period.end.getTime() + sub.graceDays * dayMs <= options.at.getTime();
        const finalise = (options.mode === 'finalise' && ended) || (options.mode === 'auto' && due);
        const outcome = await inTransaction(this.pool, (db) =>
          this.billPeriod(db, sub, period, full, {
            finalise,
            at: options.at,
            // Late usage goes on the organisation's first open invoice only.
            withAdjustments: !adjustmentsPlaced,
            prefetched: finalise ? null : prefetched,
          }),
        );
        if (outcome === 'closed') continue;
        adjustmentsPlaced = true;
        if (outcome.kind === 'draft') summary.drafts += 1;
        else {
          summary.finalised.push(outcome.number);
          summary.creditNotes.push(...outcome.creditNotes);
        }
      }
    }
    void organisationId;
  }

  /** Drafts, refreshes or finalises one subscription's invoice for one period. */
  private async billPeriod(
    db: PoolClient,
    sub: SubscriptionRow,
    period: Period,
    full: Period,
    options: {
      finalise: boolean;
      at: Date;
      withAdjustments: boolean;
      prefetched: Prefetched | null;
    },
  ): Promise<
    'closed' | { kind: 'draft' } | { kind: 'finalised'; number: string; creditNotes: string[] }
  > {
    // A draft is rewritten from the rollups at every refresh: it need not wait for its commit to
    // reach the disk (numbers and finalised documents do).
    await db.query(
      `SELECT pg_advisory_xact_lock(hashtextextended($1, 0)),
              CASE WHEN $2 THEN set_config('synchronous_commit', 'off', true) END`,
      [`billing:${sub.organisationId}`, !options.finalise],
    );
    const documentKey = `inv:${sub.id}:${period.start.toISOString()}`;
    const head = await invoiceByKey(db, documentKey);
    if (head && head.state !== 'draft') return 'closed';

    const prices = options.prefetched
      ? await this.pricesCached(
          options.prefetched.prices,
          db,
          sub,
          period.start,
          options.prefetched.overridden,
        )
      : await pricesAt(db, sub.planId, sub.organisationId, period.start);
    if (!prices) {
      throw new Error(
        `plan ${sub.planCode} has no prices in effect on ${period.start.toISOString().slice(0, 10)}`,
      );
    }
    const currency = sub.currency;
    const lines = [
      ...this.fixedFeeLines(sub, prices, period, full),
      ...(await this.usageLines(db, sub, prices, period, full, options.prefetched)),
    ];
    // A draft of an organisation never invoiced has nothing to correct.
    const correctable =
      options.withAdjustments &&
      (!options.prefetched || options.prefetched.invoiced.has(sub.organisationId));
    const corrections = correctable ? await this.corrections(db, sub) : [];
    lines.push(...corrections.filter((c) => c.kind === 'adjustment'));
    const totals = invoiceTotals(
      lines.map((l) => l.amount),
      sub.taxRate,
      currency,
    );
    const invoiceId = await upsertDraft(db, {
      id: head?.id ?? uuidv7(),
      kind: 'invoice',
      documentKey,
      issuer: this.issuer.code,
      organisationId: sub.organisationId,
      subscriptionId: sub.id,
      planId: sub.planId,
      periodStart: period.start,
      periodEnd: period.end,
      currency,
      minorUnits: minorUnits(currency),
      ...totals,
      taxRate: sub.taxRate,
      correctsId: null,
      customerDetails: customerOf(sub) as unknown as Record<string, unknown>,
      issuerDetails: this.issuerParty() as unknown as Record<string, unknown>,
    });
    const withIds = lines.map((line) => ({ ...line, id: uuidv7() }));
    await replaceLines(db, invoiceId, withIds, !head);
    if (!options.finalise) return { kind: 'draft' };

    const issuedAt = options.at;
    const number = await nextNumber(db, this.issuer.code, 'invoice', issuedAt.getUTCFullYear());
    const document = this.document({
      kind: 'invoice',
      number,
      issuedAt,
      period,
      sub,
      lines: withIds,
      totals,
      taxRate: sub.taxRate,
      corrects: null,
    });
    const pdf = await renderInvoicePdf(document);
    await markFinalised(db, invoiceId, {
      number,
      issuedAt,
      dueAt: new Date(issuedAt.getTime() + this.issuer.paymentTermsDays * dayMs),
      pdf,
      pdfSha256: sha256(pdf),
    });
    const creditNotes = await this.issueCreditNotes(
      db,
      sub,
      invoiceId,
      corrections.filter((c) => c.kind === 'credit'),
      issuedAt,
    );
    return { kind: 'finalised', number, creditNotes };
  }

  private fixedFeeLines(
    sub: SubscriptionRow,
    prices: PriceSet,
    period: Period,
    full: Period,
  ): LineInput[] {
    const fee = new Money(prices.fixedFee);
    if (fee.isZero()) return [];
    // The trial waives the fixed fee (usage is billed from the first day).
    const trialEnd = new Date(sub.startsAt.getTime() + sub.trialDays * dayMs);
    const start = new Date(Math.max(period.start.getTime(), nextMidnight(trialEnd).getTime()));
    if (start.getTime() >= period.end.getTime()) return [];
    const charged = { start, end: period.end };
    const fraction = dayFraction(charged, full);
    const amount = roundMoney(fee.mul(fraction), sub.currency);
    const days = Math.round((charged.end.getTime() - charged.start.getTime()) / dayMs);
    const whole = Math.round((full.end.getTime() - full.start.getTime()) / dayMs);
    const prorated = days === whole ? '' : ` (${days} of ${whole} days)`;
    return [
      {
        kind: 'fixed_fee',
        metricId: null,
        description: `${sub.planName}: fixed fee${prorated}`,
        periodStart: charged.start,
        periodEnd: charged.end,
        quantity: plainString(fraction.toDecimalPlaces(quantityDigits)),
        unit: sub.interval,
        unitPrice: prices.fixedFee,
        amount: plainString(amount),
        tiers: [],
        terms: { fixedFee: prices.fixedFee, fraction: plainString(fraction) },
        txFrom: null,
        txTo: null,
        adjustsId: null,
      },
    ];
  }

  private async usageLines(
    db: Queryable,
    sub: SubscriptionRow,
    prices: PriceSet,
    period: Period,
    full: Period,
    prefetched: Prefetched | null,
  ): Promise<LineInput[]> {
    if (!prices.charges.length) return [];
    let usage: MetricUsage[];
    const cached = prefetched
      ? prices.charges.map((c) =>
          prefetched.usage.get(usageKey(c.metricId, sub.organisationId, period)),
        )
      : [];
    if (prefetched && cached.every((u) => u !== undefined)) usage = cached as MetricUsage[];
    else {
      usage = await readUsage(db, {
        organisationIds: [sub.organisationId],
        metricIds: prices.charges.map((c) => c.metricId),
        from: period.start,
        to: period.end,
      });
    }
    const proration = dayFraction(period, full);
    return prices.charges.map((charge) => {
      const used = usage.find((u) => u.metricId === charge.metricId);
      const quantity = (used?.quantity ?? new Money(0)).toDecimalPlaces(quantityDigits);
      const rated = rateCharge(charge.terms, quantity, proration);
      return {
        kind: 'usage' as const,
        metricId: charge.metricId,
        description: charge.metricName,
        periodStart: period.start,
        periodEnd: period.end,
        quantity: plainString(quantity),
        unit: charge.unit,
        unitPrice: rated.unitPrice,
        amount: plainString(roundMoney(new Money(rated.amount), sub.currency)),
        tiers: rated.tiers,
        terms: {
          charge: charge.terms,
          proration: plainString(proration),
          included: rated.included,
          billable: rated.billable,
          minimumApplied: rated.minimumApplied,
          capApplied: rated.capApplied,
          movements: used?.movements ?? 0,
          resources: (used?.byResource ?? []).map((r) => ({
            resourceId: r.resourceId,
            quantity: plainString(r.quantity.toDecimalPlaces(quantityDigits)),
          })),
        },
        txFrom: null,
        txTo: used?.rolledTo ?? null,
        adjustsId: null,
      };
    });
  }

  /**
   * Late or corrected usage of the organisation's finalised invoices: each usage line re-rated
   * with its own terms on the usage the rollups hold now. A rise is an adjustment line on the
   * open invoice; a fall, a credit line for a credit note.
   */
  private async corrections(db: Queryable, sub: SubscriptionRow): Promise<LineInput[]> {
    const billed = await billedUsage(db, sub.organisationId);
    const found: LineInput[] = [];
    for (const line of billed) {
      const [now] = await readUsage(db, {
        organisationIds: [sub.organisationId],
        metricIds: [line.metricId],
        from: line.periodStart,
        to: line.periodEnd,
      });
      if (!now || now.rolledTo <= line.txTo) continue;
      const quantity = now.quantity.toDecimalPlaces(quantityDigits);
      const rated = rateCharge(line.terms.charge, quantity, line.terms.proration);
      const amount = roundMoney(new Money(rated.amount), sub.currency);
      const delta = amount.minus(line.amount);
      if (delta.isZero()) continue;
      const label = `${line.periodStart.toISOString().slice(0, 10)} to ${new Date(
        line.periodEnd.getTime() - 1,
      )
        .toISOString()
        .slice(0, 10)}`;
      const quantityDelta = quantity.minus(line.quantity);
      const rise = delta.greaterThan(0);
      found.push({
        kind: rise ? 'adjustment' : 'credit',
        metricId: line.metricId,
        description: rise
          ? `${line.metricName}: late usage for ${label} (invoice ${line.invoiceNumber})`
          : `${line.metricName}: corrected usage for ${label}`,
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        quantity: plainString(rise ? quantityDelta : quantityDelta.negated()),
        unit: line.unit,
        unitPrice: null,
        amount: plainString(rise ? delta : delta.negated()),
        // The re-rated period's tiers would not add up to the difference: they stay in terms.
        tiers: [],
        terms: {
          charge: line.terms.charge,
          proration: line.terms.proration,
          rerated: {
            quantity: plainString(quantity),
            amount: plainString(amount),
            tiers: rated.tiers,
          },
          billedBefore: { quantity: line.quantity, amount: line.amount },
        },
        txFrom: line.txTo,
        txTo: now.rolledTo,
        adjustsId: line.invoiceId,
      });
    }
    return found;
  }

  /** One credit note per corrected invoice, numbered and finalised with the invoice. */
  private async issueCreditNotes(
    db: Queryable,
    sub: SubscriptionRow,
    invoiceId: string,
    credits: LineInput[],
    issuedAt: Date,
  ): Promise<string[]> {
    const byInvoice = new Map<string, LineInput[]>();
    for (const credit of credits) {
      const list = byInvoice.get(credit.adjustsId!) ?? [];
      list.push(credit);
      byInvoice.set(credit.adjustsId!, list);
    }
    const numbers: string[] = [];
    for (const [correctedId, lines] of byInvoice) {
      const { rows } = await db.query<{
        number: string;
        issued_at: Date;
        tax_rate: string;
        period_start: Date;
        period_end: Date;
      }>(
        'SELECT number, issued_at, tax_rate::text, period_start, period_end FROM invoice WHERE id = $1',
        [correctedId],
      );
      const corrected = rows[0]!;
      // Credited at the corrected invoice's tax rate.
      const totals = invoiceTotals(
        lines.map((l) => l.amount),
        corrected.tax_rate,
        sub.currency,
      );
      const creditId = await upsertDraft(db, {
        id: uuidv7(),
        kind: 'credit_note',
        documentKey: `cn:${invoiceId}:${correctedId}`,
        issuer: this.issuer.code,
        organisationId: sub.organisationId,
        subscriptionId: sub.id,
        planId: sub.planId,
        periodStart: corrected.period_start,
        periodEnd: corrected.period_end,
        currency: sub.currency,
        minorUnits: minorUnits(sub.currency),
        ...totals,
        taxRate: corrected.tax_rate,
        correctsId: correctedId,
        customerDetails: customerOf(sub) as unknown as Record<string, unknown>,
        issuerDetails: this.issuerParty() as unknown as Record<string, unknown>,
      });
      const withIds = lines.map((line) => ({ ...line, id: uuidv7() }));
      await replaceLines(db, creditId, withIds);
      const number = await nextNumber(
        db,
        this.issuer.code,
        'credit_note',
        issuedAt.getUTCFullYear(),
      );
      const pdf = await renderInvoicePdf(
        this.document({
          kind: 'credit_note',
          number,
          issuedAt,
          period: { start: corrected.period_start, end: corrected.period_end },
          sub,
          lines: withIds,
          totals,
          taxRate: corrected.tax_rate,
          corrects: { number: corrected.number, issuedAt: corrected.issued_at },
        }),
      );
      await markFinalised(db, creditId, {
        number,
        issuedAt,
        dueAt: issuedAt,
        pdf,
        pdfSha256: sha256(pdf),
      });
      numbers.push(number);
    }
    return numbers;
  }

  private document(input: {
    kind: 'invoice' | 'credit_note';
    number: string;
    issuedAt: Date;
    period: Period;
    sub: SubscriptionRow;
    lines: LineInput[];
    totals: { subtotal: string; tax: string; total: string };
    taxRate: string;
    corrects: { number: string; issuedAt: Date } | null;
  }): InvoiceDocument {
    const currency = input.sub.currency;
    return {
      kind: input.kind,
      number: input.number,
      state: 'finalised',
      issuedAt: input.issuedAt,
      dueAt:
        input.kind === 'invoice'
          ? new Date(input.issuedAt.getTime() + this.issuer.paymentTermsDays * dayMs)
          : null,
      periodStart: input.period.start,
      periodEnd: input.period.end,
      currency,
      minorUnits: minorUnits(currency),
      issuer: this.issuerParty(),
      customer: customerOf(input.sub),
      lines: input.lines.map((line) => ({
        kind: line.kind,
        description: line.description,
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        quantity: line.quantity,
        unit: line.unit,
        unitPrice: line.unitPrice,
        amount: line.amount,
        tiers: line.tiers,
      })),
      subtotal: input.totals.subtotal,
      taxRate: input.taxRate,
      tax: input.totals.tax,
      total: input.totals.total,
      corrects: input.corrects,
      usageSummary: input.lines
        .filter((l) => l.kind === 'usage')
        .map((l) => ({ metric: l.description, quantity: l.quantity ?? '0', unit: l.unit ?? '' })),
      voidReason: null,
    };
  }

  private issuerParty(): Party {
    const { name, address, taxId, email } = this.issuer;
    return { name, address, ...(taxId ? { taxId } : {}), ...(email ? { email } : {}) };
  }
}

interface Prefetched {
  prices: Map<string, PriceSet | null>;
  usage: Map<string, MetricUsage>;
  /** Organisations with price overrides. */
  overridden: Set<string>;
  /** Organisations with a finalised (or paid) invoice. */
  invoiced: Set<string>;
}

function usageKey(metricId: string, organisationId: string, period: Period): string {
  return `${metricId}/${organisationId}/${period.start.toISOString()}/${period.end.toISOString()}`;
}

/** The periods of a subscription that have started by `at`, clipped to its span. */
export function periodsToBill(sub: SubscriptionRow, at: Date): { period: Period; full: Period }[] {
  const end = sub.endsAt && sub.endsAt.getTime() < at.getTime() ? sub.endsAt : at;
  if (end.getTime() <= sub.startsAt.getTime()) return [];
  const last = periodContaining(
    new Date(end.getTime() - 1),
    sub.interval,
    sub.anchorDay,
    sub.anchorMonth,
  );
  const to = sub.endsAt && sub.endsAt.getTime() < last.end.getTime() ? sub.endsAt : last.end;
  return periodsBetween(sub.startsAt, to, sub.interval, sub.anchorDay, sub.anchorMonth).map(
    (period) => ({
      period,
      full: periodContaining(period.start, sub.interval, sub.anchorDay, sub.anchorMonth),
    }),
  );
}

function clip(period: Period, sub: SubscriptionRow): Period | null {
  const start = Math.max(period.start.getTime(), sub.startsAt.getTime());
  const end = Math.min(period.end.getTime(), sub.endsAt?.getTime() ?? Infinity);
  return end > start ? { start: new Date(start), end: new Date(end) } : null;
}

function customerOf(sub: SubscriptionRow): Party {
  return {
    name: sub.legalName ?? sub.organisationName,
    address: sub.address,
    ...(sub.taxId ? { taxId: sub.taxId } : {}),
    ...(sub.email ? { email: sub.email } : {}),
  };
}

/** The date itself at 00:00 UTC, else the next day's 00:00. */
function nextMidnight(date: Date): Date {
  return new Date(Math.ceil(date.getTime() / dayMs) * dayMs);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

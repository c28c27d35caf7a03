import { Inject, Injectable } from '@nestjs/common';
import {
  addPlanVersion,
  billingLimits,
  billingRunType,
  cancelSubscription,
  changePlan,
  createMetric,
  createPlan,
  dayFraction,
  invoicesCsv,
  Money,
  monthlyReport,
  monthlyReportCsv,
  periodContaining,
  plainString,
  pricesAt,
  rateCharge,
  readUsage,
  renderInvoicePdf,
  renderMonthlyReportPdf,
  roundMoney,
  subscribe,
  usageCsv,
  type ChargeInput,
  type Dec,
  type InvoiceDocument,
  type MonthlyReport,
  type Party,
} from '@sextant/billing';
import { assertNever, DomainError, uuidv7 } from '@sextant/domain';
import { API_CONFIG, type ApiConfig } from '../api-config';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { decodeCursor, encodeCursor } from '../common/cursor';
import type { Page } from '../common/graphql-types';
import type { JobRunDetailModel } from '../jobs/job.model';
import { JobsPlatform } from '../jobs/jobs-platform';
import { JobsService } from '../jobs/jobs.service';
import type { MovementModel } from '../movements/movement.model';
import type {
  BillingAccountModel,
  BillingMetricModel,
  BudgetModel,
  InvoiceDetailModel,
  InvoiceModel,
  MetricUsageModel,
  MonthlyReportModel,
  PlanDetailModel,
  PlanModel,
  SubscriptionModel,
  UsageModel,
} from './billing.model';
import {
  BillingRepository,
  type ExportFilter,
  type InvoiceRow,
  type MetricFacts,
  type RollupBucket,
} from './billing.repository';
import type {
  AddPlanVersionInput,
  CancelInput,
  ChangePlanInput,
  ChargeInputDto,
  CreateBudgetInput,
  CreateMetricInput,
  CreatePlanInput,
  ExportArgs,
  ListInvoicesArgs,
  PayInput,
  StartRunInput,
  SubscribeInput,
  UpdateAccountInput,
  UpdateMetricInput,
  VoidInput,
} from './dto/billing.inputs';

const msPerHour = new Money(3_600_000);
const quantityDigits = 6;

/** A file to download: its bytes, media type and name. */
export interface Download {
  bytes: Buffer;
  type: string;
  filename: string;
}

/** Charges as libs/billing takes them: an open last tier's upTo is null. */
function chargesOf(charges: ChargeInputDto[]): ChargeInput[] {
  return charges.map((charge) => ({
    ...charge,
    tiers: charge.tiers?.map((tier) => ({ ...tier, upTo: tier.upTo ?? null })),
  }));
}

const fixed = (value: string, digits: number) => new Money(value).toFixed(digits);

function invoiceModel(row: InvoiceRow): InvoiceModel {
  const { minorUnits, ...rest } = row;
  return {
    ...rest,
    subtotal: fixed(row.subtotal, minorUnits),
    tax: fixed(row.tax, minorUnits),
    total: fixed(row.total, minorUnits),
    taxRate: plainString(new Money(row.taxRate)),
  };
}

/**
 * Billing over REST and GraphQL: the metric and plan catalogue, organisations' accounts,
 * subscriptions, invoices (lines, their movements, PDFs, exports), usage of the current
 * period, budgets, billing runs and the monthly report. Rating and documents are libs/billing's.
 */
@Injectable()
export class BillingService {
  constructor(
    private readonly repository: BillingRepository,
    private readonly access: AccessService,
    private readonly jobs: JobsPlatform,
    private readonly runs: JobsService,
    @Inject(API_CONFIG) private readonly config: ApiConfig,
  ) {}

  private get pool() {
    return this.repository.pool;
  }

  metrics(): Promise<BillingMetricModel[]> {
    return this.repository.metrics();
  }

  async metric(id: string): Promise<BillingMetricModel> {
    const metric = await this.repository.metric(id);
    if (!metric) throw new DomainError('MetricNotFound', `no metric with id ${id}`);
    return metric;
  }

  async createMetric(input: CreateMetricInput): Promise<BillingMetricModel> {
    return this.metric(await createMetric(this.pool, input));
  }

  async updateMetric(id: string, input: UpdateMetricInput): Promise<BillingMetricModel> {
    if (!(await this.repository.updateMetric(id, input)))
      throw new DomainError('MetricNotFound', `no metric with id ${id}`);
    return this.metric(id);
  }

  plans(): Promise<PlanModel[]> {
    return this.repository.plans();
  }

  /** A plan with its versions; organisations' overrides are listed to platform admins only. */
  async plan(actor: Principal, id: string): Promise<PlanDetailModel> {
    const plan = await this.repository.plan(id);
    if (!plan) throw new DomainError('PlanNotFound', `no plan with id ${id}`);
    const admin = actor.kind === 'user' && actor.platformAdmin;
    return { ...plan, versions: await this.repository.versions(id, admin) };
  }

  async createPlan(actor: Principal, input: CreatePlanInput): Promise<PlanDetailModel> {
    const id = await createPlan(this.pool, {
      ...input,
      effectiveFrom: new Date(input.effectiveFrom),
      charges: chargesOf(input.charges),
    });
    return this.plan(actor, id);
  }

  async addVersion(
    actor: Principal,
    planId: string,
    input: AddPlanVersionInput,
  ): Promise<PlanDetailModel> {
    if (input.organisationId) await this.organisation(input.organisationId, 'organisationId');
    await addPlanVersion(this.pool, planId, {
      ...input,
      organisationId: input.organisationId?.toLowerCase() ?? null,
      effectiveFrom: new Date(input.effectiveFrom),
      charges: chargesOf(input.charges),
    });
    return this.plan(actor, planId);
  }

  async account(organisationId: string): Promise<BillingAccountModel> {
    await this.organisation(organisationId);
    return this.accountOf(organisationId);
  }

  private async accountOf(organisationId: string): Promise<BillingAccountModel> {
    const account = await this.repository.account(organisationId);
    return { ...account, taxRate: plainString(new Money(account.taxRate)) };
  }

  /** Writes an account; its tax rate and grace period are the platform's to set. */
  async updateAccount(
    actor: Principal,
    organisationId: string,
    input: UpdateAccountInput,
  ): Promise<BillingAccountModel> {
    await this.organisation(organisationId);
    const admin = actor.kind === 'user' && actor.platformAdmin;
    const reserved = (['taxRate', 'graceDays'] as const).filter((f) => input[f] !== undefined);
    if (reserved.length && !admin)
      throw new DomainError(
        'Forbidden',
        `${reserved.join(', ')}: set by the platform's administrators only`,
        reserved.map((field) => ({ field, reason: "set by the platform's administrators only" })),
      );
    if (input.taxRate !== undefined && !new Money(input.taxRate).lessThan(1))
      throw DomainError.validation([{ field: 'taxRate', reason: 'must be below 1 (a fraction)' }]);
    await this.repository.saveAccount(organisationId, input);
    return this.accountOf(organisationId);
  }

  async subscriptions(organisationId: string): Promise<SubscriptionModel[]> {
    await this.organisation(organisationId);
    return this.repository.subscriptions(organisationId);
  }

  async subscribe(organisationId: string, input: SubscribeInput): Promise<SubscriptionModel> {
    await this.organisation(organisationId);
    const id = await subscribe(this.pool, {
      organisationId,
      planId: input.planId.toLowerCase(),
      startsAt: new Date(input.startsAt),
      anchorDay: input.anchorDay,
      trialDays: input.trialDays,
    });
    return this.subscription(id);
  }

  async changePlan(id: string, input: ChangePlanInput): Promise<SubscriptionModel> {
    const next = await changePlan(this.pool, id, {
      planId: input.planId.toLowerCase(),
      at: new Date(input.at),
    });
    return this.subscription(next);
  }

  async cancel(id: string, input: CancelInput): Promise<SubscriptionModel> {
    await cancelSubscription(this.pool, id, { when: input.when, at: new Date() });
    return this.subscription(id);
  }

  private async subscription(id: string): Promise<SubscriptionModel> {
    const row = await this.repository.subscription(id);
    if (!row) throw new DomainError('SubscriptionNotFound', `no subscription with id ${id}`);
    return row;
  }

  /** Invoices and credit notes the caller may read, newest period first. */
  async invoices(actor: Principal, args: ListInvoicesArgs): Promise<Page<InvoiceModel>> {
    const organisationIds = await this.access.scopeNodeIds(
      this.access.scope(actor, 'billing.read'),
    );
    const limit = args.limit ?? 50;
    let after: { periodStart: Date; id: string } | undefined;
    if (args.cursor) {
      const position = decodeCursor(args.cursor);
      after = { periodStart: new Date(position.value ?? 0), id: position.id };
    }
    const rows = await this.repository.invoices(
      {
        organisationIds,
        organisationId: args.organisationId?.toLowerCase(),
        kind: args.kind,
        state: args.state,
        after,
      },
      limit + 1,
    );
    const items = rows.slice(0, limit).map(invoiceModel);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ value: last.periodStart.toISOString(), id: last.id })
          : null,
    };
  }

  async invoice(id: string): Promise<InvoiceDetailModel> {
    const row = await this.repository.invoice(id);
    if (!row) throw new DomainError('InvoiceNotFound', `no invoice with id ${id}`);
    const lines = await this.repository.lines(id);
    const digits = row.minorUnits;
    return {
      ...invoiceModel(row),
      lines: lines.map((line) => ({
        ...line,
        amount: fixed(line.amount, digits),
        quantity: line.quantity === null ? null : plainString(new Money(line.quantity)),
        unitPrice: line.unitPrice === null ? null : plainString(new Money(line.unitPrice)),
        tiers: line.tiers.map((t) => ({ ...t, upTo: t.upTo ?? null })),
      })),
    };
  }

  /** The movements an invoice line was rated from, oldest first. */
  async lineMovements(
    invoiceId: string,
    lineId: string,
    page: { limit?: number; cursor?: string },
  ): Promise<Page<MovementModel>> {
    const limit = page.limit ?? 50;
    let after: { start: Date; id: string } | undefined;
    if (page.cursor) {
      const position = decodeCursor(page.cursor);
      after = { start: new Date(position.value ?? 0), id: position.id };
    }
    const rows = await this.repository.lineMovements(invoiceId, lineId, {
      after,
      limit: limit + 1,
    });
    if (!rows)
      throw new DomainError('InvoiceNotFound', `invoice ${invoiceId} has no line ${lineId}`, [
        { field: 'lineId', reason: `no line with id ${lineId} on the invoice` },
      ]);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeCursor({ value: last.start.toISOString(), id: last.id })
          : null,
    };
  }

  /** The PDF as issued; a draft's is rendered now, marked as a draft. */
  async pdf(id: string): Promise<Download> {
    const row = await this.repository.document(id);
    if (!row) throw new DomainError('InvoiceNotFound', `no invoice with id ${id}`);
    const filename = `${row.number ?? `draft-${row.id}`}.pdf`;
    if (row.state !== 'draft') {
      if (!row.pdf) throw new Error(`invoice ${row.number} has no stored PDF`);
      return { bytes: row.pdf, type: 'application/pdf', filename };
    }
    const lines = await this.repository.lines(id);
    const document: InvoiceDocument = {
      kind: row.kind,
      number: null,
      state: 'draft',
      issuedAt: null,
      dueAt: null,
      periodStart: row.periodStart,
      periodEnd: row.periodEnd,
      currency: row.currency,
      minorUnits: row.minorUnits,
      issuer: row.issuer,
      customer: row.customer,
      lines: lines.map((l) => ({
        kind: l.kind,
        description: l.description,
        periodStart: l.periodStart,
        periodEnd: l.periodEnd,
        quantity: l.quantity,
        unit: l.unit,
        unitPrice: l.unitPrice,
        amount: l.amount,
        tiers: l.tiers,
      })),
      subtotal: row.subtotal,
      taxRate: row.taxRate,
      tax: row.tax,
      total: row.total,
      corrects: row.corrects,
      usageSummary: lines
        .filter((l) => l.kind === 'usage')
        .map((l) => ({ metric: l.description, quantity: l.quantity ?? '0', unit: l.unit ?? '' })),
      voidReason: null,
    };
    return { bytes: await renderInvoicePdf(document), type: 'application/pdf', filename };
  }

  async pay(id: string, input: PayInput): Promise<InvoiceDetailModel> {
    const paidAt = input.paidAt ? new Date(input.paidAt) : new Date();
    await this.settle(id, { state: 'paid', paidAt });
    return this.invoice(id);
  }

  async void(id: string, input: VoidInput): Promise<InvoiceDetailModel> {
    const reason = input.reason.trim();
    if (!reason) throw DomainError.validation([{ field: 'reason', reason: 'must not be empty' }]);
    await this.settle(id, { state: 'void', reason });
    return this.invoice(id);
  }

  /** Only a finalised document becomes paid or void (409 otherwise). */
  private async settle(
    id: string,
    to: { state: 'paid'; paidAt: Date } | { state: 'void'; reason: string },
  ): Promise<void> {
    if (await this.repository.settle(id, to)) return;
    const row = await this.repository.invoice(id);
    if (!row) throw new DomainError('InvoiceNotFound', `no invoice with id ${id}`);
    throw new DomainError(
      'IllegalTransition',
      `invoice ${row.number ?? row.id} is ${row.state}: only a finalised document can be ${to.state === 'paid' ? 'paid' : 'voided'}`,
    );
  }

  async invoicesCsv(actor: Principal, args: ExportArgs): Promise<Download> {
    const rows = await this.repository.invoiceExport(await this.exportFilter(actor, args));
    return { bytes: Buffer.from(invoicesCsv(rows)), type: 'text/csv', filename: 'invoices.csv' };
  }

  async usageCsv(actor: Principal, args: ExportArgs): Promise<Download> {
    const rows = await this.repository.usageExport(await this.exportFilter(actor, args));
    return { bytes: Buffer.from(usageCsv(rows)), type: 'text/csv', filename: 'usage-lines.csv' };
  }

  private async exportFilter(actor: Principal, args: ExportArgs): Promise<ExportFilter> {
    return {
      organisationIds: await this.access.scopeNodeIds(this.access.scope(actor, 'billing.read')),
      organisationId: args.organisationId?.toLowerCase(),
      from: args.from ? new Date(args.from) : undefined,
      to: args.to ? new Date(args.to) : undefined,
    };
  }

  /**
   * The current period of the organisation's active subscription: per charged metric the
   * quantity and amount so far, a linear forecast to the period's end and a series for a chart.
   * Everything comes from the rollups, never from the movement ledger.
   */
  async usage(
    organisationId: string,
    every: 'hour' | 'day' = 'day',
    now = new Date(),
  ): Promise<UsageModel> {
    await this.organisation(organisationId);
    const sub = await this.repository.activeSubscription(organisationId, now);
    if (!sub)
      throw new DomainError('SubscriptionNotFound', 'the organisation has no active subscription');
    const full = periodContaining(now, sub.interval, sub.anchorDay, sub.anchorMonth);
    const period = {
      start: new Date(Math.max(full.start.getTime(), sub.startsAt.getTime())),
      end: new Date(Math.min(full.end.getTime(), sub.endsAt?.getTime() ?? Infinity)),
    };
    const prices = await pricesAt(this.pool, sub.planId, organisationId, period.start);
    if (!prices)
      throw new DomainError('PlanNotFound', 'the plan has no prices in effect for this period');
    const metricIds = prices.charges.map((c) => c.metricId);
    const [usage, facts, buckets] = await Promise.all([
      readUsage(this.pool, { organisationIds: [organisationId], metricIds, ...range(period) }),
      this.repository.metricFacts(metricIds),
      this.repository.rollupSeries({ organisationId, metricIds, ...range(period), every }),
    ]);
    const proration = dayFraction(period, full);
    const elapsed = Math.min(now.getTime(), period.end.getTime()) - period.start.getTime();
    const whole = period.end.getTime() - period.start.getTime();
    const rate = (quantity: Dec, terms: (typeof prices.charges)[number]['terms']) =>
      rateCharge(terms, quantity.toDecimalPlaces(quantityDigits), proration);
    const money = (amount: string) => roundMoney(new Money(amount), sub.currency);
    const metrics: MetricUsageModel[] = prices.charges.map((charge) => {
      const fact = facts.find((f) => f.id === charge.metricId);
      const quantity = usage.find((u) => u.metricId === charge.metricId)?.quantity ?? new Money(0);
      const rated = rate(quantity, charge.terms);
      // Sums grow with time; a maximum, a latest value or a unique count is its own forecast.
      const additive = ['sum', 'count', 'time_weighted_sum'].includes(fact?.aggregation ?? 'sum');
      const forecast =
        additive && elapsed > 0 ? quantity.mul(whole).div(elapsed) : new Money(quantity);
      return {
        metricId: charge.metricId,
        code: charge.metricCode,
        name: charge.metricName,
        unit: charge.unit,
        quantity: plainString(quantity.toDecimalPlaces(quantityDigits)),
        included: rated.included,
        quota: charge.quota,
        amount: plainString(money(rated.amount)),
        forecastQuantity: plainString(forecast.toDecimalPlaces(quantityDigits)),
        forecastAmount: plainString(money(rate(forecast, charge.terms).amount)),
        rolledAt: fact?.rolledAt ?? null,
        series: seriesOf(
          buckets.filter((b) => b.metricId === charge.metricId),
          fact,
        ),
      };
    });
    const total = (field: 'amount' | 'forecastAmount') =>
      plainString(metrics.reduce((sum, m) => sum.plus(m[field]), new Money(0)));
    return {
      organisationId,
      subscriptionId: sub.id,
      currency: sub.currency,
      periodStart: period.start,
      periodEnd: period.end,
      at: now,
      every,
      fixedFee: plainString(money(new Money(prices.fixedFee).mul(proration).toString())),
      amount: total('amount'),
      forecastAmount: total('forecastAmount'),
      metrics,
    };
  }

  async budgets(organisationId: string): Promise<BudgetModel[]> {
    await this.organisation(organisationId);
    return this.repository.budgets(organisationId);
  }

  async createBudget(organisationId: string, input: CreateBudgetInput): Promise<BudgetModel> {
    await this.organisation(organisationId);
    const metricId = input.metricId?.toLowerCase() ?? null;
    if ((input.kind === 'quantity') !== (metricId !== null))
      throw DomainError.validation([
        { field: 'metricId', reason: 'is required for a quantity budget, and only for it' },
      ]);
    if (metricId && !(await this.repository.metric(metricId)))
      throw DomainError.validation([
        { field: 'metricId', reason: `no metric with id ${metricId}` },
      ]);
    if (new Money(input.amount).isZero())
      throw DomainError.validation([{ field: 'amount', reason: 'must be above 0' }]);
    if ((await this.repository.budgets(organisationId)).length >= billingLimits.budgets)
      throw new DomainError(
        'LimitExceeded',
        `an organisation has at most ${billingLimits.budgets} budgets: delete one first`,
      );
    const id = uuidv7();
    await this.repository.createBudget({
      id,
      organisationId,
      kind: input.kind,
      metricId,
      amount: input.amount,
      thresholds: [...new Set(input.thresholds ?? [80, 100])].sort((a, b) => a - b),
    });
    return (await this.repository.budget(id))!;
  }

  async deleteBudget(id: string): Promise<BudgetModel> {
    const budget = await this.repository.budget(id);
    if (!budget) throw new DomainError('BudgetNotFound', `no budget with id ${id}`);
    await this.repository.deleteBudget(id);
    return budget;
  }

  /** Submits a billing run of the organisation (the worker runs it). */
  async startRun(input: StartRunInput): Promise<JobRunDetailModel> {
    const organisationId = input.organisationId.toLowerCase();
    await this.organisation(organisationId, 'organisationId');
    const run = await this.jobs.platform.submit({
      type: billingRunType,
      params: { mode: input.mode },
      ownerId: organisationId,
    });
    return this.runs.run(run.id);
  }

  async report(month: string): Promise<MonthlyReportModel> {
    const report = await this.buildReport(month);
    return {
      ...report,
      issuer: {
        ...report.issuer,
        taxId: report.issuer.taxId ?? null,
        email: report.issuer.email ?? null,
      },
    };
  }

  async reportPdf(month: string): Promise<Download> {
    const bytes = await renderMonthlyReportPdf(await this.buildReport(month));
    return { bytes, type: 'application/pdf', filename: `billing-report-${month}.pdf` };
  }

  async reportCsv(month: string): Promise<Download> {
    const csv = monthlyReportCsv(await this.buildReport(month));
    return { bytes: Buffer.from(csv), type: 'text/csv', filename: `billing-report-${month}.csv` };
  }

  private buildReport(month: string): Promise<MonthlyReport> {
    const { name, address, taxId, email } = this.config.billingIssuer;
    const issuer: Party = {
      name,
      address,
      ...(taxId ? { taxId } : {}),
      ...(email ? { email } : {}),
    };
    return monthlyReport(this.pool, { month, issuer });
  }

  /** Billing is per organisation: any other node is a 400 naming the field. */
  private async organisation(id: string, field = 'id'): Promise<void> {
    const kind = await this.repository.nodeKind(id);
    if (kind === null) throw new DomainError('NodeNotFound', `no node with id ${id}`);
    if (kind !== 'organisation')
      throw DomainError.validation([{ field, reason: `is a ${kind}, not an organisation` }]);
  }
}

function range(period: { start: Date; end: Date }) {
  return { from: period.start, to: period.end };
}

/** A metric's aggregate per bucket of its rollups (divided by its unit divisor). */
function seriesOf(buckets: RollupBucket[], fact: MetricFacts | undefined) {
  const divisor = new Money(fact?.unitDivisor ?? 1);
  const aggregation = (fact?.aggregation ?? 'sum') as
    'sum' | 'count' | 'max' | 'unique_count' | 'latest' | 'time_weighted_sum';
  return buckets.map((bucket) => {
    let value: Dec;
    switch (aggregation) {
      case 'sum':
        value = new Money(bucket.quantity);
        break;
      // A unique count per bucket is not additive: the bucket shows its movements instead.
      case 'count':
      case 'unique_count':
        value = new Money(bucket.movements);
        break;
      case 'max':
      case 'latest':
        value = new Money(bucket.maxQuantity);
        break;
      case 'time_weighted_sum':
        value = new Money(bucket.weightedMs).div(msPerHour);
        break;
      default:
        return assertNever(aggregation);
    }
    return {
      at: bucket.at,
      quantity: plainString(value.div(divisor).toDecimalPlaces(quantityDigits)),
    };
  });
}

import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor } from '../auth/actor.decorator';
import { Can, inArgs, inInput } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { JobRunDetailModel } from '../jobs/job.model';
import { MovementConnection } from '../movements/movement.model';
import {
  BillingAccountModel,
  BillingMetricModel,
  BudgetModel,
  InvoiceConnection,
  InvoiceDetailModel,
  MonthlyReportModel,
  PlanDetailModel,
  PlanModel,
  SubscriptionModel,
  UsageModel,
} from './billing.model';
import { BillingService } from './billing.service';
import {
  AddPlanVersionInput,
  CancelInput,
  ChangePlanInput,
  CreateBudgetInput,
  CreateMetricInput,
  CreatePlanInput,
  LineMovementsArgs,
  ListInvoicesArgs,
  MonthArgs,
  PayInput,
  StartRunInput,
  SubscribeInput,
  UpdateAccountInput,
  UpdateMetricInput,
  UsageArgs,
  VoidInput,
} from './dto/billing.inputs';

const id = () => ({ type: () => ID });

// The billing API's GraphQL side: the same service and policies as REST (files, PDFs and
// CSVs are REST only).
@Resolver()
export class BillingResolver {
  constructor(private readonly service: BillingService) {}

  @Query(() => [BillingMetricModel], { description: 'Billable metrics (no prices).' })
  @Can('metric.read', 'platform')
  billingMetrics() {
    return this.service.metrics();
  }

  @Mutation(() => BillingMetricModel)
  @Can('plan.manage', 'platform')
  createBillingMetric(@Args('input') input: CreateMetricInput) {
    return this.service.createMetric(input);
  }

  @Mutation(() => BillingMetricModel)
  @Can('plan.manage', 'platform')
  updateBillingMetric(
    @Args('id', id(), IdPipe) metricId: string,
    @Args('input') input: UpdateMetricInput,
  ) {
    return this.service.updateMetric(metricId, input);
  }

  @Query(() => [PlanModel], { description: 'Plans (platform admins and billing readers).' })
  @Can('plan.read', 'platform')
  plans() {
    return this.service.plans();
  }

  @Query(() => PlanDetailModel, { description: 'Overrides are listed to platform admins only.' })
  @Can('plan.read', 'platform')
  plan(@Actor() actor: Principal, @Args('id', id(), IdPipe) planId: string) {
    return this.service.plan(actor, planId);
  }

  @Mutation(() => PlanDetailModel)
  @Can('plan.manage', 'platform')
  createPlan(@Actor() actor: Principal, @Args('input') input: CreatePlanInput) {
    return this.service.createPlan(actor, input);
  }

  @Mutation(() => PlanDetailModel)
  @Can('plan.manage', inInput('node', 'organisationId', { absent: 'plan.manage' }))
  addPlanVersion(
    @Actor() actor: Principal,
    @Args('planId', id(), IdPipe) planId: string,
    @Args('input') input: AddPlanVersionInput,
  ) {
    return this.service.addVersion(actor, planId, input);
  }

  @Query(() => BillingAccountModel)
  @Can('billing.read', inArgs('node', 'organisationId'))
  billingAccount(@Args('organisationId', id(), IdPipe) organisationId: string) {
    return this.service.account(organisationId);
  }

  @Mutation(() => BillingAccountModel)
  @Can('billing.manage', inArgs('node', 'organisationId'))
  updateBillingAccount(
    @Actor() actor: Principal,
    @Args('organisationId', id(), IdPipe) organisationId: string,
    @Args('input') input: UpdateAccountInput,
  ) {
    return this.service.updateAccount(actor, organisationId, input);
  }

  @Query(() => [SubscriptionModel])
  @Can('billing.read', inArgs('node', 'organisationId'))
  subscriptions(@Args('organisationId', id(), IdPipe) organisationId: string) {
    return this.service.subscriptions(organisationId);
  }

  @Mutation(() => SubscriptionModel)
  @Can('billing.manage', inArgs('node', 'organisationId'))
  subscribe(
    @Args('organisationId', id(), IdPipe) organisationId: string,
    @Args('input') input: SubscribeInput,
  ) {
    return this.service.subscribe(organisationId, input);
  }

  @Mutation(() => SubscriptionModel, { description: 'Returns the new subscription.' })
  @Can('billing.manage', inArgs('subscription', 'id'))
  changeSubscriptionPlan(
    @Args('id', id(), IdPipe) subscriptionId: string,
    @Args('input') input: ChangePlanInput,
  ) {
    return this.service.changePlan(subscriptionId, input);
  }

  @Mutation(() => SubscriptionModel)
  @Can('billing.manage', inArgs('subscription', 'id'))
  cancelSubscription(
    @Args('id', id(), IdPipe) subscriptionId: string,
    @Args('input') input: CancelInput,
  ) {
    return this.service.cancel(subscriptionId, input);
  }

  @Query(() => InvoiceConnection, { description: 'Invoices and credit notes, newest first.' })
  @Can('billing.read', 'scoped')
  invoices(@Actor() actor: Principal, @Args() args: ListInvoicesArgs) {
    return this.service.invoices(actor, args);
  }

  @Query(() => InvoiceDetailModel)
  @Can('billing.read', inArgs('invoice', 'id'))
  invoice(@Args('id', id(), IdPipe) invoiceId: string) {
    return this.service.invoice(invoiceId);
  }

  @Query(() => MovementConnection, { description: 'The movements a line was rated from.' })
  @Can('billing.read', inArgs('invoice', 'invoiceId'))
  // One arguments class: a second @Args() would see invoiceId as an unknown property.
  invoiceLineMovements(@Args() { invoiceId, lineId, ...page }: LineMovementsArgs) {
    return this.service.lineMovements(invoiceId.toLowerCase(), lineId.toLowerCase(), page);
  }

  @Mutation(() => InvoiceDetailModel)
  @Can('plan.manage', 'platform')
  payInvoice(@Args('id', id(), IdPipe) invoiceId: string, @Args('input') input: PayInput) {
    return this.service.pay(invoiceId, input);
  }

  @Mutation(() => InvoiceDetailModel)
  @Can('plan.manage', 'platform')
  voidInvoice(@Args('id', id(), IdPipe) invoiceId: string, @Args('input') input: VoidInput) {
    return this.service.void(invoiceId, input);
  }

  @Query(() => UsageModel, { description: 'Usage of the current period, with a forecast.' })
  @Can('billing.read', inArgs('node', 'organisationId'))
  billingUsage(
    @Args('organisationId', id(), IdPipe) organisationId: string,
    @Args() args: UsageArgs,
  ) {
    return this.service.usage(organisationId, args.every);
  }

  @Query(() => [BudgetModel])
  @Can('billing.read', inArgs('node', 'organisationId'))
  budgets(@Args('organisationId', id(), IdPipe) organisationId: string) {
    return this.service.budgets(organisationId);
  }

  @Mutation(() => BudgetModel)
  @Can('billing.manage', inArgs('node', 'organisationId'))
  createBudget(
    @Args('organisationId', id(), IdPipe) organisationId: string,
    @Args('input') input: CreateBudgetInput,
  ) {
    return this.service.createBudget(organisationId, input);
  }

  @Mutation(() => BudgetModel, { description: 'Removes a budget; returns it.' })
  @Can('billing.manage', inArgs('budget', 'id'))
  deleteBudget(@Args('id', id(), IdPipe) budgetId: string) {
    return this.service.deleteBudget(budgetId);
  }

  @Mutation(() => JobRunDetailModel, { description: 'Starts a billing run (a billing-run job).' })
  @Can('billing.manage', inInput('node', 'organisationId'))
  startBillingRun(@Args('input') input: StartRunInput) {
    return this.service.startRun(input);
  }

  @Query(() => MonthlyReportModel, { description: "The platform's billing of a month." })
  @Can('billing.report', 'platform')
  monthlyBillingReport(@Args() args: MonthArgs) {
    return this.service.report(args.month);
  }
}

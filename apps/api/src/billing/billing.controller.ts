import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Actor } from '../auth/actor.decorator';
import { Can, inBody, inRoute } from '../auth/can.decorator';
import type { Principal } from '../auth/principal';
import { IdPipe } from '../common/id.pipe';
import { PageArgs } from '../common/list.args';
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
import { BillingService, type Download } from './billing.service';
import {
  AddPlanVersionInput,
  CancelInput,
  ChangePlanInput,
  CreateBudgetInput,
  CreateMetricInput,
  CreatePlanInput,
  ExportArgs,
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

function file(download: Download): StreamableFile {
  return new StreamableFile(download.bytes, {
    type: download.type,
    length: download.bytes.length,
    disposition: `attachment; filename="${download.filename}"`,
  });
}

const binary = { schema: { type: 'string', format: 'binary' } } as const;

@ApiTags('billing')
@Controller('billing')
export class BillingController {
  constructor(private readonly service: BillingService) {}

  @Get('metrics')
  @ApiOperation({ summary: 'Billable metrics (no prices).' })
  @ApiOkResponse({ type: BillingMetricModel, isArray: true })
  @Can('metric.read', 'platform')
  metrics() {
    return this.service.metrics();
  }

  @Post('metrics')
  @ApiOperation({ summary: 'Create a billable metric; its selection never changes.' })
  @ApiOkResponse({ type: BillingMetricModel })
  @Can('plan.manage', 'platform')
  createMetric(@Body() input: CreateMetricInput) {
    return this.service.createMetric(input);
  }

  @Patch('metrics/:id')
  @ApiOperation({ summary: 'Rename, describe or archive a metric.' })
  @ApiOkResponse({ type: BillingMetricModel })
  @Can('plan.manage', 'platform')
  updateMetric(@Param('id', IdPipe) id: string, @Body() input: UpdateMetricInput) {
    return this.service.updateMetric(id, input);
  }

  @Get('plans')
  @ApiOperation({ summary: 'Plans (platform admins and billing readers).' })
  @ApiOkResponse({ type: PlanModel, isArray: true })
  @Can('plan.read', 'platform')
  plans() {
    return this.service.plans();
  }

  @Get('plans/:id')
  @ApiOperation({
    summary: "A plan with its prices over time; organisations' overrides to platform admins only.",
  })
  @ApiOkResponse({ type: PlanDetailModel })
  @Can('plan.read', 'platform')
  plan(@Actor() actor: Principal, @Param('id', IdPipe) id: string) {
    return this.service.plan(actor, id);
  }

  @Post('plans')
  @ApiOperation({ summary: 'Create a plan with its first prices.' })
  @ApiOkResponse({ type: PlanDetailModel })
  @Can('plan.manage', 'platform')
  createPlan(@Actor() actor: Principal, @Body() input: CreatePlanInput) {
    return this.service.createPlan(actor, input);
  }

  @Post('plans/:id/versions')
  @ApiOperation({ summary: "Prices from a date on: the plan's, or an organisation's override." })
  @ApiOkResponse({ type: PlanDetailModel })
  // An override names an organisation: decided on it (platform admins hold plan.manage there).
  @Can('plan.manage', inBody('node', 'organisationId', { absent: 'plan.manage' }))
  addVersion(
    @Actor() actor: Principal,
    @Param('id', IdPipe) id: string,
    @Body() input: AddPlanVersionInput,
  ) {
    return this.service.addVersion(actor, id, input);
  }

  @Get('organisations/:id/account')
  @ApiOperation({ summary: 'What the organisation is billed as.' })
  @ApiOkResponse({ type: BillingAccountModel })
  @Can('billing.read', inRoute('node', 'id'))
  account(@Param('id', IdPipe) id: string) {
    return this.service.account(id);
  }

  @Put('organisations/:id/account')
  @ApiOperation({ summary: 'Change billing details (tax rate and grace days: platform admins).' })
  @ApiOkResponse({ type: BillingAccountModel })
  @Can('billing.manage', inRoute('node', 'id'))
  updateAccount(
    @Actor() actor: Principal,
    @Param('id', IdPipe) id: string,
    @Body() input: UpdateAccountInput,
  ) {
    return this.service.updateAccount(actor, id, input);
  }

  @Get('organisations/:id/subscriptions')
  @ApiOperation({ summary: "The organisation's subscriptions, oldest first." })
  @ApiOkResponse({ type: SubscriptionModel, isArray: true })
  @Can('billing.read', inRoute('node', 'id'))
  subscriptions(@Param('id', IdPipe) id: string) {
    return this.service.subscriptions(id);
  }

  @Post('organisations/:id/subscriptions')
  @ApiOperation({ summary: 'Subscribe the organisation to a plan (409 if it has one).' })
  @ApiOkResponse({ type: SubscriptionModel })
  @Can('billing.manage', inRoute('node', 'id'))
  subscribe(@Param('id', IdPipe) id: string, @Body() input: SubscribeInput) {
    return this.service.subscribe(id, input);
  }

  @Post('subscriptions/:id/change')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move to another plan at a day boundary; returns the new subscription.',
  })
  @ApiOkResponse({ type: SubscriptionModel })
  @Can('billing.manage', inRoute('subscription', 'id'))
  changePlan(@Param('id', IdPipe) id: string, @Body() input: ChangePlanInput) {
    return this.service.changePlan(id, input);
  }

  @Post('subscriptions/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel at the period end, or now (the end of today, UTC).' })
  @ApiOkResponse({ type: SubscriptionModel })
  @Can('billing.manage', inRoute('subscription', 'id'))
  cancel(@Param('id', IdPipe) id: string, @Body() input: CancelInput) {
    return this.service.cancel(id, input);
  }

  @Get('invoices')
  @ApiOperation({ summary: 'Invoices and credit notes, newest period first.' })
  @ApiOkResponse({ type: InvoiceConnection })
  @Can('billing.read', 'scoped')
  invoices(@Actor() actor: Principal, @Query() args: ListInvoicesArgs) {
    return this.service.invoices(actor, args);
  }

  @Get('invoices.csv')
  @ApiOperation({ summary: 'Invoices and credit notes as CSV (periods starting in [from, to)).' })
  @ApiProduces('text/csv')
  @ApiOkResponse(binary)
  @Can('billing.read', 'scoped')
  async invoicesCsv(@Actor() actor: Principal, @Query() args: ExportArgs) {
    return file(await this.service.invoicesCsv(actor, args));
  }

  @Get('usage-lines.csv')
  @ApiOperation({ summary: 'The metric lines of invoices and credit notes as CSV.' })
  @ApiProduces('text/csv')
  @ApiOkResponse(binary)
  @Can('billing.read', 'scoped')
  async usageCsv(@Actor() actor: Principal, @Query() args: ExportArgs) {
    return file(await this.service.usageCsv(actor, args));
  }

  @Get('invoices/:id')
  @ApiOperation({ summary: 'An invoice or credit note with its lines.' })
  @ApiOkResponse({ type: InvoiceDetailModel })
  @Can('billing.read', inRoute('invoice', 'id'))
  invoice(@Param('id', IdPipe) id: string) {
    return this.service.invoice(id);
  }

  @Get('invoices/:id/lines/:lineId/movements')
  @ApiOperation({ summary: 'The movements a line was rated from, oldest first.' })
  @ApiOkResponse({ type: MovementConnection })
  @Can('billing.read', inRoute('invoice', 'id'))
  lineMovements(
    @Param('id', IdPipe) id: string,
    @Param('lineId', IdPipe) lineId: string,
    @Query() page: PageArgs,
  ) {
    return this.service.lineMovements(id, lineId, page);
  }

  @Get('invoices/:id/pdf')
  @ApiOperation({ summary: 'The PDF as issued; a draft is rendered now, marked draft.' })
  @ApiProduces('application/pdf')
  @ApiOkResponse(binary)
  @Can('billing.read', inRoute('invoice', 'id'))
  async pdf(@Param('id', IdPipe) id: string) {
    return file(await this.service.pdf(id));
  }

  @Post('invoices/:id/pay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record a finalised document as paid (409 otherwise).' })
  @ApiOkResponse({ type: InvoiceDetailModel })
  @Can('plan.manage', 'platform')
  pay(@Param('id', IdPipe) id: string, @Body() input: PayInput) {
    return this.service.pay(id, input);
  }

  @Post('invoices/:id/void')
  @HttpCode(200)
  @ApiOperation({ summary: 'Void a finalised document, with a reason (409 otherwise).' })
  @ApiOkResponse({ type: InvoiceDetailModel })
  @Can('plan.manage', 'platform')
  void(@Param('id', IdPipe) id: string, @Body() input: VoidInput) {
    return this.service.void(id, input);
  }

  @Get('organisations/:id/usage')
  @ApiOperation({
    summary: 'Usage of the current period: so far, forecast to its end, and a series.',
  })
  @ApiOkResponse({ type: UsageModel })
  @Can('billing.read', inRoute('node', 'id'))
  usage(@Param('id', IdPipe) id: string, @Query() args: UsageArgs) {
    return this.service.usage(id, args.every);
  }

  @Get('organisations/:id/budgets')
  @ApiOperation({ summary: "The organisation's budgets." })
  @ApiOkResponse({ type: BudgetModel, isArray: true })
  @Can('billing.read', inRoute('node', 'id'))
  budgets(@Param('id', IdPipe) id: string) {
    return this.service.budgets(id);
  }

  @Post('organisations/:id/budgets')
  @ApiOperation({ summary: 'Add a budget: alerts at its thresholds.' })
  @ApiOkResponse({ type: BudgetModel })
  @Can('billing.manage', inRoute('node', 'id'))
  createBudget(@Param('id', IdPipe) id: string, @Body() input: CreateBudgetInput) {
    return this.service.createBudget(id, input);
  }

  @Delete('budgets/:id')
  @ApiOperation({ summary: 'Remove a budget; returns it.' })
  @ApiOkResponse({ type: BudgetModel })
  @Can('billing.manage', inRoute('budget', 'id'))
  deleteBudget(@Param('id', IdPipe) id: string) {
    return this.service.deleteBudget(id);
  }

  @Post('runs')
  @ApiOperation({ summary: 'Start a billing run of the organisation (a billing-run job).' })
  @ApiOkResponse({ type: JobRunDetailModel })
  @Can('billing.manage', inBody('node', 'organisationId'))
  startRun(@Body() input: StartRunInput) {
    return this.service.startRun(input);
  }

  @Get('reports/monthly')
  @ApiOperation({ summary: "The platform's billing of a month, per currency." })
  @ApiOkResponse({ type: MonthlyReportModel })
  @Can('billing.report', 'platform')
  report(@Query() args: MonthArgs) {
    return this.service.report(args.month);
  }

  @Get('reports/monthly.pdf')
  @ApiOperation({ summary: 'The monthly report as PDF.' })
  @ApiProduces('application/pdf')
  @ApiOkResponse(binary)
  @Can('billing.report', 'platform')
  async reportPdf(@Query() args: MonthArgs) {
    return file(await this.service.reportPdf(args.month));
  }

  @Get('reports/monthly.csv')
  @ApiOperation({ summary: 'The monthly report as CSV.' })
  @ApiProduces('text/csv')
  @ApiOkResponse(binary)
  @Can('billing.report', 'platform')
  async reportCsv(@Query() args: MonthArgs) {
    return file(await this.service.reportCsv(args.month));
  }
}

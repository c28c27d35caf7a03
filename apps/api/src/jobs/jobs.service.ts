import { Injectable } from '@nestjs/common';
import { DomainError, jobTaskStates } from '@sextant/domain';
import {
  describeParams,
  isFanOut,
  JobPlatform,
  JobSchedules,
  JobType,
  JobTypeRegistry,
  itemParams,
  nodeParams,
  runProgress,
  ScheduleRow,
  taskOptions,
} from '@sextant/jobs';
import { billingRunType } from '@sextant/billing';
import { AccessService } from '../access/access.service';
import type { Principal } from '../auth/principal';
import { keysetQuery, parseSort, toPage } from '../common/cursor';
import { isUuid } from '../common/id.pipe';
import type { Page } from '../common/graphql-types';
import {
  defaultLogLines,
  type CreateJobScheduleInput,
  type JobLogsArgs,
  type ListJobRunsArgs,
  type SubmitJobRunInput,
} from './dto/job.inputs';
import type {
  JobLineageModel,
  JobLogPageModel,
  JobRunDetailModel,
  JobRunModel,
  JobScheduleModel,
  JobTaskCountsModel,
  JobTypeModel,
  JobWorkerModel,
} from './job.model';
import { JobsPlatform } from './jobs-platform';
import { JobRunRow, JobsRepository } from './jobs.repository';

function typeModel(type: JobType): JobTypeModel {
  return {
    name: type.name,
    title: type.title,
    description: type.description,
    parameters: describeParams(type.params),
    steps: type.steps.map((step) => ({
      name: step.name,
      dependsOn: step.dependsOn ?? [],
      fanOut: isFanOut(step),
      ...taskOptions(type, step.name),
    })),
  };
}

function counts(byState: Map<string, number> | undefined): JobTaskCountsModel {
  const result = Object.fromEntries(jobTaskStates.map((s) => [s, byState?.get(s) ?? 0])) as Record<
    (typeof jobTaskStates)[number],
    number
  >;
  return { total: Object.values(result).reduce((a, b) => a + b, 0), ...result };
}

/**
 * Billing runs finalise invoices: they are started by billing.manage (POST /api/billing/runs),
 * never by job.manage, so an operator cannot issue an organisation's invoices.
 */
function refuseBillingRuns(type: string): void {
  if (type === billingRunType)
    throw new DomainError(
      'Forbidden',
      'type: billing runs are started from /api/billing/runs (billing.manage), not as jobs',
      [{ field: 'type', reason: 'billing runs are started from /api/billing/runs' }],
    );
}

/**
 * The job platform over REST and GraphQL: job types, runs (submit, list, cancel, retry, logs,
 * lineage), cron schedules and workers. Writes go through @sextant/jobs, in the transactions
 * that also queue the work; reads through JobsRepository.
 */
@Injectable()
export class JobsService {
  private readonly registry: JobTypeRegistry;
  private readonly platform: JobPlatform;
  private readonly scheduler: JobSchedules;

  constructor(
    private readonly repository: JobsRepository,
    private readonly access: AccessService,
    jobs: JobsPlatform,
  ) {
    this.registry = jobs.registry;
    this.platform = jobs.platform;
    this.scheduler = jobs.schedules;
  }

  types(): JobTypeModel[] {
    return this.registry.list().map(typeModel);
  }

  type(name: string): JobTypeModel {
    return typeModel(this.registry.get(name));
  }

  async submit(actor: Principal, input: SubmitJobRunInput): Promise<JobRunDetailModel> {
    refuseBillingRuns(input.type);
    await this.checkNodeParams(actor, input.type, input.params);
    await this.checkItemParams(actor, input.type, input.params);
    const run = await this.platform.submit({
      type: input.type,
      params: input.params ?? {},
      ownerId: input.ownerId,
      priority: input.priority,
      options: {
        timeoutSeconds: input.timeoutSeconds,
        maxAttempts: input.maxAttempts,
        backoffSeconds: input.backoffSeconds,
      },
    });
    return this.run(run.id);
  }

  async runs(actor: Principal, args: ListJobRunsArgs): Promise<Page<JobRunModel>> {
    const owners = await this.access.scopeNodeIds(this.access.scope(actor, 'job.read'));
    const limit = args.limit ?? 50;
    const sort = parseSort('-createdAt', ['createdAt'] as const, {
      field: 'createdAt',
      direction: 'desc',
    });
    const page = keysetQuery(sort, args.cursor);
    const rows = await this.repository.findRuns({
      where: {
        AND: [
          page.where,
          args.state ? { state: args.state } : {},
          args.type ? { type: args.type } : {},
          args.ownerId ? { ownerId: args.ownerId } : {},
          owners ? { ownerId: { in: owners } } : {},
          args.scheduleId ? { scheduleId: args.scheduleId } : {},
        ],
      },
      orderBy: page.orderBy,
      take: limit + 1,
    });
    const result = toPage(rows, limit, sort.field);
    return { items: await this.models(result.items), nextCursor: result.nextCursor };
  }

  async run(id: string): Promise<JobRunDetailModel> {
    const row = await this.repository.findRun(id);
    if (!row) throw new DomainError('JobRunNotFound', `no run with id ${id}`);
    const [model] = await this.models([row]);
    const tasks = await this.repository.tasksOf(id);
    return { ...model, tasks: tasks.map((t) => ({ ...t, input: t.input, result: t.result })) };
  }

  async cancel(id: string): Promise<JobRunDetailModel> {
    await this.platform.cancel(id);
    return this.run(id);
  }

  async retry(id: string): Promise<JobRunDetailModel> {
    await this.platform.retry(id);
    return this.run(id);
  }

  async logs(id: string, args: JobLogsArgs): Promise<JobLogPageModel> {
    await this.existing(id);
    if (args.taskId && !(await this.repository.taskExists(id, args.taskId))) {
      throw new DomainError('JobTaskNotFound', `run ${id} has no task ${args.taskId}`);
    }
    const rows = await this.repository.logs(id, {
      taskId: args.taskId,
      after: args.after === undefined ? undefined : BigInt(args.after),
      limit: args.limit ?? defaultLogLines,
    });
    const items = rows.map((row) => ({
      id: String(row.id),
      taskId: row.taskId,
      taskKey: row.task?.key ?? null,
      attempt: row.attempt,
      at: row.at,
      level: row.level,
      message: row.message,
      data: row.data as Record<string, unknown> | null,
      worker: row.worker,
    }));
    return { items, last: items.at(-1)?.id ?? args.after ?? null };
  }

  async lineage(id: string): Promise<JobLineageModel> {
    await this.existing(id);
    return this.repository.lineage(id);
  }

  async schedules(actor: Principal): Promise<JobScheduleModel[]> {
    const owners = await this.access.scopeNodeIds(this.access.scope(actor, 'job.read'));
    return (await this.repository.schedules(owners)).map(scheduleModel);
  }

  async schedule(id: string): Promise<JobScheduleModel> {
    const row = await this.repository.schedule(id);
    if (!row) throw new DomainError('JobScheduleNotFound', `no schedule with id ${id}`);
    return scheduleModel(row);
  }

  async createSchedule(actor: Principal, input: CreateJobScheduleInput): Promise<JobScheduleModel> {
    refuseBillingRuns(input.type);
    await this.checkNodeParams(actor, input.type, input.params);
    await this.checkItemParams(actor, input.type, input.params);
    const created = await this.scheduler.create(input);
    return this.schedule(created.id);
  }

  async pauseSchedule(id: string): Promise<JobScheduleModel> {
    await this.scheduler.pause(id);
    return this.schedule(id);
  }

  async resumeSchedule(id: string): Promise<JobScheduleModel> {
    await this.scheduler.resume(id);
    return this.schedule(id);
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.scheduler.remove(id);
  }

  /** Workers are shared by every organisation: shown to anyone who may read some runs. */
  async workers(actor: Principal): Promise<JobWorkerModel[]> {
    const scope = this.access.scope(actor, 'job.read');
    if (!scope.all && scope.roots.length === 0) return [];
    return this.repository.workers();
  }

  /**
   * A run reads what its node parameters name: the caller must manage jobs there too, not only
   * on the owner. A node the caller may not see is reported as a missing one.
   */
  private async checkNodeParams(
    actor: Principal,
    typeName: string,
    params: Record<string, unknown> | undefined,
  ): Promise<void> {
    if (!params || !this.registry.has(typeName)) return;
    const named = nodeParams(this.registry.get(typeName).params).flatMap((name) => {
      const id = params[name];
      return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? [{ name, id }] : [];
    });
    if (named.length === 0) return;
    const ids = named.map((n) => n.id.toLowerCase());
    const managed = await this.access.filterNodes(actor, 'job.manage', ids);
    const unmanaged = named.filter((n) => !managed.has(n.id.toLowerCase()));
    if (unmanaged.length === 0) return;
    // Managing implies seeing: only the others are asked whether they are visible at all.
    const visible = await this.access.filterNodes(
      actor,
      'node.read',
      unmanaged.map((n) => n.id.toLowerCase()),
    );
    const hidden = unmanaged.filter((n) => !visible.has(n.id.toLowerCase()));
    if (hidden.length) {
      throw DomainError.validation(
        hidden.map((n) => ({ field: `params.${n.name}`, reason: `no node with id ${n.id}` })),
      );
    }
    const refused = unmanaged[0];
    throw new DomainError(
      'Forbidden',
      `not allowed to job.manage on the node of params.${refused.name} (${refused.id})`,
    );
  }

  /**
   * A run reads the items its item parameters name: the caller must be allowed to read each.
   * One the caller may not see, or of another kind, is reported as a missing one.
   */
  private async checkItemParams(
    actor: Principal,
    typeName: string,
    params: Record<string, unknown> | undefined,
  ): Promise<void> {
    if (!params || !this.registry.has(typeName)) return;
    for (const { name, kinds } of itemParams(this.registry.get(typeName).params)) {
      const id = params[name];
      if (typeof id !== 'string' || !isUuid(id)) continue;
      const missing = DomainError.validation([
        {
          field: `params.${name}`,
          reason: `no ${kinds ? `${kinds.join(' or ')} ` : ''}item with id ${id}`,
        },
      ]);
      try {
        await this.access.requireRow(actor, 'item.read', 'item', id.toLowerCase());
      } catch (error) {
        if (error instanceof DomainError && error.code === 'ItemNotFound') throw missing;
        throw error;
      }
      const kind = await this.repository.itemKind(id.toLowerCase());
      if (kinds && (!kind || !kinds.includes(kind))) throw missing;
    }
  }

  private async existing(id: string): Promise<JobRunRow> {
    const row = await this.repository.findRun(id);
    if (!row) throw new DomainError('JobRunNotFound', `no run with id ${id}`);
    return row;
  }

  private async models(rows: JobRunRow[]): Promise<JobRunModel[]> {
    const ids = rows.map((r) => r.id);
    const [byState, tallies] = await Promise.all([
      this.repository.taskCounts(ids),
      this.repository.progress(ids),
    ]);
    return rows.map((row) => ({
      ...row,
      params: row.params as Record<string, unknown>,
      options: row.options as Record<string, unknown>,
      progress: row.state === 'succeeded' ? 100 : runProgress(tallies.get(row.id) ?? []),
      taskCounts: counts(byState.get(row.id)),
    }));
  }
}

function scheduleModel(
  row: Omit<ScheduleRow, 'params'> & {
    params: unknown;
    runs: { id: string; state: JobRunModel['state'] }[];
  },
): JobScheduleModel {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    params: row.params as Record<string, unknown>,
    cron: row.cron,
    timezone: row.timezone,
    state: row.state,
    priority: row.priority,
    ownerId: row.ownerId,
    nextRunAt: row.nextRunAt,
    lastRunAt: row.lastRunAt,
    lastRunId: row.runs[0]?.id ?? null,
    lastRunState: row.runs[0]?.state ?? null,
    createdAt: row.createdAt,
  };
}

import { Injectable } from '@nestjs/common';
import type { Prisma } from '@sextant/db';
import { progressTallies, runLineage, RunLineage, StepTally } from '@sextant/jobs';
import { PrismaService } from '../prisma/prisma.service';

const taskSelect = {
  id: true,
  step: true,
  key: true,
  position: true,
  parentId: true,
  dependsOn: true,
  state: true,
  attempt: true,
  attemptLimit: true,
  progress: true,
  message: true,
  input: true,
  result: true,
  error: true,
  timeoutSeconds: true,
  workerId: true,
  runAfter: true,
  startedAt: true,
  finishedAt: true,
  createdAt: true,
} satisfies Prisma.JobTaskSelect;

export type JobRunRow = Prisma.JobRunGetPayload<object>;
export type JobTaskRow = Prisma.JobTaskGetPayload<{ select: typeof taskSelect }>;

/**
 * The most tasks listed with a run (its taskCounts give the total): fan-outs list one task per
 * input, tens to a few hundred.
 */
export const maxRunTasks = 5_000;
/** The most schedules listed (by name); organisations keep a few each. */
export const maxSchedules = 1_000;
/** The most workers heard from in the last day that are listed: the latest started. */
export const maxWorkers = 1_000;

/** Reads of the job platform (its writes go through @sextant/jobs). */
@Injectable()
export class JobsRepository {
  constructor(private readonly prisma: PrismaService) {}

  findRuns(args: Prisma.JobRunFindManyArgs): Promise<JobRunRow[]> {
    return this.prisma.client.jobRun.findMany(args);
  }

  findRun(id: string): Promise<JobRunRow | null> {
    return this.prisma.client.jobRun.findUnique({ where: { id } });
  }

  /** The kind of an item, null when it does not exist. */
  async itemKind(id: string): Promise<string | null> {
    const item = await this.prisma.client.item.findUnique({
      where: { id },
      select: { kind: true },
    });
    return item?.kind ?? null;
  }

  /** The first maxRunTasks tasks of a run, in the order they were made. */
  tasksOf(runId: string): Promise<JobTaskRow[]> {
    return this.prisma.client.jobTask.findMany({
      where: { runId },
      select: taskSelect,
      orderBy: [{ createdAt: 'asc' }, { position: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
      take: maxRunTasks,
    });
  }

  /** Tasks per run and state. */
  async taskCounts(runIds: string[]): Promise<Map<string, Map<string, number>>> {
    const groups = await this.prisma.client.jobTask.groupBy({
      by: ['runId', 'state'],
      where: { runId: { in: runIds } },
      _count: { _all: true },
    });
    const byRun = new Map<string, Map<string, number>>();
    for (const group of groups) {
      const counts = byRun.get(group.runId) ?? new Map<string, number>();
      counts.set(group.state, group._count._all);
      byRun.set(group.runId, counts);
    }
    return byRun;
  }

  progress(runIds: string[]): Promise<Map<string, StepTally[]>> {
    return progressTallies(this.prisma.pool, runIds);
  }

  logs(runId: string, options: { taskId?: string; after?: bigint; limit: number }) {
    return this.prisma.client.jobLog.findMany({
      where: {
        runId,
        ...(options.taskId ? { taskId: options.taskId } : {}),
        ...(options.after !== undefined ? { id: { gt: options.after } } : {}),
      },
      include: { task: { select: { key: true } } },
      orderBy: { id: 'asc' },
      take: options.limit,
    });
  }

  taskExists(runId: string, taskId: string): Promise<boolean> {
    return this.prisma.client.jobTask.count({ where: { id: taskId, runId } }).then((n) => n > 0);
  }

  lineage(runId: string): Promise<RunLineage> {
    return runLineage(this.prisma.pool, runId);
  }

  /** Schedules owned by the given nodes (null: all). */
  schedules(owners: string[] | null) {
    return this.prisma.client.jobSchedule.findMany({
      where: owners ? { ownerId: { in: owners } } : {},
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      take: maxSchedules,
      include: {
        runs: { orderBy: { createdAt: 'desc' }, take: 1, select: { id: true, state: true } },
      },
    });
  }

  schedule(id: string) {
    return this.prisma.client.jobSchedule.findUnique({
      where: { id },
      include: {
        runs: { orderBy: { createdAt: 'desc' }, take: 1, select: { id: true, state: true } },
      },
    });
  }

  /** Workers heard from in the last day, with how many attempts each runs now. */
  async workers() {
    const since = new Date(Date.now() - 86_400_000);
    const [workers, running] = await Promise.all([
      this.prisma.client.jobWorker.findMany({
        where: { heartbeatAt: { gte: since } },
        orderBy: [{ startedAt: 'desc' }, { id: 'asc' }],
        take: maxWorkers,
      }),
      this.prisma.client.jobTask.groupBy({
        by: ['workerId'],
        where: { state: 'running' },
        _count: { _all: true },
      }),
    ]);
    const counts = new Map(running.map((r) => [r.workerId, r._count._all]));
    return workers.map((w) => ({ ...w, running: counts.get(w.id) ?? 0 }));
  }
}

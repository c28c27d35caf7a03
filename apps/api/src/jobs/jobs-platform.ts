import { Injectable } from '@nestjs/common';
import { builtinJobTypes } from '@sextant/analyses';
import { JobPlatform, JobSchedules, JobTypeRegistry } from '@sextant/jobs';
import { PrismaService } from '../prisma/prisma.service';

/** The API's job types (fixed at start): how many, and the most parameters and steps of one. */
export const jobCatalogue = {
  types: builtinJobTypes.length,
  parameters: Math.max(...builtinJobTypes.map((t) => Object.keys(t.params).length)),
  steps: Math.max(...builtinJobTypes.map((t) => t.steps.length)),
};

/**
 * The job platform's write side on the API's pool: submissions, cancels and retries go
 * through it in the transactions that also queue the work (the queue is pg-boss's, in the
 * same database). The job types are the worker's (builtinJobTypes).
 */
@Injectable()
export class JobsPlatform {
  readonly registry = new JobTypeRegistry(builtinJobTypes);
  readonly platform: JobPlatform;
  readonly schedules: JobSchedules;

  constructor(prisma: PrismaService) {
    this.platform = new JobPlatform(prisma.pool, this.registry, { workerName: 'api' });
    this.schedules = new JobSchedules(this.platform);
  }
}

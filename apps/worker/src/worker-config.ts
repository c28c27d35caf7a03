import { Inject } from '@nestjs/common';
import type { SextantConfig } from '@sextant/config';

/** The worker's configuration, read once by main.ts; the database URL is known by then. */
export type WorkerConfig = SextantConfig & { databaseUrl: string };

/** Injection token of the WorkerConfig. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/** Injection token of the worker's one database pool (a pg Pool made by main.ts). */
export const WORKER_POOL = Symbol('WORKER_POOL');

/** Injects the WorkerConfig. */
export const InjectWorkerConfig = (): ParameterDecorator => Inject(WORKER_CONFIG);

/** Injects the worker's pool. */
export const InjectWorkerPool = (): ParameterDecorator => Inject(WORKER_POOL);

/** The application_name of the worker's pool, which tells its connections apart. */
export const workerApplicationName = 'sextant-worker';

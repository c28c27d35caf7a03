import type { SextantConfig } from '@sextant/config';

/** The worker's configuration, read once by main.ts; the database URL is known by then. */
export type WorkerConfig = SextantConfig & { databaseUrl: string };

/** Injection token of the WorkerConfig. */
export const WORKER_CONFIG = Symbol('WORKER_CONFIG');

/** Injection token of the worker's one database pool (a pg Pool made by main.ts). */
export const WORKER_POOL = Symbol('WORKER_POOL');

/** The application_name of the worker's pool, which tells its connections apart. */
export const workerApplicationName = 'sextant-worker';

import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { InjectWorkerPool } from './worker-config';

/**
 * The worker's one database pool: checked at start-up, closed once on shutdown. The services
 * stop their work in beforeApplicationShutdown, which Nest finishes before this closes it.
 */
@Injectable()
export class WorkerDatabase implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('worker');

  constructor(@InjectWorkerPool() private readonly pool: Pool) {}

  async onModuleInit(): Promise<void> {
    // A connection the server ends (e.g. a stalled settle) must not take the worker down.
    this.pool.on('error', (error) =>
      this.logger.warn(`database connection lost: ${error.message}`),
    );
    await this.pool.query('SELECT 1');
    this.logger.log('database reachable');
  }

  async onApplicationShutdown(signal?: string): Promise<void> {
    await this.pool.end();
    this.logger.log(`stopped${signal ? ` on ${signal}` : ''}`);
  }
}

import { BeforeApplicationShutdown, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CdcSupervisor, SourceGuard } from '@sextant/cdc';
import type { Pool } from 'pg';
import { InjectWorkerConfig, InjectWorkerPool, type WorkerConfig } from './worker-config';

/**
 * Runs the managed CDC sources (paths of protocol cdc): one replication reader per active
 * source, shared out among worker processes by advisory locks (see CdcSupervisor).
 */
@Injectable()
export class CdcService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('cdc');
  private supervisor: CdcSupervisor | null = null;

  constructor(
    @InjectWorkerPool() private readonly pool: Pool,
    @InjectWorkerConfig() private readonly config: WorkerConfig,
  ) {}

  onModuleInit(): void {
    const { databaseUrl, cdc } = this.config;
    this.supervisor = new CdcSupervisor(this.pool, {
      secretKey: this.config.secretKey,
      databaseUrl,
      guard: new SourceGuard({
        allowedHosts: cdc.allowedHosts,
        ownDatabaseUrl: databaseUrl,
        log: (line) => this.logger.warn(line),
      }),
      maxRetainedWalBytes: cdc.maxRetainedWalMb * 2 ** 20,
      log: (line) => this.logger.log(line),
    });
    this.supervisor.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.supervisor?.stop();
  }
}

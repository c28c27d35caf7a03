import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { CdcSupervisor, SourceGuard } from '@sextant/cdc';
import { loadConfig } from '@sextant/config';
import { Pool } from 'pg';

/**
 * Runs the managed CDC sources (paths of protocol cdc): one replication reader per active
 * source, shared out among worker processes by advisory locks (see CdcSupervisor).
 */
@Injectable()
export class CdcService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('cdc');
  private readonly pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  private supervisor: CdcSupervisor | null = null;

  onModuleInit(): void {
    this.pool.on('error', (error) =>
      this.logger.warn(`database connection lost: ${error.message}`),
    );
    const config = loadConfig();
    const databaseUrl = process.env.DATABASE_URL ?? '';
    this.supervisor = new CdcSupervisor(this.pool, {
      secretKey: config.secretKey,
      databaseUrl,
      guard: new SourceGuard({
        allowedHosts: config.cdc.allowedHosts,
        ownDatabaseUrl: databaseUrl,
        log: (line) => this.logger.warn(line),
      }),
      maxRetainedWalBytes: config.cdc.maxRetainedWalMb * 2 ** 20,
      log: (line) => this.logger.log(line),
    });
    this.supervisor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.supervisor?.stop();
    await this.pool.end();
  }
}

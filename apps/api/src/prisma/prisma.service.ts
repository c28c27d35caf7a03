import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createDatabaseClients, DatabaseClients, PrismaClient } from '@sextant/db';
import type { Pool } from 'pg';
import { API_CONFIG, ApiConfig } from '../api-config';

/** The process's Prisma client and the pg pool under it, closed on shutdown. */
@Injectable()
export class PrismaService implements OnModuleDestroy {
  private readonly clients: DatabaseClients;

  constructor(@Inject(API_CONFIG) config: ApiConfig) {
    this.clients = createDatabaseClients(config.databaseUrl, config.poolSize);
  }

  get client(): PrismaClient {
    return this.clients.prisma;
  }

  get pool(): Pool {
    return this.clients.pool;
  }

  async onModuleDestroy(): Promise<void> {
    await this.clients.close();
  }
}

import { Injectable } from '@nestjs/common';
import { PrismaService } from '../prisma/prisma.service';

export interface HealthReport {
  status: 'ok' | 'degraded';
  uptimeSeconds: number;
  database: {
    status: 'up' | 'down';
    latencyMs?: number;
    version?: string;
    migrations?: number;
    error?: string;
  };
}

@Injectable()
export class HealthService {
  constructor(private readonly prisma: PrismaService) {}

  async check(): Promise<HealthReport> {
    const started = performance.now();
    try {
      const [row] = await this.prisma.client.$queryRawUnsafe<
        { version: string; migrations: number }[]
      >(
        `SELECT current_setting('server_version') AS version,
                (SELECT count(*)::int FROM "_prisma_migrations" WHERE finished_at IS NOT NULL) AS migrations`,
      );
      return {
        status: 'ok',
        uptimeSeconds: Math.round(process.uptime()),
        database: {
          status: 'up',
          latencyMs: Math.round((performance.now() - started) * 10) / 10,
          version: row.version,
          migrations: row.migrations,
        },
      };
    } catch (error) {
      return {
        status: 'degraded',
        uptimeSeconds: Math.round(process.uptime()),
        database: { status: 'down', error: (error as Error).message.split('\n')[0] },
      };
    }
  }
}

import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@sextant/config';
import { createTestDatabase, TestDatabase } from '@sextant/testing';
import { Client, Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AccountingService } from './accounting.service';
import { UpkeepService } from './upkeep.service';
import { workerApplicationName, type WorkerConfig } from './worker-config';
import { WorkerModule } from './worker.module';

describe(WorkerModule.name, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('worker_module');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('runs its services on the one pool it is given and closes that pool once', async () => {
    // No cron ticks: the test looks at connections, not at schedules.
    const config: WorkerConfig = {
      ...loadConfig({ JOB_SCHEDULER_INTERVAL_SECONDS: '0' }),
      databaseUrl: db.url,
    };
    const pool = new Pool({
      connectionString: db.url,
      max: config.worker.poolSize,
      application_name: workerApplicationName,
    });
    const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, pool), {
      logger: false,
    });
    await app.init();
    const watcher = new Client({ connectionString: db.url, application_name: 'worker-test' });
    await watcher.connect();
    try {
      // Each service's database work: the CDC supervisor listed its sources at start.
      await app.get(UpkeepService).runOnce();
      await app.get(AccountingService).runOnce();
      const { rows } = await watcher.query<{ name: string; n: number }>(
        `SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
          GROUP BY 1 ORDER BY 1`,
      );
      // Everything but the job platform (libs/jobs: its own pool and pg-boss's) shares the
      // given pool; a service with a pool of its own would show up under another name.
      expect(rows.map((r) => r.name)).toEqual([
        workerApplicationName,
        'sextant-worker-jobs',
        'sextant-worker-queue',
      ]);
      expect(rows[0].n).toBeLessThanOrEqual(config.worker.poolSize);
    } finally {
      await watcher.end();
      await app.close();
    }
    expect(pool.ended).toBe(true);
    expect(pool.totalCount).toBe(0);
  });
});

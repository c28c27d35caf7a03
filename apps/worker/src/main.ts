import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@sextant/config';
import { Pool } from 'pg';
import { workerApplicationName } from './worker-config';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    throw new Error(
      'missing DATABASE_URL: start the worker through `npm start`, or set DATABASE_URL',
    );
  }
  // The one pool of this process, for every service; WorkerDatabase closes it on shutdown.
  const pool = new Pool({
    connectionString: databaseUrl,
    max: config.worker.poolSize,
    application_name: workerApplicationName,
  });
  const app = await NestFactory.createApplicationContext(
    WorkerModule.forRoot({ ...config, databaseUrl }, pool),
    { logger: ['log', 'warn', 'error'] },
  );
  app.enableShutdownHooks();
  await app.init();
  // A context has no server to keep the process alive; this handle does until a signal.
  setInterval(() => undefined, 1 << 30);
  // The launcher waits for this line.
  console.log('worker ready');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

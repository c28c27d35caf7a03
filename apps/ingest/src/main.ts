import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { IngestModule } from './ingest.module';

async function main(): Promise<void> {
  const app = await NestFactory.createApplicationContext(IngestModule, {
    logger: ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks();
  await app.init();
  // A context has no server to keep the process alive; this handle does until a signal.
  setInterval(() => undefined, 1 << 30);
  // The launcher waits for this line.
  console.log('ingest ready');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

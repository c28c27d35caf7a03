import 'reflect-metadata';
import path from 'node:path';
import { loadConfig } from '@sextant/config';
import { createApiApp } from './app.factory';

async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new Error('missing DATABASE_URL: start the API through `npm start`, or set DATABASE_URL');
  }
  const app = await createApiApp({
    databaseUrl,
    poolSize: Number(process.env.API_DB_POOL_SIZE || 20),
    schemaFile: process.env.GRAPHQL_SCHEMA_FILE ? path.resolve(process.env.GRAPHQL_SCHEMA_FILE) : null,
    corsOrigins: (process.env.CORS_ORIGINS ?? '').split(',').filter(Boolean),
  });
  await app.listen({ port: config.api.port, host: config.api.host });
  console.log(`api listening on http://${config.api.host}:${config.api.port} (REST /api, OpenAPI /api/docs, GraphQL /graphql)`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

import 'reflect-metadata';
import { loadConfig } from '@sextant/config';
import { apiConfigFrom } from './api-config';
import { createApiApp } from './app.factory';

async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    throw new Error('missing DATABASE_URL: start the API through `npm start`, or set DATABASE_URL');
  }
  const app = await createApiApp(apiConfigFrom({ ...config, databaseUrl }));
  await app.listen({ port: config.api.port, host: config.api.host });
  console.log(
    `api listening on http://${config.api.host}:${config.api.port} (REST /api, OpenAPI /api/docs, GraphQL /graphql)`,
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

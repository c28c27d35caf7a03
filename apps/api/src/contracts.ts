import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@sextant/config';
import { apiConfigFrom } from './api-config';
import openapiTS, { astToString } from 'openapi-typescript';
import { buildOpenApiDocument, createApiApp } from './app.factory';

export const contractFiles = {
  graphql: 'apps/api/schema.gql',
  openapi: 'apps/api/openapi.json',
  portalTypes: 'apps/portal/lib/api-types.ts',
} as const;

/** The portal's API types: openapi-typescript's reading of the OpenAPI document. */
export async function portalTypes(openapi: string): Promise<string> {
  const ast = await openapiTS(openapi, { alphabetize: true });
  return `// Generated from ${contractFiles.openapi} by \`npm run contracts\`; do not edit.\n\n${astToString(ast)}`;
}

/** The API's generated contracts, as they would be committed. */
export async function generateContracts(): Promise<Record<string, string>> {
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'sextant-contracts-'));
  const schemaFile = path.join(tmp, 'schema.gql');
  // No query runs: the pool connects lazily, so the URL is never dialled.
  // The documented defaults: the contracts do not depend on this machine's environment.
  const config = loadConfig({});
  const app = await createApiApp(
    {
      ...apiConfigFrom({ ...config, databaseUrl: 'postgresql://contracts@127.0.0.1:1/none' }),
      poolSize: 1,
      schemaFile,
    },
    ['error'],
  );
  await app.init();
  const openapi = `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  await app.close();
  const graphql = await fs.readFile(schemaFile, 'utf8');
  await fs.rm(tmp, { recursive: true, force: true });
  return {
    [contractFiles.graphql]: graphql,
    [contractFiles.openapi]: openapi,
    [contractFiles.portalTypes]: await portalTypes(openapi),
  };
}
